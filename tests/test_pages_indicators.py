"""监测指标: the breakdowns and the list shown are the ones worked out by hand on the fixed dataset
(not recomputed with the indicator functions the page calls), a department (picker or bar click)
narrows the list, a row drills to the subject, and a deep link opens exactly its indicator,
department and district."""

from __future__ import annotations

from pathlib import Path

from dashboard.core import privacy
from dashboard.load import loading, sources
from tests.pages_fixture import (
    MONTH,
    PERSON_ID,
    PERSON_NAME,
    S2,
    S4,
    S6,
    app,
    crumbs,
    metric,
    no_errors,
    rows_of,
    select_row,
    table,
    texts,
)

# I14 (A级纳税人占比) lists the surviving enterprises that are not A taxpayers: S2 (B, 向阳区),
# S4 (M, 南山区), S6 (C, 东山区); S1 and S3 are A, S5 is closed.
I14_NOT_A = [S2, S4, S6]


def test_indicator_figures_show_the_datasets_values(pages_env):
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I04c"})
    no_errors(at)
    # five penalties reported, all but the market regulator's 5号 (2026-01-15 → 02-20) on time
    assert metric(at, "实际值（2026年6月）") == "80.0%"
    assert metric(at, "分子 / 分母") == "4 / 5"
    by_dep = table(at, "dep_table_I04c")
    assert list(by_dep.columns) == ["责任单位", "实际值", "目标值", "状态", "分子", "分母"]
    # market 1 of 2 on time (6号 by 简易程序 on time), tax 3 of 3 (the natural person's 3号 included)
    assert rows_of(by_dep) == [["市市场监管局", 0.5, 1.0, "未达标", 1, 2], ["市税务局", 1.0, 1.0, "达标", 3, 3]]
    got = table(at, "detail_I04c")
    assert list(got["文书号"]) == ["鹤市监罚〔2026〕5号"]


def test_department_and_district_narrow_the_list(pages_env):
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I14"})
    assert list(table(at, "detail_I14")["统一社会信用代码"]) == I14_NOT_A
    at.selectbox(key="_param_district").set_value("230402").run()
    no_errors(at)
    assert at.query_params["district"] == "230402"
    assert list(table(at, "detail_I14")["统一社会信用代码"]) == [S2]  # 向阳区: S1 (A) and S2 (B)


def test_department_bar_click_sets_the_department(pages_env):
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I04c"})
    at.session_state["by_dep_I04c_None"] = {
        "selection": {"points": [{"customdata": ["market", "未达标"]}], "point_indices": [0], "box": [], "lasso": []}
    }
    at.run()
    no_errors(at)
    assert at.query_params["department"] == "market"
    assert at.selectbox(key="_param_department").value == "market"
    # the path: 总览 › I04c (links back) › 市市场监管局 (here)
    assert [c[0] for c in crumbs(at)] == ["总览", "I04c"]
    assert "**市市场监管局**" in texts(at)


def test_row_drills_to_subject_with_the_path(pages_env):
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I14", "department": "tax"})
    select_row(at, "detail_I14", 0)
    no_errors(at)
    assert at.query_params == {
        "month": MONTH,
        "subject": I14_NOT_A[0],
        "from": "indicators",
        "indicator": "I14",
        "department": "tax",
    }
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
    from dashboard.rules import checklist

    at = app("office", page="indicators", params={"month": MONTH})
    before = table(at, "work_items")
    # the 11 work items of 001 (一、六、七、九、十一、十三、十六至二十), none started in a fresh store
    assert len(before) == 11 and set(before["进展"]) == {"未开始"}
    select_row(at, "work_items", 0)
    next(s for s in at.selectbox if s.label == "进展").set_value("推进中")
    next(t for t in at.text_area if t.label == "佐证材料").input("已印发实施方案（鹤信办〔2026〕3号）")
    at.button[[b.label for b in at.button].index("保存")].click().run()
    no_errors(at)
    after = checklist.list_work_items(pages_env.engine).iloc[0]
    assert (after["status"], after["evidence"], after["updated_by"]) == (
        "推进中",
        "已印发实施方案（鹤信办〔2026〕3号）",
        "office",
    )
    assert list(table(at, "work_items")["进展"])[0] == "推进中"


def test_leader_cannot_edit_work_items(pages_env):
    at = app("leader", page="indicators", params={"month": MONTH})
    no_errors(at)
    select_row(at, "work_items", 0)
    assert "佐证材料" not in [t.label for t in at.text_area]


def test_i04c_says_how_many_records_carry_no_report_time(pages_env):
    """Issue 10: 上报时间 is optional; I04c counts only the records with one and the page says how
    many reported records had none (the real-export drop, loaded as an increment: 5 of 8 without)."""
    fixture = Path(__file__).parent / "fixtures" / "real_exports"
    config = sources.load_sources(fixture / "sources.toml")["city_exports"]
    assert loading.load_source(pages_env.settings, config, mode="incremental").status == "ok"
    at = app("office", page="indicators", params={"month": "2024-06", "indicator": "I04c"})
    no_errors(at)
    assert metric(at, "分子 / 分母") == "3 / 3"
    assert "另有 5 条已上报记录没有上报时间（上报、入库或归集时间），不计入及时率。" in texts(at)


def test_a_chosen_department_heads_the_page_with_its_own_figure(pages_env):
    """Issue 12: with a department chosen the headline is that department's row of the breakdown
    (I04c: the market regulator reported 1 of 2 on time, the city 4 of 5), the city's beside it;
    an indicator without a department breakdown says its figure is the city's."""
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I04c", "department": "market"})
    no_errors(at)
    assert metric(at, "实际值（市市场监管局，2026年6月）") == "50.0%"
    assert metric(at, "分子 / 分母") == "1 / 2"
    assert metric(at, "状态") == "未达标"
    assert "以上为市市场监管局的数值。全市：80.0%（未达标，分子 / 分母 4 / 5）；下方走势为全市数值。" in texts(at)
    tax = app("office", page="indicators", params={"month": MONTH, "indicator": "I04c", "department": "tax"})
    assert (metric(tax, "实际值（市税务局，2026年6月）"), metric(tax, "状态")) == ("100.0%", "达标")
    # I14 is broken down by district only: the figure stays the city's, and says so
    city = app("office", page="indicators", params={"month": MONTH, "indicator": "I14", "department": "tax"})
    no_errors(city)
    assert metric(city, "实际值（全市，2026年6月）") == "40.0%"
    assert "该指标不按责任单位分解，以上为全市数值，不是市税务局的数值。" in texts(city)
