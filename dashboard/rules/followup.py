"""Warning follow-up (预警跟踪反馈): the steps departments record, and each warning's status at T.

Lifecycle (docs/rules.md W-lifecycle; 000 §三 二、三; 003 §四(二)): 新产生 → 已查看 → 提示约谈 / 警示约谈 →
已送达修复告知书 → 已签署信用承诺书 → 已整改, and 已解除 once the warning's condition no longer holds.
Departments record every step but 新产生 (the initial state) and 已解除 (computed) in the operational
store table `warning_steps`, keyed by the stable warning id (dashboard.rules.credit_warnings).

How 已解除 is found, without a history table: a warning is 已解除 at T when it held at the month end
before T, or has recorded steps, and does not hold at T. Warnings are computed from the warehouse
for T and for that month end (two evaluations, not one per month), and W1–W5 carry their own
first_seen_date (the day the condition last began to hold), so nothing has to be remembered
between loads; the steps are the only state the app keeps.

Actions: 已查看 (viewed) is recorded but is not an action; a warning counts as acted on from its
first step in ACTION_STEPS. Overdue at T: it holds, has no action on or before T, and T is after
deadline_date, the settings.sla.action_working_days-th working day after first_seen_date (PRC
statutory calendar; the deadline is a date, dashboard.core.workdays.deadline_dates): a T on a holiday
or weekend right after the deadline is overdue, although no working day passed.

States (处置状态): every warning in view has exactly one at any T, named once in STATES, in
lifecycle order — 新产生 → 已查看 → 超期未处置 → 已处置 → 已解除. A warning is in the furthest state
its facts at T reach: 新产生 while it holds; 已查看 once any step is recorded; 超期未处置 once T is after
its deadline; 已处置 once an action is recorded (late or not); 已解除 once it no longer holds. So a
warning listed as 超期未处置 is never also 新产生, and the lists and the counts (STATE_COUNT_COLUMNS)
are both read from the one `status` column. The step last recorded stays beside it (`latest_step`).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Column, Date, DateTime, Engine, Integer, String, Table, Text, insert, select

from dashboard.core.scope import Scope, require_details
from dashboard.core.settings import Settings, get_settings
from dashboard.core.workdays import as_dates, deadline_dates, workday_seq
from dashboard.rules.credit_warnings import WARNING_TYPES, warning_type_of, warnings_at
from dashboard.rules.reference import department_short_names
from dashboard.store import opstore
from dashboard.store.db import as_date

STEPS = ("新产生", "已查看", "提示约谈", "警示约谈", "已送达修复告知书", "已签署信用承诺书", "已整改")
RECORDABLE_STEPS = STEPS[1:]
ACTION_STEPS = STEPS[2:]
STEP_ORDER = {step: i for i, step in enumerate(STEPS)}

# The follow-up states of a warning at T (module doc), in lifecycle order: the one place they are named.
NEW, VIEWED, OVERDUE, ACTED, RESOLVED = "新产生", "已查看", "超期未处置", "已处置", "已解除"
STATES = (NEW, VIEWED, OVERDUE, ACTED, RESOLVED)
STATE_ORDER = {state: i for i, state in enumerate(STATES)}
HOLDING_STATES = STATES[:4]  # 预警中: every state but 已解除
WAITING_STATES = (NEW, VIEWED)  # not acted on, not yet overdue

warning_steps = Table(
    "warning_steps",
    opstore.metadata,
    Column("step_id", Integer, primary_key=True, autoincrement=True),
    Column("warning_id", String(32), nullable=False, index=True),
    Column("warning_type", String(8), nullable=False),
    Column("step", String(16), nullable=False),
    Column("action_date", Date, nullable=False),
    Column("note", Text),
    Column("user_name", String(64), nullable=False),
    Column("department_code", String(64), nullable=False, index=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

STEP_COLUMNS = (
    "step_id",
    "warning_id",
    "warning_type",
    "step",
    "action_date",
    "note",
    "user_name",
    "department_code",
    "recorded_at",
)

_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def _ensure_table(engine: Engine) -> None:
    # Engines from opstore.get_engine already have it; engines made elsewhere (tests) get it here.
    if engine not in _ready:
        warning_steps.create(engine, checkfirst=True)
        _ready.add(engine)


def record_step(
    engine: Engine,
    warning_id: str,
    step: str,
    action_date: dt.date | str,
    note: str | None,
    user: str,
    department_code: str,
) -> int:
    """Record one follow-up step of a warning (any of RECORDABLE_STEPS) done on `action_date` by
    `user` of `department_code`; returns the step id. Steps are never edited: a correction is a
    new step."""
    if step not in RECORDABLE_STEPS:
        raise ValueError(f"不能记录的跟踪步骤：{step}（可选 {'、'.join(RECORDABLE_STEPS)}）")
    warning_type = warning_type_of(warning_id)
    if warning_type is None:
        raise ValueError(f"不是预警编号：{warning_id}")
    if not user or not department_code:
        raise ValueError("跟踪步骤须注明操作人和部门")
    _ensure_table(engine)
    with engine.begin() as conn:
        result = conn.execute(
            insert(warning_steps).values(
                warning_id=warning_id,
                warning_type=warning_type,
                step=step,
                action_date=as_date(action_date),
                note=note,
                user_name=user,
                department_code=department_code,
                recorded_at=dt.datetime.now(dt.UTC),
            )
        )
        key = result.inserted_primary_key
        assert key is not None  # a single-row INSERT reports the key it created
        return int(key[0])


# Largest id list sent to the database as bound parameters (see steps_for).
def steps_for(
    engine: Engine, warning_ids: Iterable[str] | None = None, *, until: dt.date | None = None
) -> pd.DataFrame:
    """Recorded steps (STEP_COLUMNS), oldest first: of the given warnings (None = all; a few ids,
    bound as an IN list: warning_status matches the ~10^6 ids of a province in Arrow instead), with
    action_date on or before `until` (None = any)."""
    _ensure_table(engine)
    query = select(*[warning_steps.c[c] for c in STEP_COLUMNS])
    if warning_ids is not None:
        ids = sorted(set(warning_ids))
        if not ids:
            return pd.DataFrame(columns=list(STEP_COLUMNS))
        query = query.where(warning_steps.c.warning_id.in_(ids))
    if until is not None:
        query = query.where(warning_steps.c.action_date <= until)
    query = query.order_by(warning_steps.c.action_date, warning_steps.c.step_id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    # object columns keep None for a missing note (string inference would turn it into NaN)
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(STEP_COLUMNS), dtype=object)
    frame["step_id"] = frame["step_id"].astype("int64")
    return frame


def _is_in(values: pd.Series, members: pd.Series) -> pd.Series:
    """values.isin(members) for text columns, computed in Arrow (pandas turns an Arrow-backed text
    column into Python strings first, seconds for the 10^6 warning ids of a province)."""
    if values.empty or members.empty:
        return pd.Series(False, index=values.index)
    found = pc.is_in(pa.array(values, type=pa.string()), value_set=pa.array(members, type=pa.string()))
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index).fillna(False).astype(bool)


def previous_month_end(day: dt.date) -> dt.date:
    """The last day of the month before `day`'s month."""
    return day.replace(day=1) - dt.timedelta(days=1)


