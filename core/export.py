"""Table exports (CSV, XLSX) that spreadsheet programs cannot execute.

Cells starting with `=`, `+`, `-`, `@` (and tab / carriage return, per OWASP) are prefixed with a
single quote so Excel or LibreOffice show them as text instead of evaluating a formula.
Numbers are left alone: only strings can carry a formula.
"""

from __future__ import annotations

import io
import os
import re

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (and so XLSX) cannot hold; openpyxl raises IllegalCharacterError on them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def file_stem(name: str, limit: int = 60) -> str:
    """`name` (a project's) as the start of a download's file name: letters (Chinese too), digits,
    - and _; everything else becomes _."""
    stem = re.sub(r"[^\w-]+", "_", str(name), flags=re.UNICODE).strip("_")
    return stem[:limit] or "topiclens"


def neutralise_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _map_text(frame: pd.DataFrame, fn) -> pd.DataFrame:
    """A copy of `frame` with `fn` applied to every string cell and column name."""
    out = frame.copy()
    out.columns = [fn(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(fn)
    return out


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every string cell (and column name) neutralised."""
    return _map_text(frame, neutralise_cell)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    # UTF-8 with BOM so Excel opens Chinese text correctly.
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_clean(value: object) -> object:
    """A cell XLSX can store: control characters (NUL, ESC, ...) become U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    out = _map_text(safe_frame(frame), xlsx_clean)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name=xlsx_clean(sheet_name)[:31] or "data")
    return buf.getvalue()


def _table_suffix(path: str) -> str:
    from core.errors import InputError

    suffix = str(path).lower().rsplit(".", 1)[-1] if "." in str(path) else ""
    if suffix not in ("csv", "xlsx"):
        raise InputError("{path}: the output file must end in .csv or .xlsx.", path=path)
    return suffix


def check_output(path: str, table: bool = False) -> None:
    """Refuse an output file the CLI could not write, before any work (a read-only folder, a missing
    folder, a folder given as the file, a table without .csv/.xlsx): one InputError, nothing written.
    The check writes and removes a probe file beside `path`: permissions alone miss a read-only mount."""
    import tempfile

    from core.errors import InputError

    if table:
        _table_suffix(path)
    target = os.path.abspath(path)
    if os.path.isdir(target):
        raise InputError("{path} is a folder: give a file name.", path=path)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise InputError("{path}: cannot write ({reason}).", path=path, reason=os.strerror(2))
    try:
        fd, probe = tempfile.mkstemp(prefix=".topiclens-probe-", suffix=".part", dir=folder)
        os.close(fd)
        os.remove(probe)
        if os.path.exists(target) and not os.access(target, os.W_OK):
            raise PermissionError(13, os.strerror(13))
    except OSError as exc:
        raise InputError("{path}: cannot write ({reason}).", path=path,
                         reason=exc.strerror or type(exc).__name__) from None


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Write a CLI output file atomically: a temp file beside it, then a rename. A full disk leaves
    the previous file (or none), never half of one; InputError (one line) on failure."""
    from core.errors import InputError

    tmp = f"{path}.part"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise InputError("{path}: cannot write ({reason}).", path=path, reason=exc.strerror or type(exc).__name__) from None


def write_table(frame: pd.DataFrame, path: str) -> None:
    """Write CSV or XLSX by file extension (used by the CLI)."""
    suffix = _table_suffix(path)
    write_bytes_atomic(path, to_xlsx_bytes(frame) if suffix == "xlsx" else to_csv_bytes(frame))
