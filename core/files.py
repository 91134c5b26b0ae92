"""Reading files named on the command line, safely: regular files only, never past a byte cap.

`/dev/zero`, a FIFO or a terminal would otherwise be read until memory runs out.
`TOPICLENS_MAX_INPUT_MB` sets the cap for corpus files (default 500 MB, the dashboard's upload limit).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from core import settings
from core.errors import InputError

MIB = 1 << 20


def max_input_bytes() -> int:
    return int(settings.get("TOPICLENS_MAX_INPUT_MB") * MIB)


def read_regular_file(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (default `max_input_bytes()`), or InputError."""
    path = Path(path)
    cap = max_bytes or max_input_bytes()
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang before the type check below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError("{path}: no such file.", path=str(path)) from None
    except IsADirectoryError:
        raise InputError("{path} is a folder: give a file (or zip the .txt files).", path=str(path)) from None
    except PermissionError:
        raise InputError("{path}: permission denied.", path=str(path)) from None
    except OSError as exc:
        raise InputError("{path}: cannot open ({detail}).", path=str(path), detail=exc.strerror) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("{path} is a folder: give a file (or zip the .txt files).", path=str(path))
        raise InputError("{path} is not a regular file (a device, pipe or socket): save the data to a file first.",
                         path=str(path))
    if info.st_size > cap:
        os.close(fd)
        raise InputError("{path} is {size:,.0f} MB; the limit is {limit:,.0f} MB (TOPICLENS_MAX_INPUT_MB).",
                         path=str(path), size=info.st_size / MIB, limit=cap / MIB)
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:  # the file grew while we read it
        raise InputError("{path} is larger than the limit of {limit:,.0f} MB (TOPICLENS_MAX_INPUT_MB).",
                         path=str(path), limit=cap / MIB)
    return data