STATUS_COLUMNS = (
    "warning_id",
    "warning_type",
    "uscc",
    "party_id_masked",
    "subject_name",
    "department_code",
    "department_name",
    "reason",
    "anchor_records",
    "risk_level",
    "escalated",
    "repair_status",
    "expiry_date",
    "first_seen_month",
    "holds",
    "status",
    "latest_step",
    "first_seen_date",
    "deadline_date",
    "first_action_date",
    "working_days_to_first_action",
    "is_overdue",
    "n_steps",
)


def warning_status(
    con: duckdb.DuckDBPyConnection, engine: Engine, as_of: dt.date | str, scope: Scope, settings: Settings | None = None
) -> pd.DataFrame:
    """Each warning the viewer's scope reaches that holds at `as_of`, or is 已解除 at `as_of`, with
    its follow-up status (STATUS_COLUMNS): status (its one state of STATES at T, see the module
    doc), latest_step (the step last recorded on or before T, None when none), deadline_date
    (first_seen_date + the action SLA in working days), first_action_date,
    working_days_to_first_action (Int64) and is_overdue (status == 超期未处置). Dates are
    datetime.date or None; the warning's own columns (every column of warnings_at) are as
    warnings_at gives them, and missing for a warning that holds at neither date. Holding
    warnings come first, in warnings_at order: `status[status["holds"]]` is warnings_at(as_of), so
    a page holding this frame need not evaluate the warnings again for its list. A list of
    subjects: refused (DetailsRefused) for a scope of aggregates only."""
    require_details(scope, "信用预警清单")
    settings = settings or get_settings()
    as_of = as_date(as_of)
    current = warnings_at(con, as_of, scope, settings=settings).assign(holds=True)
    earlier = warnings_at(con, previous_month_end(as_of), scope, settings=settings)
    # Steps of the warnings in view, whichever department recorded them, plus steps the viewer's
    # departments recorded on warnings that hold at neither date. (Membership is tested in Arrow:
    # a province has ~10^6 ids in view, too many to turn into Python strings on every render.)
    steps = steps_for(engine, until=as_of)
    in_view = _is_in(steps["warning_id"], current["warning_id"]) | _is_in(steps["warning_id"], earlier["warning_id"])
    own = pd.Series(True, index=steps.index) if scope.sees_all else steps["department_code"].isin(scope.department_list)
    steps = steps[in_view | own]
    in_view = in_view[steps.index]

    resolved = earlier[~_is_in(earlier["warning_id"], current["warning_id"])].assign(holds=False)
    step_only = steps[~in_view].sort_values("step_id").groupby("warning_id").last()
    step_only = pd.DataFrame(
        {
            "warning_id": step_only.index,
            "warning_type": [warning_type_of(i) for i in step_only.index],
            "department_code": step_only["department_code"].to_numpy(),
            "holds": False,
        }
    )
    frames = [f for f in (current, resolved, step_only) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(STATUS_COLUMNS))
    # one row per warning id: a warning routed to two departments is two ids already
    out = pd.concat(frames, ignore_index=True).drop_duplicates("warning_id")

    steps = steps.assign(order=steps["step"].map(STEP_ORDER))
    latest = steps.sort_values(["action_date", "order", "step_id"]).groupby("warning_id").last()["step"]
    actions = steps[steps["step"].isin(ACTION_STEPS)]
    first_action = actions.groupby("warning_id")["action_date"].min()
    n_steps = steps.groupby("warning_id").size()

    if "first_seen_date" not in out:
        out["first_seen_date"] = None
    seq_seen = workday_seq(out["first_seen_date"])
    out["first_seen_date"] = as_dates(out["first_seen_date"])
    # steps are few: look up only the warnings that have some
    stepped = _is_in(out["warning_id"], steps["warning_id"])
    stepped_ids = out.loc[stepped, "warning_id"].astype(object)
    out["latest_step"] = None
    out.loc[stepped, "latest_step"] = stepped_ids.map(latest).to_numpy()
    out["first_action_date"] = None
    out.loc[stepped, "first_action_date"] = (
        stepped_ids.map(first_action).astype(object).where(lambda v: v.notna(), None).to_numpy()
    )
    out["n_steps"] = 0
    out.loc[stepped, "n_steps"] = stepped_ids.map(n_steps).fillna(0).astype(int).to_numpy()

    out["deadline_date"] = deadline_dates(out["first_seen_date"], settings.sla.action_working_days)
    out["working_days_to_first_action"] = workday_seq(out["first_action_date"]) - seq_seen
    past_deadline = pd.to_datetime(out["deadline_date"]).lt(pd.Timestamp(as_of))  # no deadline (NaT): False
    out["holds"] = out["holds"].astype(bool)
    out["status"] = states_of(out["holds"], stepped, past_deadline, out["first_action_date"].notna())
    out["is_overdue"] = (out["status"] == OVERDUE).to_numpy()
    for column in STATUS_COLUMNS:
        if column not in out:
            out[column] = None
    # current warnings first (in warnings_at order), then the resolved ones
    return out[list(STATUS_COLUMNS)].reset_index(drop=True)


