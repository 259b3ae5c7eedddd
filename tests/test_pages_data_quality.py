"""数据质量: loads, rows, quarantine (with originals, downloadable, formula-neutralised), P7
exclusions, orphans and I03 shown equal quality's results; department users do not see other
departments' quarantined originals; a deep link opens exactly one quarantine group."""
from __future__ import annotations

from dashboard import columns, exports, quality
from dashboard.access import Scope
from tests.pages_fixture import (AS_OF, BAD_USCC, MONTH, app, assert_shows, no_errors, pages_env,  # noqa: F401
                                 pages_template, select_row, table, texts)

OFFICE = Scope.all()


def test_sections_equal_quality_functions(pages_env):
    at = app("office", page="data_quality", params={"month": MONTH})
    no_errors(at)
    rows = quality.rows_per_entity(pages_env.con)
    assert list(table(at, "rows_per_entity")["当前记录数"]) == list(rows["n_current"])
    p7 = quality.p7_excluded_by_department(pages_env.con, AS_OF, OFFICE)
    spec = columns.pick("department_name", "n_penalties", "n_simple_procedure", "n_minor_first_offence",
                        "n_excluded", "n_revoked", "excluded_share")
    assert_shows(table(at, "p7"), exports.shown_frame(p7, spec, OFFICE))
    problems = quality.uscc_problems(pages_env.con)
    assert list(table(at, "uscc_problems")["统一社会信用代码"]) == list(problems["uscc"]) == [BAD_USCC]
    summary = quality.quarantine_summary(pages_env.con)
    assert list(table(at, "quarantine_summary")["行数"]) == list(summary["n_rows"]) == [1]


def test_quarantine_group_shows_originals(pages_env):
    at = app("office", page="data_quality", params={"month": MONTH})
    select_row(at, "quarantine_summary", 0)
    no_errors(at)
    assert at.query_params == {"month": MONTH, "entity": "penalties", "reason": "bad_date"}
    shown = table(at, "quarantine_penalties_bad_date")
    assert list(shown["处罚决定日期"]) == ["2026-13-45"]
    # the original decision number starts with '=': shown as is, neutralised in the download
    assert list(shown["行政处罚决定书文号"]) == ["=鹤税罚〔2026〕9号"]
    assert exports.neutralised(shown)["行政处罚决定书文号"].iloc[0] == "'=鹤税罚〔2026〕9号"


def test_department_user_does_not_see_quarantined_originals(pages_env):
    at = app("tax_user", page="data_quality", params={"month": MONTH, "entity": "penalties", "reason": "bad_date"})
    no_errors(at)
    assert "隔离行可能包含其他部门的原始记录，仅市信用办可查看和下载。" in texts(at)
    assert "quarantine_penalties_bad_date" not in [c.key for c in at.container]


def test_i03_row_drills_to_subject(pages_env):
    at = app("office", page="data_quality", params={"month": MONTH})
    select_row(at, "uscc_problems", 0)
    no_errors(at)
    assert at.query_params == {"month": MONTH, "subject": BAD_USCC, "from": "data_quality"}


def test_deep_link_opens_quarantine_group(pages_env):
    params = {"month": MONTH, "entity": "penalties", "reason": "bad_date"}
    at = app("office", page="data_quality", params=params)
    no_errors(at)
    assert at.query_params == params
    assert len(table(at, "quarantine_penalties_bad_date")) == 1
