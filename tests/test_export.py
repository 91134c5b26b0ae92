"""core.export: CSV/XLSX exports neutralise spreadsheet formulas."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from core.errors import InputError
from core.export import neutralise_cell, to_csv_bytes, to_xlsx_bytes, write_table

FRAME = pd.DataFrame({"term": ["=HYPERLINK(\"http://x\")", "+1", "-cmd", "@SUM(A1)", "正常", "a=b"],
                      "score": [1.5, 2.0, -3.0, 4.0, 5.0, 6.0]})


def test_neutralise_cell():
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("正常") == "正常"
    assert neutralise_cell(-3.0) == -3.0  # numbers are not formulas


def test_csv_export_is_safe_and_utf8_bom():
    data = to_csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["term"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1", "'-cmd", "'@SUM(A1)", "正常", "a=b"]
    assert back["score"].tolist() == FRAME["score"].tolist()


def test_xlsx_export_has_no_formulas():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(FRAME)))
    cells = [c.value for c in book.active["A"]][1:]
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in cells)
    assert cells[0] == "'=HYPERLINK(\"http://x\")"
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)


def test_write_table_by_extension(tmp_path):
    write_table(FRAME, str(tmp_path / "t.xlsx"))
    write_table(FRAME, str(tmp_path / "t.CSV"))
    assert (tmp_path / "t.xlsx").read_bytes()[:2] == b"PK" and (tmp_path / "t.CSV").read_bytes()[:3] == b"\xef\xbb\xbf"
    with pytest.raises(InputError, match=".csv or .xlsx"):
        write_table(FRAME, str(tmp_path / "t.pdf"))
