"""A department user signs in and sees only that department's warnings (the access issue)."""

import pytest
from browser_kit import (
    as_of,
    caption_count,
    exceptions,
    go_to,
    grid_rows,
    heading_texts,
    nav_link,
    open_as,
    select_options,
    settle,
    shot,
    sign_in,
    table_grid,
)

from dashboard.core.scope import Scope
from dashboard.rules import credit_warnings

pytestmark = pytest.mark.browser

LIST = "list_None_None_None"


def test_department_user_sees_only_own_warnings(page, app_server, live_warehouse, screenshots):
    open_as(page, app_server.url, "tax1")
    # a department opens no cockpit and no administration
    assert nav_link(page, "总览").count() == 0 and nav_link(page, "系统管理").count() == 0
    go_to(page, "信用预警")
    month = as_of(page)
    assert select_options(page, "责任单位") == ["全部责任单位", "市税务局"]

    expected = credit_warnings.warnings_at(live_warehouse, month, Scope.of("tax"))
    everyone = credit_warnings.warnings_at(live_warehouse, month, Scope.all())
    assert 0 < len(expected) < len(everyone)
    assert caption_count(page, page.locator(f".st-key-table_{LIST}")) == len(expected)
    shown = grid_rows(page, table_grid(page, LIST))
    departments = {row[shown[0].index("责任单位")] for row in shown[1:]}
    assert departments == {"市税务局"}
    assert exceptions(page) == []
    shot(page, "access_department_warnings")


def test_department_user_cannot_open_the_administration_page_by_link(page, app_server):
    page.goto(f"{app_server.url}/admin")
    page.get_by_label("用户名", exact=True).wait_for()
    sign_in(page, "tax1")
    settle(page)
    assert "系统管理" not in heading_texts(page)
    assert nav_link(page, "系统管理").count() == 0
    assert exceptions(page) == []
