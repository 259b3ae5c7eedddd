"""The demo month's history in the operational store (issue 13 item 6): `serve` calls
`write_demo_history` while the demo data is live, so that follow-up (已处置, days to first action)
and the monthly feedback (on time, late, missing) show a real month. The history itself is plain
data from dashboard.demo.history; it is written here through the rules' own functions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from dashboard.access import audit, users
from dashboard.core.dates import default_month
from dashboard.core.scope import Scope
from dashboard.core.settings import Settings
from dashboard.demo import history
from dashboard.rules import feedback, followup, reference
from dashboard.store import snapshots
from dashboard.store.opstore import get_engine


def write_demo_history(settings: Settings, snapshot: snapshots.SnapshotInfo, seed: int = 42) -> dict[str, int]:
    """Write the demo month's history (dashboard.demo.history) into the operational store, once:
    follow-up steps on part of the warnings in force at the default month, and the departments'
    feedback for that month and the one before (on time, late, missing). Called by `serve` while the
    demo data is live; a store that holds demo steps or feedback of a month already is left as it
    is. Returns how many steps and reports were written."""
    engine = get_engine(settings)
    con = snapshots.connect_readonly(snapshot.path)
    try:
        month = default_month(snapshot.built_at, reference.data_horizon(con))
        written = {"steps": 0, "reports": 0}
        status = followup.warning_status(con, engine, month, Scope.all(), settings=settings)
        holding = status[status["holds"].astype(bool)]
        recorded = followup.steps_for(engine)
        if not recorded["user_name"].astype(str).str.endswith(history.DEMO_USER_SUFFIX).any():
            warnings = [
                history.Warning(r.warning_id, r.warning_type, r.department_code, r.first_seen_date)
                for r in holding.itertuples()
                if isinstance(r.department_code, str) and r.first_seen_date is not None
            ]
            for step in history.followup_steps(warnings, month, seed=seed):
                followup.record_step(
                    engine, step.warning_id, step.step, step.action_date, step.note, step.user, step.department_code
                )
                written["steps"] += 1
            if written["steps"]:
                audit.record(engine, users.DEMO_ACTOR, "followup_recorded", {"demo_history_steps": written["steps"]})
        counts = followup.warning_counts(con, engine, month, Scope.all(), settings=settings)
        acted = counts[counts["n_acted"] > 0]
        handled: dict[str, dict[str, int]] = {}
        for r in acted.itertuples():
            handled.setdefault(str(r.department_code), {})[str(r.warning_type)] = int(r.n_acted)
        owing = feedback.departments_owing(counts, settings)
        indicators_of = {code: feedback.indicators_owned(code, settings) for code in owing}
        now = dt.datetime.now(dt.UTC)
        for m in (followup.previous_month_end(month), month):
            if not feedback.reports_of_month(engine, m, Scope.all()).empty:
                continue
            reports = history.feedback_reports(
                owing, m, indicators_of, handled, now, seed=seed, due_day=settings.feedback.due_day
            )
            for report in reports:
                _write_report(engine, report)
                written["reports"] += 1
        return written
    finally:
        con.close()


def _write_report(engine: Engine, report: history.Report) -> None:
    office = Scope.all()
    own = Scope.of(report.department_code)
    for event in report.events:
        code, month = report.department_code, report.month
        if event.action == "save":
            feedback.save_draft(engine, code, month, report.content, event.user, own, at=event.at)
            action = "feedback_saved"
        elif event.action == "submit":
            feedback.submit(engine, code, month, report.content, event.user, own, at=event.at)
            action = "feedback_submitted"
        elif event.action == "return":
            feedback.return_report(engine, code, month, event.comment, event.user, office, at=event.at)
            action = "feedback_returned"
        else:
            feedback.confirm(engine, code, month, event.user, office, at=event.at)
            action = "feedback_confirmed"
        audit.record(engine, event.user, action, {"department": code, "month": f"{month:%Y-%m}", "demo": True})
