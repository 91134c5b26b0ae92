"""Reading untrusted zip archives safely: corpus zips, model zips and `.topiclens` project files.

API (small and stable; everything raises `core.errors.InputError` with a readable message):

    limits = Limits.from_env()                      # or Limits(max_total_bytes=..., ...)
    with SafeZip(data_or_path, limits, what="The model zip") as zf:
        zf.members()        -> list[Member]         # files only (no folders), archive order
        zf.names()          -> list[str]            # their normalised names ("dir/file.txt")
        zf.read(name)       -> bytes                # inflated while counting; caps enforced
        zf.extract(names, dest) -> Path             # atomically: temp folder, then rename to dest
        zf.bytes_read       -> int                  # uncompressed bytes inflated so far

Checked when opening (from the central directory): member count, names (no `..`, absolute
paths, drive letters, backslash tricks, NUL or empty names, duplicates after normalising),
symbolic links (Unix mode in the external attributes), encrypted members, and declared sizes.
Checked while inflating (headers can lie): total uncompressed bytes over the whole archive, each
member's size, and its compression ratio (bytes out / compressed bytes in, once past 1 MiB), plus
CRC errors and damaged data. Limits come from `Limits`; `TOPICLENS_MAX_UNCOMPRESSED_MB` sets the
default total (256 MB) and `TOPICLENS_MAX_ZIP_RATIO` the default ratio (200).

`extract` takes names or a {member name: relative target name} mapping (to flatten or rename),
writes into a hidden temp folder next to `dest`, and renames it to `dest` only when everything was
read and verified; on any failure nothing is left behind. `dest` must not exist yet.
"""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import stat
import uuid
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Iterable, Iterator, Mapping

from core import settings
from core.errors import InputError, Message
from core.i18n import N_

MIB = 1 << 20
CHUNK = 1 << 20
_RATIO_FLOOR = MIB  # small members may compress extremely well (a page of spaces): no ratio check below this
_DRIVE = re.compile(r"^[A-Za-z]:")
MAX_DEPTH = 64          # folder levels in one member name
MAX_PART_BYTES = 200    # bytes of one name part (file systems stop at 255; temp prefixes need room)


@dataclass(frozen=True)
class Limits:
    """Caps for one archive. Sizes in bytes; `max_ratio` is uncompressed / compressed per member."""

    max_total_bytes: int = 256 * MIB
    max_member_bytes: int | None = None   # None: same as max_total_bytes
    max_ratio: float = 200.0
    max_members: int = 20_000

    @classmethod
    def from_env(cls, **overrides) -> "Limits":
        """Defaults with the environment's total and ratio caps, then `overrides`."""
        base = cls(max_total_bytes=int(settings.get("TOPICLENS_MAX_UNCOMPRESSED_MB") * MIB),
                   max_ratio=settings.get("TOPICLENS_MAX_ZIP_RATIO"))
        return replace(base, **overrides)

    @property
    def member_cap(self) -> int:
        return min(self.max_member_bytes or self.max_total_bytes, self.max_total_bytes)


@dataclass(frozen=True)
class Member:
    name: str              # normalised: forward slashes, no leading "./"
    size: int              # as declared by the archive (checked again while inflating)
    compressed_size: int

    @property
    def basename(self) -> str:
        return PurePosixPath(self.name).name

    @property
    def is_os_metadata(self) -> bool:
        """macOS/Windows litter (__MACOSX/, ._x, .DS_Store, Thumbs.db) that callers usually skip."""
        parts = PurePosixPath(self.name).parts
        return "__MACOSX" in parts or self.basename.startswith(".") or self.basename.lower() == "thumbs.db"


def _mb(n: float) -> Message:
    return Message(N_("{mb:,.0f} MB"), mb=n / MIB) if n >= MIB else Message(N_("{n:,.0f} bytes"), n=n)


