"""分级分类: the grade distribution and the spot-check plan shown are the ones worked out by hand on
the fixed dataset (not recomputed with grading's functions), the same seed in the link gives the
same draw, and a deep link opens exactly its grouping and department."""

from __future__ import annotations

from tests.pages_fixture import MONTH, S4, app, no_errors, rows_of, select_row, table, texts

# One current grade per subject, from the public evaluation or from its supervising department's own
# evaluation: S1 A (public, 2026-03-01; mining → 市煤管局, 向阳区), S2 C (public; wholesale → 市商务局,
# 向阳区), S4 D (market regulator's evaluation; catering, 南山区). S3's B comes from the tax bureau,
# which does not supervise construction, so it counts only under the tax bureau.
DISTRIBUTION = {
    "department": [["市煤管局", "A", 1], ["市商务局", "C", 1], ["市市场监管局", "D", 1], ["市税务局", "B", 1]],
    "industry": [["采矿业", "A", 1], ["批发和零售业", "C", 1], ["住宿和餐饮业", "D", 1]],
    "district": [["向阳区", "A", 1], ["向阳区", "C", 1], ["南山区", "D", 1]],
}


def test_distribution_shows_the_grades_of_the_dataset(pages_env):
    for by, label in (("department", "责任单位"), ("industry", "行业"), ("district", "区县")):
        at = app("office", page="grading", params={"month": MONTH, "by": by})
        no_errors(at)
        shown = table(at, f"distribution_{by}")
        assert list(shown.columns) == [label, "等级", "主体数"]
        assert rows_of(shown) == DISTRIBUTION[by], by


def test_spotcheck_plan_and_draw_follow_the_seed(pages_env):
    at = app("office", page="grading", params={"month": MONTH, "department": "market", "seed": "7"})
    no_errors(at)
    # the market regulator grades one subject, S4 (D); D is checked at 50%: ceil(0.5 × 1) = 1 drawn
    assert list(table(at, "plan_market_7")["主体数"]) == [0, 0, 0, 1, 0]
    assert list(table(at, "plan_market_7")["抽取数"]) == [0, 0, 0, 1, 0]
    assert list(table(at, "drawn_market_7")["统一社会信用代码"]) == [S4]
    # the ratios are told in Chinese, without the settings key behind them
    assert "各信用等级的抽查比例见下表" in texts(at)
    assert "spotcheck" not in texts(at) and "设置 [" not in texts(at)
    again = app("office", page="grading", params={"month": MONTH, "department": "market", "seed": "7"})
    assert list(table(again, "drawn_market_7")["统一社会信用代码"]) == [S4]


def test_default_seed_is_the_month_and_goes_into_the_link(pages_env):
    at = app("office", page="grading", params={"month": MONTH, "department": "market"})
    no_errors(at)
    assert at.query_params["seed"] == "202606"
    at.number_input(key="_param_seed").set_value(11).run()
    assert at.query_params["seed"] == "11"
    assert table(at, "plan_market_11") is not None


def test_graded_subject_drills_to_profile(pages_env):
    at = app("office", page="grading", params={"month": MONTH, "department": "market"})
    select_row(at, "graded_market_None", 0)
    no_errors(at)
    assert at.query_params == {"month": MONTH, "subject": S4, "from": "grading", "department": "market"}


def test_deep_link_opens_grouping_department_and_district(pages_env):
    params = {"month": MONTH, "by": "industry", "department": "market", "seed": "5", "district": "230403"}
    at = app("office", page="grading", params=params)
    no_errors(at)
    assert at.query_params == params
    assert at.selectbox(key="_param_by").value == "industry"
    # the market regulator grades no subject of 工农区
    assert "graded_market_230403" not in [c.key for c in at.container]
