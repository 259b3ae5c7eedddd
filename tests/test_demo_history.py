"""The demo month's history (issue 13 item 6): deterministic plain data from dashboard.demo.history,
written once by `serve` into the operational store, so that follow-up and the monthly feedback
show a real month (已处置 and median days not zero; feedback on time, late and missing)."""

from __future__ import annotations

import datetime as dt

from dashboard.cli.demo_history import write_demo_history
from dashboard.core.scope import Scope
from dashboard.demo import history
from dashboard.rules import feedback, followup

MONTH = dt.date(2026, 10, 31)
NOW = dt.datetime(2027, 1, 5, tzinfo=dt.UTC)
DEPARTMENTS = [f"d{i:02d}" for i in range(30)]


def _warnings() -> list[history.Warning]:
    return [
        history.Warning(f"W1-{i:04d}", "W1", DEPARTMENTS[i % 5], dt.date(2026, 9, 1) + dt.timedelta(days=i % 50))
        for i in range(200)
    ]


def test_steps_are_deterministic_partial_and_within_the_month():
    steps = history.followup_steps(_warnings(), MONTH, seed=42)
    assert steps == history.followup_steps(_warnings(), MONTH, seed=42)
    assert steps != history.followup_steps(_warnings(), MONTH, seed=7)
    assert all(s.action_date <= MONTH for s in steps)
    acted = {s.warning_id for s in steps if s.step in history.ACTIONS}
    assert 0 < len(acted) < 200  # part of the warnings, not none and not all
    assert {s.user for s in steps} <= {history.demo_user(d) for d in DEPARTMENTS}


def test_feedback_on_time_late_and_missing():
    reports = history.feedback_reports(DEPARTMENTS, MONTH, {}, {}, NOW, seed=42)
    assert reports == history.feedback_reports(DEPARTMENTS, MONTH, {}, {}, NOW, seed=42)
    due = feedback.due_date(MONTH)
    states = {}
    for code in DEPARTMENTS:
        report = next((r for r in reports if r.department_code == code), None)
        submits = [e.at for e in report.events if e.action == "submit"] if report else []
        states[code] = feedback.timeliness(MONTH, submits[0] if submits else None, NOW.date())
    assert set(states.values()) == {feedback.ON_TIME, feedback.LATE, feedback.MISSING}
    assert any(e.action == "return" for r in reports for e in r.events)
    assert any(e.action == "confirm" for r in reports for e in r.events)
    assert due == dt.date(2026, 11, 20)
    # nothing after `now`: seen on the 15th of M+1 only on-time submissions exist yet
    early = history.feedback_reports(DEPARTMENTS, MONTH, {}, {}, dt.datetime(2026, 11, 15, tzinfo=dt.UTC))
    assert all(e.at <= dt.datetime(2026, 11, 15, tzinfo=dt.UTC) for r in early for e in r.events)


def test_serve_writes_the_history_once(pages_env):
    first = write_demo_history(pages_env.settings, pages_env.snapshot)
    assert first["steps"] > 0 and first["reports"] > 0
    assert write_demo_history(pages_env.settings, pages_env.snapshot) == {"steps": 0, "reports": 0}
    june = dt.date(2026, 6, 30)
    counts = followup.warning_counts(pages_env.con, pages_env.engine, june, Scope.all())
    assert counts["n_acted"].sum() > 0
    assert counts["median_working_days_to_first_action"].notna().any()
    may = feedback.reports_of_month(pages_env.engine, dt.date(2026, 5, 31), Scope.all())
    assert not may.empty and set(may["status"]) <= set(feedback.STATUSES)
