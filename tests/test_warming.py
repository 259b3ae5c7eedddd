"""The warm-up of a server process (dashboard.app.ui: warm_targets, warm_views, warm_live;
dashboard.app.lifespan): whom it warms for, in which order and within which settings, and that what it
computes is exactly what the landing pages and the first click of each 总览 tile read — after a
warm-up, rendering them asks the query layer for nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

from dashboard.access import users
from dashboard.app import ui
from dashboard.core import settings as settings_module
from dashboard.core.dates import default_month
from dashboard.core.scope import Scope
from tests.access_kit import make_user
from tests.async_kit import run_coroutine
from tests.pages_fixture import app, no_errors


def _warm_settings(monkeypatch, **changes) -> None:
    current = settings_module.get_settings()
    monkeypatch.setattr(
        settings_module, "_cached", dataclasses.replace(current, warm=dataclasses.replace(current.warm, **changes))
    )


def _record_queries(monkeypatch) -> list[tuple[str, str | None]]:
    """(query function, scope key) of every cached query computed from now on (a cache miss)."""
    calls: list[tuple[str, str | None]] = []
    original = ui._call

    def recording(path, con, engine, args, kwargs, scope):
        calls.append((path.rpartition(":")[2], None if scope is None else scope.cache_key))
        return original(path, con, engine, args, kwargs, scope)

    monkeypatch.setattr(ui, "_call", recording)
    return calls


def _latest(pages_env) -> dt.date:
    """The default month of the pages (and of the warm-up) on the fixed dataset."""
    _, _, horizon = ui._reference(pages_env.snapshot.snapshot_id)
    return default_month(pages_env.snapshot.built_at, horizon)


def test_targets_are_the_roles_landing_pages_then_departments_most_recent_first(pages_env, monkeypatch):
    make_user(pages_env.engine, "market_user", "department", departments=("market",))
    make_user(pages_env.engine, "court_user", "department", departments=("court",))
    users.set_disabled(pages_env.engine, "court_user", True, "test")
    users.mark_signed_in(pages_env.engine, "tax_user")
    users.mark_signed_in(pages_env.engine, "market_user")  # later: first among the departments

    targets = ui.warm_targets()
    assert [(t.scope, t.landing) for t in targets] == [
        (Scope.all(details=False), "cockpit"),  # leadership: aggregates only, a cache key of its own
        (Scope.all(), "cockpit"),
        (Scope.of("market"), "home"),
        (Scope.of("tax"), "home"),
    ]  # the disabled account's department is not warmed; the admin lands on no page the warm-up knows

    _warm_settings(monkeypatch, department_homes=1)
    assert [t.scope for t in ui.warm_targets() if t.landing == "home"] == [Scope.of("market")]
    _warm_settings(monkeypatch, department_homes=0)
    assert [t.landing for t in ui.warm_targets()] == ["cockpit", "cockpit"]


def test_after_warming_landing_pages_and_first_clicks_compute_nothing(pages_env, monkeypatch):
    latest = _latest(pages_env)
    ui.warm_views(pages_env.snapshot.snapshot_id, latest)
    calls = _record_queries(monkeypatch)
    for user, page, params in (
        ("leader", "cockpit", {}),
        ("office", "cockpit", {}),
        ("tax_user", "home", {}),
        ("leader", "indicators", {"indicator": "I04a"}),  # the first click of a tile
        ("office", "indicators", {"indicator": "I04a"}),  # … with the office's detail list
        ("office", "indicators", {"indicator": "I14"}),
    ):
        at = app(user, page, params)
        no_errors(at)
        assert calls == [], (user, page, params)


def test_settings_decide_what_is_warmed(pages_env, monkeypatch):
    latest = _latest(pages_env)
    _warm_settings(monkeypatch, department_homes=0, tile_drills=False)
    ui.warm_views(pages_env.snapshot.snapshot_id, latest)
    calls = _record_queries(monkeypatch)

    no_errors(app("office", "cockpit"))
    assert calls == []  # 总览 is always warmed
    no_errors(app("tax_user", "home"))
    assert ("warning_status", "tax|pd=0") in calls  # no department homes
    calls.clear()
    no_errors(app("office", "indicators", {"indicator": "I04a"}))
    assert ("indicator_series", "*|pd=0") in calls  # no drills


def test_warming_without_detail_lists_leaves_the_office_lists_to_the_click(pages_env, monkeypatch):
    latest = _latest(pages_env)
    _warm_settings(monkeypatch, department_homes=0, tile_detail_lists=False)
    ui.warm_views(pages_env.snapshot.snapshot_id, latest)
    calls = _record_queries(monkeypatch)
    no_errors(app("office", "indicators", {"indicator": "I04a"}))
    assert [name for name, _ in calls] == ["indicator_detail_rows"]


def test_a_warm_up_stops_before_it_would_evict_what_it_computed_first(pages_env, monkeypatch):
    monkeypatch.setattr(ui, "WARM_MAX_RESULTS", 10)  # the two 总览 (at most 5 results each), nothing more
    ui.warm_views(pages_env.snapshot.snapshot_id, _latest(pages_env))
    calls = _record_queries(monkeypatch)
    no_errors(app("leader", "cockpit"))
    no_errors(app("office", "cockpit"))
    assert calls == []
    no_errors(app("tax_user", "home"))
    assert ("warning_status", "tax|pd=0") in calls


def test_the_warm_up_runs_again_for_a_new_snapshot_or_a_new_day(pages_env, monkeypatch):
    warmed = []
    monkeypatch.setattr(ui, "warm_views", lambda snapshot_id, as_of, day: warmed.append((snapshot_id, day)) or [])
    day = dt.date(2026, 7, 3)
    monkeypatch.setattr(ui, "today", lambda: day)
    state = ui.warm_live(None)
    assert state == (pages_env.snapshot.snapshot_id, day) and len(warmed) == 1
    assert ui.warm_live(state) == state and len(warmed) == 1  # nothing new: nothing to do
    day = dt.date(2026, 7, 4)
    assert ui.warm_live(state) == (pages_env.snapshot.snapshot_id, day) and len(warmed) == 2


def test_the_warm_up_lets_a_running_page_finish_first():
    import threading

    assert ui.yield_to_viewers(5) < 1  # nobody viewing: no wait
    done = threading.Event()
    viewer = threading.Thread(target=done.wait, name=ui.SCRIPT_THREAD)
    viewer.start()
    threading.Timer(0.3, done.set).start()
    assert ui.yield_to_viewers(5) >= 0.25  # waited for the viewer's run …
    viewer.join()
    done.clear()
    viewer = threading.Thread(target=done.wait, name=ui.SCRIPT_THREAD)
    viewer.start()
    try:
        assert ui.yield_to_viewers(0.2) < 1  # … but never longer than its limit
    finally:
        done.set()
        viewer.join()


def test_warming_starts_with_the_server(monkeypatch):
    from dashboard.app import lifespan

    started = []
    monkeypatch.setattr(ui, "_warmer", lambda: started.append(True))
    monkeypatch.setattr(ui.st.config, "get_option", lambda key: False if key == "global.appTest" else None)

    async def serve() -> None:
        async with lifespan.warm_at_start(object()):
            assert started == [True]  # before the server answers its first request

    run_coroutine(serve())
