"""总览 (cockpit): the figures shown equal the query functions' results on the fixed dataset, the
tiles drill to 监测指标, and a deep link opens exactly its month."""
from __future__ import annotations

import datetime as dt

from dashboard import credit_warnings, indicators, page_queries
from dashboard import formatting as fmt
from dashboard.access import Scope
from tests.pages_fixture import AS_OF, MONTH, app, metric, no_errors, pages_env, pages_template, texts  # noqa: F401

OFFICE = Scope.all()


def test_cockpit_tiles_equal_indicators_at(pages_env):
    at = app("office", params={"month": MONTH})
    no_errors(at)
    now = indicators.indicators_at(pages_env.con, AS_OF, OFFICE)
    before = indicators.indicators_at(pages_env.con, dt.date(2026, 5, 31), OFFICE).set_index("indicator_id")
    assert len(now) == 21
    for row in now.itertuples():
        tile = next(m for m in at.metric if m.label == f"{row.indicator_id} {row.name}")
        assert tile.value == fmt.fmt_value(row.value, row.unit)
        change = row.value - before.at[row.indicator_id, "value"]
        assert (tile.delta or None) == fmt.fmt_delta(change, row.unit)
    # hand-checked on the dataset: 2 of 5 surviving enterprises are A taxpayers (I14)
    assert metric(at, "I14 A级纳税人占比") == "40.0%"


def test_cockpit_national_rank_and_weakest(pages_env):
    at = app("office", params={"month": MONTH})
    scores = indicators.city_scores(pages_env.con, OFFICE, end_month=AS_OF, months=24)
    home = scores[scores["is_home_city"]].sort_values("month")
    assert metric(at, "综合信用指数") == f"{home['score'].iloc[-1]:.2f}"
    assert metric(at, "全国排名") == f"第{int(home['rank'].iloc[-1])}名"
    assert metric(at, "省内排名") == f"第{int(home['rank_in_province'].iloc[-1])}名"
    names = page_queries.departments(pages_env.con).set_index("department_code")["short_name"].to_dict()
    before = indicators.indicators_at(pages_env.con, dt.date(2026, 5, 31), OFFICE)
    tiles = page_queries.indicator_tiles(indicators.indicators_at(pages_env.con, AS_OF, OFFICE), before)
    weakest = page_queries.weakest_indicators(tiles, names)
    assert len(weakest) == 3
    shown = texts(at)
    for row in weakest.itertuples():
        assert f"**{row.indicator_id} {row.name}**" in shown
        assert f"责任单位：{row.responsible_names}" in shown


def test_cockpit_warnings_opened_this_month(pages_env):
    at = app("office", params={"month": MONTH})
    found = credit_warnings.warnings_at(pages_env.con, AS_OF, OFFICE)
    opened = sum(1 for m in found["first_seen_month"] if fmt.to_date(m) == AS_OF)
    by_type = page_queries.warnings_opened(found, AS_OF, credit_warnings.WARNING_TYPES)
    assert opened == page_queries.total(by_type, "n_warnings") > 0
    assert metric(at, "本月新增预警") == f"{opened} 条"


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
