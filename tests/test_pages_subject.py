"""主体画像: search by name or USCC, the profile's sections shown are the ones worked out by hand on
the fixed dataset (not recomputed with profile's functions), viewing is audited, natural persons are
masked, and a deep link opens exactly one subject."""

from __future__ import annotations

from dashboard.access import audit
from tests.pages_fixture import MONTH, NAMES, S1, S2, app, crumbs, metric, no_errors, select_row, table, texts


def test_search_by_name_and_by_uscc(pages_env):
    at = app("office", page="subject", params={"month": MONTH, "q": "煤炭"})
    no_errors(at)
    assert list(table(at, "search_煤炭")["统一社会信用代码"]) == [S1]  # 鹤岗市兴业煤炭有限公司 only
    at = app("office", page="subject", params={"month": MONTH, "q": S2.lower()})
    assert list(table(at, f"search_{S2.lower()}")["主体名称"]) == [NAMES[S2]]


def test_search_row_opens_profile(pages_env):
    at = app("office", page="subject", params={"month": MONTH, "q": "煤炭"})
    select_row(at, "search_煤炭", 0)
    no_errors(at)
    assert at.query_params == {"month": MONTH, "q": "煤炭", "subject": S1}
    assert at.title[0].value == NAMES[S1]


def test_profile_sections_show_the_subjects_records(pages_env):
    at = app("office", page="subject", params={"month": MONTH, "subject": S1})
    no_errors(at)
    # S1: two tax penalties (2026-03-10, 2026-05-20), both within their one-year publicity; a 一般
    # penalty may be repaired after the 3-month minimum. Warnings: W1 (two penalties in 6 months)
    # and W1b (1号 repairable since 06-10, not repaired). Tax grade A (2025); public evaluation A.
    assert metric(at, "公示中的行政处罚") == "2"
    assert metric(at, "信用预警（2026年6月）") == "2"
    assert list(table(at, "penalties")["决定书文号"]) == ["鹤税罚〔2026〕2号", "鹤税罚〔2026〕1号"]
    assert list(table(at, "penalties")["可申请修复日期"].astype(str)) == ["2026-08-20", "2026-06-10"]
    assert list(table(at, "warnings")["预警类型"]) == ["W1", "W1b"]
    assert list(table(at, "tax_credit")["纳税信用等级"]) == ["A"]
    assert list(table(at, "grades")["等级"]) == ["A"]


def test_profile_view_is_audited_once(pages_env):
    at = app("office", page="subject", params={"month": MONTH, "subject": S1})
    at.run()
    logged = audit.search(pages_env.engine, user="office", action="profile_viewed")
    assert len(logged) == 1 and S1 in logged["detail"].iloc[0]


def test_unknown_subject_says_so(pages_env):
    at = app("office", page="subject", params={"month": MONTH, "subject": "91230400XXXXXXXXXX"})
    no_errors(at)
    assert "登记库中没有统一社会信用代码为 91230400XXXXXXXXXX 的主体。" in texts(at)


def test_deep_link_with_drill_path(pages_env):
    params = {"month": MONTH, "subject": S1, "from": "indicators", "indicator": "I14", "department": "tax"}
    at = app("office", page="subject", params=params)
    no_errors(at)
    assert at.query_params == params
    assert crumbs(at) == [
        ("总览", "", f"month={MONTH}"),
        ("I14", "indicators", f"month={MONTH}&indicator=I14"),
        ("市税务局", "indicators", f"month={MONTH}&indicator=I14&department=tax"),
    ]
    assert f"**{NAMES[S1]}**" in texts(at)