def states_of(holds: pd.Series, stepped: pd.Series, past_deadline: pd.Series, acted: pd.Series) -> pd.Series:
    """The state of STATES of each warning: the furthest in lifecycle order that its facts reach —
    holds (新产生), a step recorded (已查看), T after the deadline (超期未处置), an action recorded
    (已处置), no longer holds (已解除). The inputs are aligned boolean Series."""
    reached = [
        pd.Series(True, index=holds.index),
        stepped.astype(bool),
        past_deadline.astype(bool),
        acted.astype(bool),
        ~holds.astype(bool),
    ]
    furthest = pd.Series(0, index=holds.index)
    for i, facts in enumerate(reached):
        furthest = furthest.where(~facts.to_numpy(), i)
    return furthest.map(dict(enumerate(STATES))).astype(object)


# The follow-up states counted per department and warning type, and the columns of warning_counts:
# each count is a number of warnings in the named states (n_open: every holding state).
STATE_COUNT_COLUMNS = ("n_open", "n_acted", "n_overdue", "n_resolved")
COUNTED_STATES = {"n_open": HOLDING_STATES, "n_acted": (ACTED,), "n_overdue": (OVERDUE,), "n_resolved": (RESOLVED,)}
COUNT_COLUMNS = [
    "department_code",
    "department_name",
    "warning_type",
    *STATE_COUNT_COLUMNS,
    "median_working_days_to_first_action",
]


