"""One drill path clicked through in the browser: a cockpit tile → the indicator → one of its
departments → a subject in the list behind the number → that subject's profile."""

import pytest
from browser_kit import as_of, choose, click_grid_row, exceptions, go_to, query_params, settle, shot, table_grid

from dashboard.core.scope import Scope
from dashboard.rules import indicators, profile

pytestmark = pytest.mark.browser

INDICATOR, INDICATOR_NAME = "I12", "信用修复率"
DEPARTMENT, DEPARTMENT_NAME = "tax", "市税务局"


def test_cockpit_tile_to_indicator_department_subject(office_tab, live_warehouse, screenshots):
    tab = office_tab
    go_to(tab, "总览")
    month = as_of(tab)
    tab.locator(f".st-key-tile_{INDICATOR} button").click()
    settle(tab)
    tab.get_by_role("heading", name=f"{INDICATOR} {INDICATOR_NAME}").wait_for()
    assert query_params(tab)["indicator"] == INDICATOR
    shot(tab, "drill_1_indicator")

    choose(tab, "责任单位", DEPARTMENT_NAME)
    assert query_params(tab)["department"] == DEPARTMENT
    tab.get_by_role("heading", name=f"明细清单（{DEPARTMENT_NAME}）").wait_for()
    shot(tab, "drill_2_department")

    # the first row (of the list's first page) whose subject is in the registry
    detail = indicators.indicator_detail_rows(live_warehouse, INDICATOR, month, Scope.all(), department_code=DEPARTMENT)
    row, uscc, expected_name = None, None, None
    for i, code in enumerate(detail["uscc"].iloc[:50]):
        if isinstance(code, str) and code:
            identity = profile.subject_profile(live_warehouse, code, month, Scope.all())["identity"]
            if not identity.empty:
                row, uscc, expected_name = i, code, identity["name"].iloc[0]
                break
    assert row is not None, "the data has no registered subject behind this indicator for the department"
    click_grid_row(tab, table_grid(tab, f"detail_{INDICATOR}"), row)
    tab.get_by_role("heading", name=expected_name, exact=True).wait_for()
    assert query_params(tab)["subject"] == uscc
    assert exceptions(tab) == []
    shot(tab, "drill_3_subject")
