"""总览 (cockpit): the summary strip and the order of the indicators are the ones worked out by hand
on the fixed dataset (not recomputed with the functions the page calls), the tiles drill to 监测指标,
a warning-type bar to 信用预警, and a deep link opens exactly its month. Leadership sees the same
aggregates, and nothing of a list."""

from __future__ import annotations

from dashboard.app import ui
from dashboard.core.scope import AGGREGATES_ONLY
from tests.pages_fixture import MONTH, NAMES, PERSON_NAME, app, metric, no_errors, texts

# Every indicator at June 2026 on the dataset of tests/pages_fixture.py, worst first: by status
# (未达标, 临界, 达标), then by the distance from target in units of the amber tolerance
# (page_queries.distance_from_target; no tolerance: gap × 1000), ties in catalogue order.
#   red   I19 政府机构失信数 1, ≤ 0, tolerance 0: 1 × 1000 = 1000 (the town government)
#         I15a, I15b 20.0%, ≤ 0, tolerance 0.1 pt: 0.2 / 0.001 = 200 (S6 listed 2026-02-01, of 5)
#         I03 12.5%, ≤ 0: 0.125 / 0.001 = 125 (1 错码 of 8 registry records)
#         I02b, I02c, I12 0.0%, ≥ 100%, tolerance 5 pt: 1 / 0.05 = 20
#         I02d, I02e, I02f 12个月, ≤ 0, tolerance 1: 12
#         I05 50.0% (−50 pt from May), ≥ 100%: 0.5 / 0.05 = 10; I15c 0.0%, tolerance 10 pt: 10
#         I10a 9.1% (2 of 22), tolerance 10 pt: 0.909 / 0.1 = 9.09
#         I04c 80.0%, tolerance 5 pt: 4; I10b 80.0%, tolerance 10 pt: 2
#   green I02a, I04b, I08a, I08b exactly on target: 0; I04a 125.0%: −5; I14 40.0% (≥ 15%, 2 pt): −12.5
WORST = ["I19", "I15a", "I15b"]
REST = [
    *("I03", "I02b", "I02c", "I12", "I02d", "I02e", "I02f", "I05", "I15c", "I10a", "I04c", "I10b"),
    *("I02a", "I04b", "I08a", "I08b", "I04a", "I14"),
]
# The three worst with their responsible departments, target and gap.
WORST_CARDS = [
    ("I19 政府机构失信数", "1", "目标 ≤ 0　·　距目标差 1", "中级法院、市工信局"),
    (
        "I15a 严重失信主体企业占比",
        "20.0%",
        "目标 ≤ 0.0%　·　距目标差 20.0个百分点",
        "中级法院、市市场监管局、市税务局、市交通运输局、市文体广旅局",
    ),
    (
        "I15b 近12个月新增严重失信主体比例",
        "20.0%",
        "目标 ≤ 0.0%　·　距目标差 20.0个百分点",
        "中级法院、市市场监管局、市税务局、市交通运输局、市文体广旅局",
    ),
]
# Summary strip: label → (value, change from May 2026).
# city_scores of 鹤岗市: rank 120 − m, third in the province every month, score 80.0 + 0.1 m.
# Statuses in May: 14 red, 6 green, I08b without a value (CN-1 falls due 06-01); June: I05 turns red
# (YY-2 answered late), I08b green. Warnings: the nine of tests/test_pages_warnings.py, none acted
# on, every one past its 5-working-day deadline on 06-30.
STRIP = {
    "全国排名": ("第114名", "上升1位"),
    "省内排名": ("第3名", "持平"),
    "综合信用指数": ("80.60", "+0.1"),
    "未达标指标": ("15项", "+1"),
    "临界指标": ("0项", "持平"),
    "达标指标": ("6项", "持平"),
    "预警中": ("9条", None),
    "超期未处置": ("9条", None),
}


def keys(at, prefix: str) -> list[str]:
    return [b.key[len(prefix) :] for b in at.button if b.key and b.key.startswith(prefix)]


def test_summary_strip_shows_rank_statuses_and_warnings(pages_env):
    at = app("office", params={"month": MONTH})
    no_errors(at)
    strip = {m.label: (m.value, m.delta or None) for m in at.metric if m.label in STRIP}
    assert strip == STRIP
    rank = next(m for m in at.metric if m.label == "全国排名")
    assert rank.proto.delta_description == "较上月"


