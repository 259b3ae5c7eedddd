"""监测指标: the breakdowns and the list shown equal the query functions' results, a department
(picker or bar click) narrows the list, a row drills to the subject, and a deep link opens exactly
its indicator, department and district."""
from __future__ import annotations

from dashboard import columns, exports, indicators, privacy
from dashboard.access import Scope
from tests.pages_fixture import (AS_OF, MONTH, PERSON_ID, PERSON_NAME, app, assert_shows, crumbs, metric,  # noqa: F401
                                 no_errors, pages_env, pages_template, select_row, table, texts)

OFFICE = Scope.all()


def shown(frame, spec, scope=OFFICE, **kwargs):
    return exports.shown_frame(frame, spec, scope, **kwargs)


def test_indicator_figures_equal_query_functions(pages_env):
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I04c"})
    no_errors(at)
    now = indicators.indicators_at(pages_env.con, AS_OF, OFFICE).set_index("indicator_id").loc["I04c"]
    assert metric(at, "实际值（2026年6月）") == "80.0%" == f"{now['value'] * 100:.1f}%"
    assert metric(at, "分子 / 分母") == f"{int(now['numerator'])} / {int(now['denominator'])}"
    by_dep = indicators.indicator_by_department(pages_env.con, "I04c", AS_OF, OFFICE)
    spec = columns.pick("department_name", "value", "target", "status", "numerator", "denominator",
                        **columns.indicator_values("pct"))
    assert_shows(table(at, "dep_table_I04c"), shown(by_dep, spec))
    assert list(table(at, "dep_table_I04c")["状态"]) == ["未达标", "达标"]  # market 1/2 late, tax 3/3 on time
    detail = indicators.indicator_detail_rows(pages_env.con, "I04c", AS_OF, OFFICE)
    got = table(at, "detail_I04c")
    assert list(got["文书号"]) == list(detail["record_no"]) == ["鹤市监罚〔2026〕5号"]


def test_department_and_district_narrow_the_list(pages_env):
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I14"})
    everyone = indicators.indicator_detail_rows(pages_env.con, "I14", AS_OF, OFFICE)
    assert len(table(at, "detail_I14")) == len(everyone) == 3
    at.selectbox(key="_param_district").set_value("230402").run()
    no_errors(at)
    assert at.query_params["district"] == "230402"
    in_district = indicators.indicator_detail_rows(pages_env.con, "I14", AS_OF, OFFICE, district_code="230402")
    assert list(table(at, "detail_I14")["统一社会信用代码"]) == list(in_district["uscc"])
    assert len(in_district) == 1


def test_department_bar_click_sets_the_department(pages_env):
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I04c"})
    at.session_state["by_dep_I04c_None"] = {"selection": {"points": [{"customdata": ["market", "未达标"]}],
                                                          "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    no_errors(at)
    assert at.query_params["department"] == "market"
    assert at.selectbox(key="_param_department").value == "market"
    # the path: 总览 › I04c (links back) › 市市场监管局 (here)
    assert [c[0] for c in crumbs(at)] == ["总览", "I04c"]
    assert "**市市场监管局**" in texts(at)


def test_row_drills_to_subject_with_the_path(pages_env):
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I14", "department": "tax"})
    detail = indicators.indicator_detail_rows(pages_env.con, "I14", AS_OF, OFFICE, department_code="tax")
    select_row(at, "detail_I14", 0)
    no_errors(at)
    assert at.query_params == {"month": MONTH, "subject": detail["uscc"].iloc[0], "from": "indicators",
                               "indicator": "I14", "department": "tax"}
    assert [c[0] for c in crumbs(at)] == ["总览", "I14", "市税务局"]


def test_natural_persons_masked_unless_granted(pages_env):
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I12"})
    no_errors(at)
    names = list(table(at, "detail_I12")["主体名称"])
    assert privacy.mask_name(PERSON_NAME) in names and PERSON_NAME not in names
    assert PERSON_ID not in table(at, "detail_I12").to_string()
    granted = app("office_pd", page="indicators", params={"month": MONTH, "indicator": "I12"})
    assert PERSON_NAME in list(table(granted, "detail_I12")["主体名称"])


def test_deep_link_opens_indicator_department_and_district(pages_env):
    params = {"month": "2026-05", "indicator": "I12", "department": "tax", "district": "230402"}
    at = app("office", page="indicators", params=params)
    no_errors(at)
    assert at.query_params == params
    assert at.title[0].value == "I12 信用修复率"
    assert at.selectbox(key="_param_department").value == "tax"
    assert at.selectbox(key="_param_district").value == "230402"
    assert at.selectbox(key="_param_month").value == "2026-05"


def test_office_updates_a_work_item(pages_env):
    from dashboard import checklist

    at = app("office", page="indicators", params={"month": MONTH})
    items = checklist.list_work_items(pages_env.engine)
    assert list(table(at, "work_items")["工作事项"]) == list(items["title"])
    select_row(at, "work_items", 0)
    next(s for s in at.selectbox if s.label == "进展").set_value("推进中")
    next(t for t in at.text_area if t.label == "佐证材料").input("已印发实施方案（鹤信办〔2026〕3号）")
    at.button[[b.label for b in at.button].index("保存")].click().run()
    no_errors(at)
    after = checklist.list_work_items(pages_env.engine).iloc[0]
    assert (after["status"], after["evidence"], after["updated_by"]) == ("推进中", "已印发实施方案（鹤信办〔2026〕3号）", "office")
    assert list(table(at, "work_items")["进展"])[0] == "推进中"


def test_leader_cannot_edit_work_items(pages_env):
    at = app("leader", page="indicators", params={"month": MONTH})
    no_errors(at)
    select_row(at, "work_items", 0)
    assert "佐证材料" not in [t.label for t in at.text_area]
