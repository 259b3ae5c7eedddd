"""The onboarding view in a real browser: a drop whose penalties export carries an unknown header and
lacks required columns is loaded; 数据状态 shows, for that file, the header that was not recognised
(with the field it probably means), the required fields that are missing and that the item was not
loaded — in Chinese. The file fails whole, so the live snapshot the other browser tests read stays
as it was."""

import re

import pytest
from browser_kit import exceptions, grid_rows, open_as, settle, shot

from dashboard.load import loading
from tests.loadkit import write_csv

pytestmark = pytest.mark.browser

MISSING_LABELS = "行政相对人类别、统一社会信用代码、处罚类别、处罚决定日期、处罚机关统一社会信用代码"


def test_data_status_shows_unknown_header_and_missing_columns(page, app_server, screenshots, tmp_path):
    drop = tmp_path / "drop"
    write_csv(
        drop / "penalties.csv",
        ["行政处罚决定书文号", "行政相对人名称", "处罚日期", "处罚机关"],
        [("鹤税罚〔2026〕901号", "鹤岗浏览器测试有限公司", "2026-01-05", "市税务局")],
    )
    outcome = loading.load_drop(app_server.settings, drop, mode="incremental", wait=True)
    assert outcome.status == "failed" and outcome.snapshot_id is None  # nothing published

    open_as(page, app_server.url, "office1", "数据状态")
    page.get_by_text("文件与表头对照", exact=True).wait_for()
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="penalties.csv → 行政处罚：装载失败")
    expander.wait_for()
    text = expander.inner_text()
    assert f"缺少必填列：{MISSING_LABELS}。该数据项未装载。" in text
    assert "未识别的列（原样保留在原始层，不参与计算）：处罚日期。" in text
    assert "“处罚日期”可能是“处罚决定日期”" in text

    rows = grid_rows(page, expander.locator('[data-testid="stDataFrame"]'))
    assert rows[0] == ["第几列", "文件中的表头", "对应字段", "说明"]
    assert rows[3] == ["3", "处罚日期", "", "未识别（原样保留，不参与计算）；可能是“处罚决定日期”"]
    assert [r[2] for r in rows if r[3] == "缺少的必填列"] == MISSING_LABELS.split("、")
    settle(page)
    assert exceptions(page) == []
    # Chinese only in the report: no canonical names of columns or data items (the expander's icon
    # is drawn from its ligature name, which is not text anyone reads)
    shown = re.sub(r"keyboard_arrow_\w+|penalties\.csv", "", text)
    assert not re.search(r"[A-Za-z_]{3,}", shown), shown
    expander.scroll_into_view_if_needed()
    shot(page, "onboarding_data_status")
