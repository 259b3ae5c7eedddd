"""A department's follow-up step, recorded on the warnings page, is still there after a reload
(the operational store, not the browser session, keeps it)."""

import uuid

import pytest
from browser_kit import (
    as_of,
    caption_count,
    choose,
    click_grid_row,
    exceptions,
    go_to,
    grid_rows,
    metric_value,
    open_as,
    query_params,
    set_date,
    settle,
    shot,
    table_grid,
)

pytestmark = pytest.mark.browser

LIST = "list_None_None_None"  # the unfiltered warning list (ui.table key: list_<department>_<type>_<state>)


def test_followup_step_survives_reload(page, app_server, screenshots):
    open_as(page, app_server.url, "office1", "信用预警")
    acted_before = int(metric_value(page, "已处置").replace(",", ""))

    click_grid_row(page, table_grid(page, LIST), 0)
    warning_id = query_params(page)["warning"]
    form = page.locator('[data-testid="stForm"]').filter(has=page.get_by_text("记录处置环节"))
    form.wait_for()
    note = f"浏览器测试约谈 {uuid.uuid4().hex[:8]}"
    choose(page, "处置环节", "提示约谈", container=form)
    # dated within the month shown, so that the month's figures count it as acted on
    month = as_of(page)
    set_date(page, "处置日期", month, container=form)
    form.get_by_label("处置说明").fill(note)
    form.get_by_role("button", name="保存").click()
    settle(page)
    page.get_by_text("已记录：提示约谈").wait_for()
    assert exceptions(page) == []
    shot(page, "followup_recorded")

    page.reload()  # still signed in after the reload (README "Sessions")
    page.get_by_role("button", name="退出登录").wait_for()
    settle(page)
    go_to(page, "信用预警")
    assert int(metric_value(page, "已处置").replace(",", "")) == acted_before + 1

    choose(page, "处置状态", "已处置")
    acted = table_grid(page, "list_None_None_acted")
    assert caption_count(page, page.locator(".st-key-table_list_None_None_acted")) == acted_before + 1
    shown = grid_rows(page, acted)
    header, body = shown[0], shown[1:]
    row = next(
        i
        for i, r in enumerate(body)
        if r[header.index("处置状态")] == "已处置" and r[header.index("最近处置环节")] == "提示约谈"
    )
    click_grid_row(page, acted, row)
    assert query_params(page)["warning"] == warning_id
    steps = grid_rows(page, table_grid(page, f"steps_{warning_id}"))
    assert [steps[0].index("处置环节"), steps[0].index("处置说明")]  # the columns are there
    assert any(r[steps[0].index("处置环节")] == "提示约谈" and r[steps[0].index("处置说明")] == note for r in steps[1:])
    shot(page, "followup_after_reload")
