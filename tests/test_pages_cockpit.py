"""总览 (cockpit): the figures shown are the ones worked out by hand on the fixed dataset (not
recomputed with the functions the page calls), the tiles drill to 监测指标, and a deep link opens
exactly its month."""

from __future__ import annotations

from tests.pages_fixture import MONTH, app, metric, no_errors, texts

# Every tile at June 2026: label → (value, change from May 2026), worked out on the dataset of
# tests/pages_fixture.py. Five enterprises survive (S1–S4, S6: S5 is closed, the 错码 record fails
# P3); five penalties reported (four of enterprises, one of a natural person) against four declared
# in the 双公示 ledger; only the market regulator's 5号 was reported late (2026-01-15 → 02-20).
TILES = {
    "I02a 纳税信息归集覆盖率": ("100.0%", "持平"),  # tax collection covers 5 of 5 every month
    "I02b 水费信息归集覆盖率": ("0.0%", "持平"),  # no water, electricity collections: 0 of 5
    "I02c 电费信息归集覆盖率": ("0.0%", "持平"),
    "I02d 燃气费信息推送缺月数": ("12个月", "持平"),  # nothing pushed in the last 12 months
    "I02e 不动产信息推送缺月数": ("12个月", "持平"),
    "I02f 科技研发信息推送缺月数": ("12个月", "持平"),
    "I03 统一社会信用代码重错码率": ("12.5%", "持平"),  # 1 错码 of 8 registry records
    "I04a 双公示上报率": ("125.0%", "持平"),  # 5 reported / 4 declared
    "I04b 双公示合规率": ("100.0%", "持平"),  # 5 of 5 complete
    "I04c 双公示及时率": ("80.0%", "持平"),  # 4 of 5 on time
    "I05 双公示异议按时处理率": ("50.0%", "-50.0个百分点"),  # YY-1 on time; YY-2 (June) late; May: 1 of 1
    "I08a 信用承诺签署数": ("1", "持平"),  # CN-1
    "I08b 信用承诺履约率": ("100.0%", None),  # CN-1 fulfilled, due 06-01: no May value
    "I10a 分级分类监管部门覆盖率": ("9.1%", "持平"),  # 2 grading departments of 22
    "I10b 存续企业分级覆盖率": ("80.0%", "持平"),  # S1–S4 evaluated, S6 not: 4 of 5
    "I12 信用修复率": ("0.0%", "持平"),  # 0 of 3 eligible penalties repaired
    "I14 A级纳税人占比": ("40.0%", "持平"),  # S1 and S3 are A: 2 of 5
    "I15a 严重失信主体企业占比": ("20.0%", "持平"),  # S6 listed: 1 of 5
    "I15b 近12个月新增严重失信主体比例": ("20.0%", "持平"),  # listed 2026-02-01: 1 of 5
    "I15c 近12个月严重失信主体退出比例": ("0.0%", "持平"),  # none removed: 0 of 1
    "I19 政府机构失信数": ("1", "持平"),  # the town government, dishonest debtor
}
# Furthest from target (red, then shortfall in tolerances; zero tolerance: gap × 1000): I19 (1 → 1000),
# I15a and I15b (0.2 → 200); I03 (125) comes next. With their responsible departments.
WEAKEST = [
    ("I19 政府机构失信数", "中级法院、市工信局"),
    ("I15a 严重失信主体企业占比", "中级法院、市市场监管局、市税务局、市交通运输局、市文体广旅局"),
    ("I15b 近12个月新增严重失信主体比例", "中级法院、市市场监管局、市税务局、市交通运输局、市文体广旅局"),
]


def test_cockpit_tiles_show_the_indicators_of_the_month(pages_env):
    at = app("office", params={"month": MONTH})
    no_errors(at)
    tiles = {m.label: (m.value, m.delta or None) for m in at.metric if m.label[:1] == "I"}
    assert tiles == TILES
    # hand-checked on the dataset: 2 of 5 surviving enterprises are A taxpayers (I14)
    assert metric(at, "I14 A级纳税人占比") == "40.0%"


def test_cockpit_national_rank_and_weakest(pages_env):
    at = app("office", params={"month": MONTH})
    # city_scores of 鹤岗市, June (m = 6): score 80.0 + 0.6, rank 120 − 6, third in the province
    assert metric(at, "综合信用指数") == "80.60"
    assert metric(at, "全国排名") == "第114名"
    assert metric(at, "省内排名") == "第3名"
    shown = texts(at)
    for label, departments in WEAKEST:
        assert f"**{label}**" in shown
        assert f"责任单位：{departments}" in shown
    assert "**I03 统一社会信用代码重错码率**" not in shown


def test_cockpit_warnings_opened_this_month(pages_env):
    at = app("office", params={"month": MONTH})
    # first seen in June 2026: W1b of S1 (repair possible from 06-10), W2 of S4 (licence expiring
    # 07-15, abnormal operations), W5 of S4's overdue loan (market regulator and 银保监局)
    assert metric(at, "本月新增预警") == "4 条"


def test_tile_drills_to_indicator_page(pages_env):
    at = app("office", params={"month": MONTH})
    at.button(key="tile_I14").click().run()
    no_errors(at)
    assert at.query_params == {"month": MONTH, "indicator": "I14"}
    assert at.title[0].value == "I14 A级纳税人占比"


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
