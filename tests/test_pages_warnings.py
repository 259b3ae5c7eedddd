"""信用预警: counts and lists shown equal credit_warnings/followup results, a follow-up step recorded
on the page lands in the operational store (and the audit log), W1b offers the repair notice, a
department user sees only its own warnings, and a deep link opens exactly one warning."""
from __future__ import annotations

import datetime as dt

from dashboard import audit, columns, credit_warnings, exports, followup, page_queries
from dashboard.access import Scope
from tests.pages_fixture import (AS_OF, MONTH, S1, app, assert_shows, crumbs, metric, no_errors,  # noqa: F401
                                 pages_env, pages_template, select_row, table, texts)

OFFICE = Scope.all()


def _w1b_id(con) -> str:
    found = credit_warnings.warnings_at(con, AS_OF, OFFICE, types=["W1b"], department_code="tax")
    return found["warning_id"].iloc[0]


def test_counts_and_list_equal_query_functions(pages_env):
    at = app("office", page="warnings", params={"month": MONTH})
    no_errors(at)
    counts = credit_warnings.warning_counts(pages_env.con, pages_env.engine, AS_OF, OFFICE)
    assert metric(at, "预警中") == str(int(counts["n_open"].sum()))
    assert metric(at, "超期未处置") == str(int(counts["n_overdue"].sum()))
    spec = columns.pick("department_name", "type_name", "n_open", "n_acted", "n_overdue", "n_resolved",
                        "median_working_days_to_first_action")
    expected = counts.assign(type_name=counts["warning_type"].map(credit_warnings.WARNING_TYPES))
    assert_shows(table(at, "counts_None_None"), exports.shown_frame(expected, spec, OFFICE))
    listed = credit_warnings.warnings_at(pages_env.con, AS_OF, OFFICE)
    assert sorted(table(at, "list_None_None_None")["预警原因"]) == sorted(listed["reason"])


def test_department_and_type_filter_the_list(pages_env):
    at = app("office", page="warnings", params={"month": MONTH, "department": "tax", "type": "W1"})
    no_errors(at)
    expected = credit_warnings.warnings_at(pages_env.con, AS_OF, OFFICE, types=["W1"], department_code="tax")
    got = table(at, "list_tax_W1_None")
    assert list(got["统一社会信用代码"]) == list(expected["uscc"]) == [S1]
    assert list(got["预警原因"]) == ["近6个月受到2次行政处罚（公示期内）"]
    assert [c[0] for c in crumbs(at)] == ["总览", "信用预警", "市税务局"]


def test_recording_a_step_stores_it_and_counts_it(pages_env):
    warning_id = _w1b_id(pages_env.con)
    at = app("office", page="warnings", params={"month": MONTH, "warning": warning_id})
    no_errors(at)
    assert "下载信用修复告知书" in [b.label for b in at.download_button]
    form_select = next(s for s in at.selectbox if s.label == "处置环节")
    form_select.set_value("提示约谈")
    at.date_input[0].set_value(dt.date(2026, 6, 28))
    at.text_area[0].input("已电话提示企业申请信用修复")
    at.button[[b.label for b in at.button].index("保存")].click().run()
    no_errors(at)
    steps = followup.steps_for(pages_env.engine, [warning_id])
    assert list(steps[["step", "action_date", "note", "user_name", "department_code"]].itertuples(index=False, name=None)) \
        == [("提示约谈", dt.date(2026, 6, 28), "已电话提示企业申请信用修复", "office", "tax")]
    assert "已记录：提示约谈（2026年6月28日）" in texts(at)
    logged = audit.search(pages_env.engine, user="office", action="followup_recorded")
    assert len(logged) == 1 and warning_id in logged["detail"].iloc[0]
    # the page's counts follow the store: the W1b warning of tax is now acted on
    tax = table(at, "counts_None_None")
    after = credit_warnings.warning_counts(pages_env.con, pages_env.engine, AS_OF, OFFICE)
    assert int(after[(after["department_code"] == "tax") & (after["warning_type"] == "W1b")]["n_acted"].iloc[0]) == 1
    assert list(tax["已处置"]) == list(after["n_acted"])
    shown_steps = table(at, f"steps_{warning_id}")
    assert list(shown_steps["处置环节"]) == ["提示约谈"]


def test_row_opens_the_warning_and_its_subject(pages_env):
    at = app("office", page="warnings", params={"month": MONTH, "department": "tax", "type": "W1"})
    select_row(at, "list_tax_W1_None", 0)
    no_errors(at)
    expected = credit_warnings.warnings_at(pages_env.con, AS_OF, OFFICE, types=["W1"], department_code="tax")
    assert at.query_params["warning"] == expected["warning_id"].iloc[0]
    at.button(key="to_subject").click().run()
    no_errors(at)
    assert at.query_params == {"month": MONTH, "subject": S1, "from": "warnings", "department": "tax", "type": "W1"}
    assert [c[0] for c in crumbs(at)] == ["总览", "信用预警", "市税务局", "W1"]


def test_department_user_sees_only_its_warnings(pages_env):
    at = app("tax_user", page="warnings", params={"month": MONTH})
    no_errors(at)
    own = credit_warnings.warnings_at(pages_env.con, AS_OF, Scope.of("tax"))
    got = table(at, "list_None_None_None")
    assert set(got["责任单位"]) == {"市税务局"}
    assert sorted(got["预警原因"]) == sorted(own["reason"])
    # a link naming another department shows nothing of it
    other = app("tax_user", page="warnings", params={"month": MONTH, "department": "market"})
    assert "市市场监管局" not in set(table(other, "list_None_None_None")["责任单位"])


def test_state_filter_lists_overdue_only(pages_env):
    at = app("office", page="warnings", params={"month": MONTH, "status": "overdue"})
    no_errors(at)
    status = followup.warning_status(pages_env.con, pages_env.engine, AS_OF, OFFICE)
    expected = page_queries.warning_list_of(status, credit_warnings.WARNING_TYPES, state="overdue")
    assert len(expected) == len(page_queries.warning_list(pages_env.con, pages_env.engine, AS_OF, OFFICE,
                                                          state="overdue"))
    assert len(table(at, "list_None_None_overdue")) == len(expected) > 0
    assert set(table(at, "list_None_None_overdue")["超期未处置"]) == {"是"}


def test_deep_link_opens_one_warning(pages_env):
    warning_id = _w1b_id(pages_env.con)
    params = {"month": MONTH, "department": "tax", "type": "W1b", "warning": warning_id}
    at = app("office", page="warnings", params=params)
    no_errors(at)
    assert at.query_params == params
    assert "应修复未修复：鹤岗市兴业煤炭有限公司" in texts(at)
