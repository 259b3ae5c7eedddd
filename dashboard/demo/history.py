"""A realistic month of the monthly cycle for the demo (issue 13 item 6), as plain data: the
follow-up steps departments recorded on part of their warnings (so 已处置 and the median days to
first action are not zero) and the monthly feedback of the departments — on time, late and missing,
one returned for correction, some confirmed.

Like the rest of dashboard.demo this stands on core alone: it never computes a warning. The caller
(`python -m dashboard serve`, when the demo data is live) hands in the warnings in force at the
month (id, type, routed department, first-seen day) and the departments owing feedback, and writes
what comes back through dashboard.rules.followup.record_step and dashboard.rules.feedback. Same
seed and inputs → the same history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dashboard.core.dates import add_months, month_end
from dashboard.core.workdays import add_workdays

DEMO_USER_SUFFIX = "_demo"
OFFICE_USER = "demo_office"
ACTIONS = ("提示约谈", "警示约谈", "已送达修复告知书")
FOLLOW_ON = {"提示约谈": "已签署信用承诺书", "警示约谈": "已签署信用承诺书", "已送达修复告知书": "已整改"}
# Most warnings a department records steps on in the demo (keeps the first start quick at city scale).
MAX_WARNINGS_PER_DEPARTMENT = 40


@dataclass(frozen=True)
class Warning:
    warning_id: str
    warning_type: str
    department_code: str
    first_seen_date: dt.date


@dataclass(frozen=True)
class Step:
    warning_id: str
    step: str
    action_date: dt.date
    note: str
    user: str
    department_code: str


@dataclass(frozen=True)
class ReportEvent:
    """One change of a department's feedback: action 'save' | 'submit' | 'return' | 'confirm'."""

    action: str
    at: dt.datetime  # UTC
    user: str
    comment: str = ""


@dataclass(frozen=True)
class Report:
    department_code: str
    month: dt.date
    content: dict
    events: tuple[ReportEvent, ...] = field(default_factory=tuple)


def demo_user(department_code: str) -> str:
    return f"{department_code}{DEMO_USER_SUFFIX}"


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in (seed, *parts)))


def followup_steps(
    warnings: Iterable[Warning], month: dt.date, seed: int = 42, max_per_department: int = MAX_WARNINGS_PER_DEPARTMENT
) -> list[Step]:
    """Steps on part of each department's warnings in force at `month`: a department handles a
    share of its warnings (20–80 %, its own), each viewed and then acted on 1–8 working days after it
    appeared (so some within the 5-day deadline, some after), a few followed by a commitment or the
    rectification; no step after the month-end."""
    end = month_end(month)
    by_department: dict[str, list[Warning]] = {}
    for w in sorted(warnings, key=lambda w: w.warning_id):
        by_department.setdefault(w.department_code, []).append(w)
    steps: list[Step] = []
    for code, items in sorted(by_department.items()):
        rng = _rng(seed, "steps", code)
        share = rng.uniform(0.2, 0.8)
        chosen = [w for w in items if rng.random() < share][:max_per_department]
        user = demo_user(code)
        for w in chosen:
            seen = min(add_workdays(w.first_seen_date, 1), end)
            steps.append(Step(w.warning_id, "已查看", seen, "", user, code))
            action = rng.choice(ACTIONS)
            acted = add_workdays(w.first_seen_date, rng.randint(1, 8))
            if acted > end:
                continue
            steps.append(Step(w.warning_id, action, acted, f"{action}（演示）", user, code))
            if rng.random() < 0.4:
                later = add_workdays(acted, rng.randint(2, 10))
                if later <= end:
                    steps.append(Step(w.warning_id, FOLLOW_ON[action], later, "", user, code))
    return steps


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of `day` in China, in UTC."""
    return dt.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8))
    ).astimezone(dt.UTC)


def _content(rng: random.Random, indicator_ids: Sequence[str], handled: Mapping[str, int], lagging: bool) -> dict:
    done = ("完成本月数据报送和核对", "组织开展专项培训 1 次", "梳理问题清单并逐项整改", "对接市信用办完成数据比对")
    blocks = ("", "", "部分基层单位报送不及时", "系统对接尚未完成")
    return {
        "indicators": [
            {"indicator_id": i, "done": rng.choice(done), "blockers": rng.choice(blocks) if lagging else ""}
            for i in indicator_ids[:6]
        ],
        "warnings": [
            {"warning_type": t, "n_handled": n, "how": "约谈企业负责人并送达信用修复告知书" if n else ""}
            for t, n in sorted(handled.items())
        ],
        "problems": "个别数据报送不及时，部分预警主体联系困难。" if lagging else "无重大问题。",
        "next_steps": "加强与市信用办的数据比对，按期完成预警处置并在系统中记录。",
    }


def feedback_reports(
    departments: Sequence[str],
    month: dt.date,
    indicators_of: Mapping[str, Sequence[str]],
    handled: Mapping[str, Mapping[str, int]],
    now: dt.datetime,
    seed: int = 42,
    due_day: int = 20,
) -> list[Report]:
    """The departments' feedback for `month`: about 60 % submitted on time (a few of them returned
    once for correction and submitted again, most confirmed by the office), about 20 % late, the
    rest missing (a draft at most). No event is later than `now`."""
    end = month_end(month)
    following = add_months(end.replace(day=1), 1)
    due = following.replace(day=min(due_day, month_end(following).day))
    reports = []
    for code in sorted(departments):
        rng = _rng(seed, "feedback", code, end)
        draw = rng.random()
        user = demo_user(code)
        content = _content(rng, list(indicators_of.get(code, ())), dict(handled.get(code, {})), draw >= 0.6)
        events: list[ReportEvent] = []
        if draw < 0.6:
            submitted = _local(following + dt.timedelta(days=rng.randint(2, due.day - 2)), 9 + rng.randint(0, 8))
            events.append(ReportEvent("save", submitted - dt.timedelta(hours=20), user))
            events.append(ReportEvent("submit", submitted, user))
            if rng.random() < 0.2:
                returned = submitted + dt.timedelta(days=1)
                events.append(ReportEvent("return", returned, OFFICE_USER, "请补充预警处置方式和完成时限"))
                events.append(ReportEvent("submit", returned + dt.timedelta(days=1, hours=2), user))
            if rng.random() < 0.7:
                events.append(ReportEvent("confirm", events[-1].at + dt.timedelta(days=1), OFFICE_USER))
        elif draw < 0.8:
            late = _local(due + dt.timedelta(days=rng.randint(1, 8)), 10)
            events.append(ReportEvent("submit", late, user))
        elif rng.random() < 0.5:
            events.append(ReportEvent("save", _local(due - dt.timedelta(days=3), 15), user))
        events = [e for e in events if e.at <= now]
        if events:
            reports.append(Report(code, end, content, tuple(events)))
    return reports
