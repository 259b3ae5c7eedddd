"""Graceful under load, on a page: a query of 监测指标 that runs past the statement time limit
(settings query.statement_seconds) ends the page's run with the Chinese message, not a traceback;
what the page drew before stays, the stop is logged, and the session goes on — the next run asks
again and, within the limit, shows the whole page. A warm-up step past the limit is skipped, the
others are warmed."""

from __future__ import annotations

import dataclasses
import logging

from dashboard.app import ui
from dashboard.core import settings as settings_module
from dashboard.core.dates import default_month
from dashboard.core.settings import Query
from dashboard.rules import indicators
from dashboard.store import db
from tests.pages_fixture import MONTH, app, metric, no_errors, texts

RUNAWAY = "SELECT count(*) AS n FROM range(1000000000) a(i), range(1000000000) b(j) WHERE a.i + b.j = -1"
LIMIT = 1.0  # seconds: every other query of the page takes milliseconds on the fixed dataset


SERIES = indicators.indicator_series
RUNS_AWAY: dict[str, str | None] = {"indicator": None}  # None: none


def runaway_series(con, indicator_id, *args, **kwargs):
    """indicator_series, but a statement that never finishes (on the page's own cursor) for the
    indicator RUNS_AWAY names; one function, so runs before and after read the same cache entry."""
    if indicator_id == RUNS_AWAY["indicator"]:
        return db.run_sql(con, RUNAWAY)
    return SERIES(con, indicator_id, *args, **kwargs)


def _limit(monkeypatch, seconds: float) -> None:
    loaded = settings_module.get_settings()
    monkeypatch.setattr(settings_module, "_cached", dataclasses.replace(loaded, query=Query(statement_seconds=seconds)))


def test_a_query_past_the_limit_shows_the_message_and_the_page_stays_alive(pages_env, monkeypatch, caplog):
    _limit(monkeypatch, LIMIT)
    monkeypatch.setitem(RUNS_AWAY, "indicator", "I14")
    monkeypatch.setattr(indicators, "indicator_series", runaway_series)  # the trend: after the figures
    caplog.set_level(logging.WARNING, logger="dashboard.app.ui")
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I14"})

    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        "查询超过 1 秒仍未完成，已停止。请缩小统计范围或稍后重试；如反复出现请联系信用办管理员。"
    ]
    # what the page drew before the trend stays: its title and the figures of the month
    assert at.title[0].value == "I14 A级纳税人占比"
    assert metric(at, "目标") == "≥ 15.0%"
    assert "按责任单位" not in texts(at)  # drawn after the trend: not reached in this run
    assert "数据截至" in "\n".join(m.value for m in at.sidebar.markdown)  # the frame
    stops = [r.getMessage() for r in caplog.records if "statement time limit" in r.getMessage()]
    assert stops == ["statement time limit of 1 s reached on page indicators (query -, viewer office)"]

    # the session goes on: a failed result is not cached, the next run computes it within the limit
    RUNS_AWAY["indicator"] = None
    at.run()
    no_errors(at)
    assert "按责任单位" in texts(at)


def test_a_warm_up_step_past_the_limit_is_skipped_and_the_others_are_warmed(pages_env, monkeypatch, caplog):
    _limit(monkeypatch, LIMIT)
    monkeypatch.setitem(RUNS_AWAY, "indicator", "I14")
    monkeypatch.setattr(indicators, "indicator_series", runaway_series)  # the trend of I14's tile runs away
    settings = settings_module.get_settings()
    monkeypatch.setattr(
        settings_module,
        "_cached",
        dataclasses.replace(settings, warm=dataclasses.replace(settings.warm, department_homes=0)),
    )
    caplog.set_level(logging.WARNING, logger="dashboard.app.ui")
    snapshot_id = pages_env.snapshot.snapshot_id
    _, _, horizon = ui._reference(snapshot_id)
    ui.warm_views(snapshot_id, default_month(pages_env.snapshot.built_at, horizon))

    stops = [r.getMessage() for r in caplog.records if "warming step" in r.getMessage()]
    # the drill of I14 for each 总览 target (leadership, office) stops at its trend
    assert len(stops) == 2 and all("stopped at the statement time limit of 1 s" in m for m in stops)
    calls: list[str] = []
    original = ui._call

    def recording(path, *args):
        calls.append(path.rpartition(":")[2])
        return original(path, *args)

    monkeypatch.setattr(ui, "_call", recording)
    no_errors(app("office", "cockpit"))
    no_errors(app("office", "indicators", {"indicator": "I15a"}))  # I15a's tile comes after I14's
    assert calls == []  # everything but I14's drill was warmed