def warning_counts(
    con: duckdb.DuckDBPyConnection, engine: Engine, as_of: dt.date | str, scope: Scope, settings: Settings | None = None
) -> pd.DataFrame:
    """Per routed department and warning type at `as_of`: n_open (holding at T), n_acted (of those,
    with a follow-up action recorded on or before T), n_overdue (no action within the SLA),
    n_resolved (已解除: held at the previous month end or had steps, no longer holds) and the median
    working days from first appearance to first action. Counts only: an aggregates-only scope may
    ask (the rows are read under scope.for_aggregates())."""
    status = warning_status(con, engine, as_of, scope.for_aggregates(), settings=settings)
    return counts_from_status(status, department_short_names(con))


def counts_from_status(status: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """warning_counts from an already computed followup.warning_status frame (pages hold that frame
    anyway: counting it again from scratch would evaluate every warning twice more)."""
    if status.empty:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    status = status.assign(
        is_open=status["status"].isin(COUNTED_STATES["n_open"]),
        is_acted=status["status"].isin(COUNTED_STATES["n_acted"]),
        is_overdue=status["status"].isin(COUNTED_STATES["n_overdue"]),
        is_resolved=status["status"].isin(COUNTED_STATES["n_resolved"]),
        department_code=status["department_code"].fillna(""),
        working_days_to_first_action=pd.to_numeric(status["working_days_to_first_action"]).astype("float64"),
    )
    out = (
        status.groupby(["department_code", "warning_type"], sort=True)
        .agg(
            n_open=("is_open", "sum"),
            n_acted=("is_acted", "sum"),
            n_overdue=("is_overdue", "sum"),
            n_resolved=("is_resolved", "sum"),
            median_working_days_to_first_action=("working_days_to_first_action", "median"),
        )
        .reset_index()
    )
    out["department_code"] = out["department_code"].replace("", None)
    out["department_name"] = out["department_code"].map(names).astype(object).where(lambda n: n.notna(), None)
    out = out.astype({c: int for c in STATE_COUNT_COLUMNS})
    order = {t: i for i, t in enumerate(WARNING_TYPES)}
    out = (
        out.assign(_order=out["warning_type"].map(order))
        .sort_values(["department_code", "_order"], na_position="last", kind="stable")
        .reset_index(drop=True)
    )
    return out[COUNT_COLUMNS]
