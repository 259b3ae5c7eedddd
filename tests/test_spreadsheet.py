"""Downloads and exports are safe in spreadsheet software (dashboard.core.spreadsheet): a text with
a line break is quoted in CSV, and every line start inside a cell that would read as a formula is
neutralised — checked with Python's csv module, with a CR-aware reader that splits rows on bare
carriage returns as Excel does, and with openpyxl re-reading the XLSX files."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pandas as pd
import pytest

from dashboard.access import audit
from dashboard.app import exports
from dashboard.core import spreadsheet
from dashboard.core.spreadsheet import FORMULA_PREFIXES, neutralise

CALC = "=cmd|' /C calc'!A0"
PAYLOADS = [
    f"鹤岗市甲商贸有限公司\r{CALC}",  # the probe: a bare CR, then a live formula
    "第一行\n+1",
    f"\r{CALC}",
    "说明\r\n-2\r\n@SUM(A1)",
    "\t=1+1",
    'a\r\r=HYPERLINK("http://x")',
    "正常名称",
    "",
]


def test_neutralise_puts_an_apostrophe_before_every_formula_line():
    assert neutralise(CALC) == "'" + CALC
    assert neutralise(f"甲\r{CALC}") == f"甲\r'{CALC}"
    assert neutralise(f"\r{CALC}") == f"'\r'{CALC}"
    assert neutralise("说明\r\n-2\n@x") == "说明\r\n'-2\n'@x"
    assert neutralise("a\r\r=x") == "a\r'\r'=x"
    assert neutralise("正常\n名称") == "正常\n名称"
    assert neutralise(12) == 12 and neutralise(None) is None


def _lines_as_excel_splits_them(text: str) -> list[str]:
    """Physical rows as a reader splitting on CR LF, bare CR and bare LF sees them."""
    return [line for line in re.split(r"\r\n|\r|\n", text) if line]


def _no_formula_cell_anywhere(text: str) -> None:
    for line in _lines_as_excel_splits_them(text):
        for cell in next(csv.reader([line])):
            assert not cell.lstrip('"').startswith(FORMULA_PREFIXES), (line, cell)


def _payload_frame() -> pd.DataFrame:
    return pd.DataFrame({"名称": PAYLOADS, "序号": range(len(PAYLOADS))})


def test_csv_download_quotes_line_breaks_and_round_trips():
    data = exports.csv_bytes(_payload_frame(), {})
    text = data.decode("utf-8-sig")
    # The old spelling wrote a bare CR unquoted: a CR-aware reader made a row of the formula.
    assert f"\r{CALC}" not in text and f"\r'{CALC}" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["名称", "序号"]
    assert [r[0] for r in rows[1:]] == [neutralise(p) for p in PAYLOADS]
    assert len(rows) == len(PAYLOADS) + 1
    _no_formula_cell_anywhere(text)


def test_csv_fields_with_a_bare_cr_or_lf_are_quoted():
    text = spreadsheet.csv_text(pd.DataFrame({"a": ["x\ry", "x\ny", "plain"]}))
    assert text == 'a\r\n"x\ry"\r\n"x\ny"\r\nplain\r\n'


def test_xlsx_download_keeps_every_line_neutralised_as_text():
    data = exports.xlsx_bytes(_payload_frame(), {}, sheet_name="名单")
    sheet = openpyxl.load_workbook(io.BytesIO(data))["名单"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [_as_excel_reads(c.value) for c in cells] == [neutralise(p) for p in PAYLOADS]
    for cell in cells:
        assert cell.data_type in ("s", "n")  # text (or empty), never a formula
        for line in re.split(r"\r\n|\r|\n", _as_excel_reads(cell.value)):
            assert not line.startswith(FORMULA_PREFIXES)


def _as_excel_reads(value: object) -> str:
    """A cell's text as a spreadsheet shows it: XLSX stores a CR as the escape _x000D_."""
    return "" if value is None else str(value).replace("_x000D_", "\r")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_audit_export_neutralises_a_forged_user_name_and_detail(store, fmt):
    audit.record(store.engine, f"甲\r{CALC}", "export", {"file": '=HYPERLINK("http://x")'}, rows=3)
    table = audit.display_frame(audit.search(store.engine))
    data = audit.export_bytes(table, fmt)
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        _no_formula_cell_anywhere(text)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == 2
        assert rows[1][list(table.columns).index("用户")] == f"甲\r'{CALC}"
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data))["审计日志"]
        values = [c for row in sheet.iter_rows(min_row=2) for c in row]
        assert all(c.data_type != "f" for c in values)
        for c in values:
            for line in re.split(r"\r\n|\r|\n", _as_excel_reads(c.value)):
                assert not line.startswith(FORMULA_PREFIXES), c.value
