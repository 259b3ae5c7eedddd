"""The 提醒设置 page in Chromium: the office adds a department's 专人, sees its e-mail channel and the
delivery log of a reminder delivered to a real SMTP server on loopback; the tax bureau's user sees
that reminder under 最近的提醒 on 信用预警."""

import pytest
from browser_kit import CJK, exceptions, go_to, heading_texts, open_as, query_params, settle, shot
from notify_kit import notify_settings

from dashboard.notify import dispatch, events, outbox
from dashboard.store import opstore

pytestmark = pytest.mark.browser


def test_office_sets_up_reminders_and_the_department_sees_them(page, app_server, smtp_server, screenshots):
    engine = opstore.get_engine(app_server.settings)
    outbox.save_channel(engine, "tax", outbox.EMAIL, "税务局专人邮箱", "test", recipients="xy@tax.example")
    settings = notify_settings(app_server.settings, smtp=smtp_server)
    link = events.page_link(settings, events.WARNINGS_PATH, month="2026-06", department="tax", status="overdue")
    reminder = events.Event(
        "R2", "tax", "browser-test", "【超期提醒】市税务局2 条预警超期未处置", f"[查看]({link})", link
    )
    report = dispatch.Report()
    dispatch.queue(engine, settings, [reminder], dispatch.utc_now(), report)
    dispatch.deliver_due(engine, settings, report)
    assert report.sent == 1 and len(smtp_server.inbox.messages) == 1

    open_as(page, app_server.url, "office1", "提醒设置")
    assert heading_texts(page)[0] == "提醒设置"
    box = page.get_by_role("combobox", name="责任单位", exact=True)
    box.click()
    box.fill("市税务局")  # the list of ~30 departments is long: type to filter, as a user would
    page.get_by_role("option", name="市税务局", exact=True).click()
    settle(page)
    assert query_params(page).get("department") == "tax"
    page.get_by_text("新增专人", exact=True).click()
    page.get_by_label("姓名", exact=True).fill("王小明")
    page.get_by_label("联系电话", exact=True).fill("13812345678")
    page.get_by_role("button", name="保存专人").click()
    settle(page)
    assert page.get_by_text("已新增 市税务局 的专人").count() == 1
    assert exceptions(page) == []
    shot(page, "reminders_setup")
    page.get_by_role("tab", name="发送记录").click()
    settle(page)
    assert page.get_by_text("共 1 条发送记录").count() == 1
    path = shot(page, "reminders_log")
    assert path.stat().st_size > 0

    open_as(page, app_server.url, "tax1")
    go_to(page, "信用预警")
    page.get_by_text("最近的提醒").click()
    settle(page)
    assert CJK.search(page.locator('[data-testid="stMain"]').inner_text())
    assert exceptions(page) == []
    shot(page, "warnings_recent_reminders")
