"""Table exports (CSV, XLSX) that spreadsheet programs cannot execute.

Cells starting with `=`, `+`, `-`, `@` (and tab / carriage return, per OWASP) are prefixed with a
single quote so Excel or LibreOffice show them as text instead of evaluating a formula.
Numbers are left alone: only strings can carry a formula.
"""

from __future__ import annotations

import io

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every string cell (and column name) neutralised."""
    out = frame.copy()
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    # UTF-8 with BOM so Excel opens Chinese text correctly.
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet_name[:31])
    return buf.getvalue()


def write_table(frame: pd.DataFrame, path: str) -> None:
    """Write CSV or XLSX by file extension (used by the CLI)."""
    from core.errors import InputError

    suffix = str(path).lower().rsplit(".", 1)[-1] if "." in str(path) else ""
    if suffix not in ("csv", "xlsx"):
        raise InputError(f"{path}: the output file must end in .csv or .xlsx.")
    data = to_xlsx_bytes(frame) if suffix == "xlsx" else to_csv_bytes(frame)
    with open(path, "wb") as fh:
        fh.write(data)