def test_indicators_are_ordered_worst_first(pages_env):
    at = app("office", params={"month": MONTH})
    no_errors(at)
    assert keys(at, "weak_") == WORST
    assert keys(at, "tile_") == REST
    shown = texts(at)
    for label, value, target, departments in WORST_CARDS:
        # the card heads with the status word in its colour, then the indicator
        assert metric(at, f":red[**未达标**]　**{label}**") == value
        assert target in shown and f"责任单位：{departments}" in shown
    assert [m.value for m in at.metric if m.label == "I05 双公示异议按时处理率"] == []  # a small tile, not a card


def test_every_tile_shows_status_value_unit_and_target(pages_env):
    at = app("office", params={"month": MONTH})
    shown = texts(at)
    tiles = [b.label for b in at.button if b.key and b.key.startswith("tile_")]
    assert tiles[:2] == ["I03 统一社会信用代码重错码率", "I02b 水费信息归集覆盖率"]
    assert ":red[**未达标**]　**12.5%**" in shown  # I03
    assert "目标 ≤ 0.0%  \n较上月 持平" in shown
    assert ":red[**未达标**]　**12个月**" in shown  # I02d–f: months carry their unit
    assert "目标 ≤ 0个月  \n较上月 持平" in shown
    assert ":red[**未达标**]　**50.0%**" in shown and "目标 ≥ 100.0%  \n较上月 -50.0个百分点" in shown  # I05
    assert ":green[**达标**]　**40.0%**" in shown and "目标 ≥ 15.0%  \n较上月 持平" in shown  # I14
    assert "目标 ≥ 100.0%  \n较上月 —" in shown  # I08b had no May value


def test_warnings_opened_this_month(pages_env):
    at = app("office", params={"month": MONTH})
    # first seen in June 2026: W1b of S1 (repair possible from 06-10), W2 of S4 (licence expiring
    # 07-15, abnormal operations), W5 of S4's overdue loan (market regulator and 银保监局)
    assert "本月新增预警 4 条" in [s.value for s in at.subheader]


def test_a_warning_type_bar_drills_to_the_warnings_of_that_type(pages_env):
    at = app("office", params={"month": MONTH})
    at.session_state[f"opened_{MONTH}"] = {
        "selection": {"points": [{"customdata": "W2"}], "point_indices": [0], "box": [], "lasso": []}
    }
    at.run()
    no_errors(at)
    assert at.session_state[ui.CONTEXT_KEY].page.key == "warnings"
    assert at.query_params["type"] == "W2" and at.query_params["month"] == MONTH


def test_tile_drills_to_indicator_page(pages_env):
    at = app("office", params={"month": MONTH})
    at.button(key="tile_I14").click().run()
    no_errors(at)
    assert at.query_params == {"month": MONTH, "indicator": "I14"}
    assert at.title[0].value == "I14 A级纳税人占比"


def test_worst_card_drills_to_indicator_page(pages_env):
    at = app("leader", params={"month": MONTH})
    at.button(key="weak_I19").click().run()
    no_errors(at)
    assert at.query_params == {"month": MONTH, "indicator": "I19"}


def test_leader_sees_the_same_aggregates_and_no_list(pages_env):
    at = app("leader", params={"month": MONTH})
    no_errors(at)
    assert {m.label: (m.value, m.delta or None) for m in at.metric if m.label in STRIP} == STRIP
    assert keys(at, "weak_") == WORST and keys(at, "tile_") == REST
    shown = texts(at)
    assert AGGREGATES_ONLY in shown  # where the office may click a warning type
    assert not any(name in shown for name in [*NAMES.values(), PERSON_NAME])
    # a selection on the bar chart does nothing for leadership (信用预警 is not theirs)
    at.session_state[f"opened_{MONTH}"] = {"selection": {"points": [{"customdata": "W2"}]}}
    at.run()
    assert at.session_state[ui.CONTEXT_KEY].page.key == "cockpit"


def test_deep_link_keeps_its_month(pages_env):
    at = app("office", page="cockpit", params={"month": "2026-03"})
    no_errors(at)
    assert at.title[0].value == "城市信用监测总览 · 2026年3月"
    assert at.query_params["month"] == "2026-03"
    at.selectbox(key="_param_month").set_value("2026-05").run()
    assert at.query_params["month"] == "2026-05"
    assert at.title[0].value == "城市信用监测总览 · 2026年5月"


def test_default_month_is_latest_complete_month(pages_env):
    # the newest record is a licence of 2026-07-02: July is not complete, June is
    at = app("office")
    no_errors(at)
    assert at.query_params["month"] == MONTH
