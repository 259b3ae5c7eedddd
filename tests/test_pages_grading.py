"""分级分类: the grade distribution and the spot-check plan shown equal grading's results, the same
seed in the link gives the same draw, and a deep link opens exactly its grouping and department."""
from __future__ import annotations

from dashboard import columns, exports, grading
from dashboard.access import Scope
from tests.pages_fixture import (AS_OF, MONTH, S4, app, assert_shows, no_errors, pages_env,  # noqa: F401
                                 pages_template, select_row, table)

OFFICE = Scope.all()


def test_distribution_equals_grade_distribution(pages_env):
    for by, label in (("department", "部门"), ("industry", "行业"), ("district", "区县")):
        at = app("office", page="grading", params={"month": MONTH, "by": by})
        no_errors(at)
        expected = grading.grade_distribution(pages_env.con, AS_OF, OFFICE, by=by)
        spec = columns.pick("group_name", "grade", "n_subjects", group_name=label)
        assert_shows(table(at, f"distribution_{by}"), exports.shown_frame(expected, spec, OFFICE))


def test_spotcheck_plan_and_draw_follow_the_seed(pages_env):
    at = app("office", page="grading", params={"month": MONTH, "department": "market", "seed": "7"})
    no_errors(at)
    plan, drawn = grading.spotcheck_plan(pages_env.con, "market", AS_OF, 7, OFFICE)
    assert list(table(at, "plan_market_7")["抽取数"]) == list(plan["n_drawn"]) == [0, 0, 0, 1, 0]
    assert list(table(at, "drawn_market_7")["统一社会信用代码"]) == list(drawn["uscc"]) == [S4]
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
