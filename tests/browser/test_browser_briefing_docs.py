"""月度通报 in a real browser: the office writes the 下一步工作 paragraph, generates the month's 通报
and deck on the live snapshot, and downloads the Word document, which carries the paragraph; the
page is screenshotted (tests/artifacts/screenshots/briefing_generated.png)."""

import io

import pytest
from browser_kit import download_bytes, exceptions, go_to, open_as, settle, shot
from docx import Document

pytestmark = pytest.mark.browser

NEXT_STEPS = "浏览器测试：各责任单位本月25日前完成超期预警处置。"


def test_office_writes_generates_and_downloads_the_briefing(page, app_server, screenshots):
    open_as(page, app_server.url, "office1")
    go_to(page, "月度通报")
    page.get_by_label("下一步工作", exact=True).fill(NEXT_STEPS)
    page.get_by_role("button", name="保存文字").click()
    settle(page)
    page.get_by_text("已保存。").wait_for()
    page.get_by_role("button", name="通报与幻灯片").click()
    settle(page, timeout_ms=180_000)
    page.get_by_text("已生成 3 个文件").wait_for()
    assert exceptions(page) == []
    shot(page, "briefing_generated")
    line = (
        page.locator('[data-testid="stHorizontalBlock"], [data-testid="stLayoutWrapper"]')
        .filter(has_text="通报（Word）")
        .first
    )
    name, data = download_bytes(page, line.get_by_role("button", name="下载"))
    assert name.endswith("城市信用监测通报.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert NEXT_STEPS in text and "一、总体情况" in text
