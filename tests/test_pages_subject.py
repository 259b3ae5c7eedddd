"""主体画像: search by name or USCC, the profile's sections shown are the ones worked out by hand on
the fixed dataset (not recomputed with profile's functions), viewing is audited, natural persons are
masked, and a deep link opens exactly one subject."""

from __future__ import annotations

from dashboard.access import audit
from tests.pages_fixture import MONTH, NAMES, S1, S2, S5, app, crumbs, metric, no_errors, select_row, table, texts


def test_a_single_match_opens_the_profile_at_once(pages_env):
    at = app("office", page="subject", params={"month": MONTH, "q": "煤炭"})
    no_errors(at)
    assert at.query_params["subject"] == S1  # 鹤岗市兴业煤炭有限公司 only
    assert at.title[0].value == NAMES[S1]
    assert list(table(at, "search_煤炭")["统一社会信用代码"]) == [S1]
    at = app("office", page="subject", params={"month": MONTH, "q": S2.lower()})
    assert at.title[0].value == NAMES[S2]


def test_search_forgives_spaces_and_lists_surviving_subjects_first(pages_env):
    at = app("office", page="subject", params={"month": MONTH, "q": "有限公司　鹤岗市"})
    no_errors(at)
    found = table(at, "search_有限公司　鹤岗市")
    assert "subject" not in at.query_params  # several matches: the office chooses
    assert len(found) == 7 and "共 7 个匹配主体" in texts(at)
    # 鹤岗市兴安运输有限公司 was deregistered (注销): listed after every surviving subject
    assert list(found["主体名称"])[-1] == NAMES[S5] and list(found["登记状态"])[-1] == "注销"
    assert set(found["匹配方式"]) == {"名称"}


def test_search_row_opens_profile(pages_env):
    at = app("office", page="subject", params={"month": MONTH, "q": "鹤岗市 有限公司"})
    first = table(at, "search_鹤岗市 有限公司")["统一社会信用代码"].iloc[0]
    select_row(at, "search_鹤岗市 有限公司", 0)
    no_errors(at)
    assert at.query_params == {"month": MONTH, "q": "鹤岗市 有限公司", "subject": first}
    assert at.title[0].value == NAMES[first]


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
    assert list(table(at, "warnings")["预警类型"]) == ["多次行政处罚预警", "应修复未修复"]  # W1, W1b in words
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
        ("总览", "cockpit", f"month={MONTH}"),  # every page has its own path (ui.PageSpec.url_path)
        ("I14", "indicators", f"month={MONTH}&indicator=I14"),
        ("市税务局", "indicators", f"month={MONTH}&indicator=I14&department=tax"),
    ]
    assert f"**{NAMES[S1]}**" in texts(at)