def safe_relative_name(raw: str) -> str:
    """`raw` as a safe relative POSIX path, or InputError (traversal, absolute, drive letter, NUL)."""
    name = raw.replace("\\", "/")
    if not name or "\x00" in name or name.startswith("/") or _DRIVE.match(name):
        raise InputError("unsafe path {path!r}", path=raw)
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts or any(_DRIVE.match(p) for p in parts):
        raise InputError("unsafe path {path!r}", path=raw)
    # No file system takes these (ENAMETOOLONG), and thousands of levels overflow the recursion of
    # Path.mkdir(parents=True): refused here, as a name, before anything is created.
    if len(parts) > MAX_DEPTH or any(len(p.encode("utf-8", "surrogatepass")) > MAX_PART_BYTES for p in parts):
        raise InputError("unsafe path {path!r}", path=_shorten(raw))
    return "/".join(parts)


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else f"{text[:limit // 2]}…{text[-limit // 2:]}"


class SafeZip:
    """A zip archive read under `limits`; see the module docstring."""

    def __init__(self, source: bytes | bytearray | memoryview | str | Path | BinaryIO,
                 limits: Limits | None = None, what: str = N_("The ZIP archive")):
        self.limits = limits or Limits.from_env()
        self.what = Message(what)   # mark it with N_() where it is written: it is translated with the message
        self.bytes_read = 0
        self._zf = self._open(source)
        try:
            self._members = self._scan()
        except Exception:
            self._zf.close()
            raise

    # -- opening and scanning

    def _open(self, source) -> zipfile.ZipFile:
        if isinstance(source, (bytes, bytearray, memoryview)):
            fh: BinaryIO | str = io.BytesIO(bytes(source))
        elif isinstance(source, (str, Path)):
            try:
                st_ = os.stat(source)
            except OSError:
                raise InputError("{what} could not be opened.", what=self.what) from None
            if not stat.S_ISREG(st_.st_mode):
                raise InputError("{what} is not a regular file.", what=self.what)
            fh = str(source)
        else:
            fh = source
        try:
            return zipfile.ZipFile(fh)
        except zipfile.BadZipFile:
            raise InputError("{what} is damaged or not a zip file.", what=self.what) from None
        except (OSError, ValueError, NotImplementedError, EOFError) as exc:
            raise InputError("{what} is damaged ({kind}).", what=self.what, kind=type(exc).__name__) from None

    def _scan(self) -> dict[str, tuple[Member, zipfile.ZipInfo]]:
        infos = self._zf.infolist()
        if len(infos) > self.limits.max_members:
            raise InputError("{what} holds {n:,} entries; the limit is {limit:,}.", what=self.what, n=len(infos),
                             limit=self.limits.max_members)
        out: dict[str, tuple[Member, zipfile.ZipInfo]] = {}
        declared = 0
        for info in infos:
            try:
                name = safe_relative_name(info.filename)
            except InputError:
                raise InputError("{what} holds an unsafe path ({name!r}): entries must stay inside the archive.",
                                 what=self.what, name=_shorten(info.filename)) from None
            if info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
                raise InputError("{what} holds a symbolic link ({name!r}); links are not accepted.", what=self.what,
                                 name=info.filename)
            if info.flag_bits & 0x1:
                raise InputError("{what} is encrypted (password-protected: {name!r}); upload an archive without a "
                                 "password.", what=self.what, name=info.filename)
            if info.is_dir():
                continue
            if name in out:
                raise InputError("{what} holds two entries named {name!r}.", what=self.what, name=name)
            if info.file_size > self.limits.member_cap:
                raise InputError("{what} is too large when unpacked: {name!r} is {size} (limit {limit} per file).",
                                 what=self.what, name=name, size=_mb(info.file_size), limit=_mb(self.limits.member_cap))
            declared += info.file_size
            if declared > self.limits.max_total_bytes:
                raise InputError("{what} is too large when unpacked (over {limit}); the limit is set by "
                                 "TOPICLENS_MAX_UNCOMPRESSED_MB.", what=self.what,
                                 limit=_mb(self.limits.max_total_bytes))
            out[name] = (Member(name, info.file_size, info.compress_size), info)
        return out

    # -- reading

    def members(self) -> list[Member]:
        return [m for m, _ in self._members.values()]

    def names(self) -> list[str]:
        return list(self._members)

    def _info(self, name: str) -> tuple[Member, zipfile.ZipInfo]:
        try:
            return self._members[name]
        except KeyError:
            raise InputError("{what} has no entry named {name!r}.", what=self.what, name=name) from None

    def iter_chunks(self, name: str, max_bytes: int | None = None) -> Iterator[bytes]:
        """The member's bytes in chunks, counted against every cap as they are inflated."""
        member, info = self._info(name)
        cap = min(self.limits.member_cap, max_bytes) if max_bytes else self.limits.member_cap
        out = 0
        try:
            with self._zf.open(info) as src:
                while True:
                    chunk = src.read(CHUNK)
                    if not chunk:
                        break
                    out += len(chunk)
                    self.bytes_read += len(chunk)
                    if out > cap:
                        raise InputError("{what} is too large when unpacked: {name!r} is over {limit}.",
                                         what=self.what, name=name, limit=_mb(cap))
                    if self.bytes_read > self.limits.max_total_bytes:
                        raise InputError("{what} is too large when unpacked (over {limit}); the limit is set by "
                                         "TOPICLENS_MAX_UNCOMPRESSED_MB.", what=self.what,
                                         limit=_mb(self.limits.max_total_bytes))
                    if out > _RATIO_FLOOR and out > self.limits.max_ratio * max(info.compress_size, 1):
                        raise InputError("{what} looks like a zip bomb: {name!r} expands more than {ratio:g} times.",
                                         what=self.what, name=name, ratio=self.limits.max_ratio)
                    yield chunk
        except InputError:
            raise
        except zipfile.BadZipFile as exc:
            if "CRC" in str(exc):
                raise InputError("{what} is damaged: {name!r} has a bad CRC checksum. Re-create the archive.",
                                 what=self.what, name=name) from None
            raise InputError("{what} is damaged: {name!r} has damaged data. Re-create the archive.", what=self.what,
                             name=name) from None
        except (zipfile.LargeZipFile, NotImplementedError) as exc:
            raise InputError("{what} uses an unsupported zip feature for {name!r} ({detail}).", what=self.what,
                             name=name, detail=str(exc)) from None
        except (EOFError, ValueError, RuntimeError, OSError, zlib.error) as exc:
            raise InputError("{what} is damaged: {name!r} could not be unpacked ({kind}).", what=self.what, name=name,
                             kind=type(exc).__name__) from None

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """The whole member (at most `max_bytes`, and within the archive's limits)."""
        return b"".join(self.iter_chunks(name, max_bytes))

    # -- extracting

    def extract(self, names: Iterable[str] | Mapping[str, str], dest: str | Path,
                max_bytes: Mapping[str, int] | None = None) -> Path:
        """Unpack the named members into the new folder `dest`, atomically (see module docstring).

        `names` maps member name -> relative target path (or is a list: same names). `max_bytes`
        optionally lowers the cap for some members (e.g. small JSON files next to large weights).
        """
        plan = dict(names) if isinstance(names, Mapping) else {n: n for n in names}
        targets = set()
        for src, rel in plan.items():
            self._info(src)
            try:
                rel = safe_relative_name(rel)
            except InputError:
                raise InputError("Refusing to unpack to an unsafe path: {path!r}.", path=rel) from None
            if rel in targets:
                raise InputError("{what}: two entries would unpack to the same file {path!r}.", what=self.what,
                                 path=rel)
            targets.add(rel)
            plan[src] = rel
        dest = Path(dest)
        if dest.exists():
            raise InputError("The target folder already exists.")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.parent / f".{dest.name}.part-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            for src, rel in plan.items():
                out = tmp / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                with open(out, "xb") as fh:
                    for chunk in self.iter_chunks(src, (max_bytes or {}).get(src)):
                        fh.write(chunk)
            os.rename(tmp, dest)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise InputError("The server ran out of disk space while unpacking; nothing was kept. "
                                 "Try again later or ask the administrator.") from None
            raise
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return dest

    # -- lifetime

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> "SafeZip":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
