"""An Excel download opens with openpyxl and holds exactly the table shown on the page."""

import io

import openpyxl
import pytest
from browser_kit import download_bytes, go_to, grid_rows, table_grid

pytestmark = pytest.mark.browser


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_excel_download_matches_table_shown(office_tab):
    tab = office_tab
    go_to(tab, "数据质量")
    shown = grid_rows(tab, table_grid(tab, "rows_per_entity"))
    name, content = download_bytes(tab, tab.locator(".st-key-rows_per_entity_xlsx button"))
    assert name.startswith("各数据项记录数_") and name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    in_excel = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert (
        in_excel[0]
        == shown[0]
        == ["数据项", "当前记录数", "带质量标记", "已替换版本", "已退役版本", "隔离行数", "最近装载时间"]
    )
    assert in_excel == shown
    assert len(in_excel) == 1 + 16  # one row per entity of the contract
