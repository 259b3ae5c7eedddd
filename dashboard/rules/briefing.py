"""Rule N2, the month's figures of the 通报 and the briefing deck (001 九(三); 002 四(三)), assembled
once: `monthly_briefing` returns a `MonthlyBriefing` holding every number the documents print, so
the .docx, the PDF and the deck (dashboard.app.briefing_docs) cannot disagree with each other or
with the query functions they come from. See docs/rules.md N2.

Numbers are never typed by hand: the only text the office writes is the narrative of the month
(NARRATIVE_FIELDS, e.g. 五、下一步工作), saved per month in the operational store table
`briefing_narratives`, every save kept with who and when (the newest save of a field wins).
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
from sqlalchemy import Column, DateTime, Engine, Integer, String, Table, Text, insert, select

from dashboard.core.dates import add_months, month_end
from dashboard.core.scope import Scope
from dashboard.core.settings import Settings, get_settings
from dashboard.rules import feedback, followup, indicators, ranking
from dashboard.rules.credit_warnings import WARNING_TYPES
from dashboard.rules.reference import department_short_names
from dashboard.store import opstore

# The office's own words in the 通报, per month: field → Chinese label.
NARRATIVE_FIELDS = {
    "overview_note": "总体情况补充说明",
    "next_steps": "下一步工作",
}
DEFAULT_NARRATIVE = {
    "overview_note": "",
    "next_steps": (
        "请各责任单位对照本通报指出的问题，逐项分析原因、落实整改：对未达标指标明确责任人和完成时限，"
        "对超期未处置的预警限期完成处置并在系统中记录跟踪反馈；"
        "市信用办将持续跟踪调度，并将整改情况纳入下月通报。"
    ),
}

briefing_narratives = Table(
    "briefing_narratives",
    opstore.metadata,
    Column("narrative_id", Integer, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False, index=True),
    Column("field", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
)

_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def _ensure_table(engine: Engine) -> None:
    if engine not in _ready:
        briefing_narratives.create(engine, checkfirst=True)
        _ready.add(engine)


def month_key(month: dt.date) -> str:
    """'2026-11' for any day of November 2026."""
    return f"{month.year:04d}-{month.month:02d}"


def save_narrative(engine: Engine, month: dt.date, values: Mapping[str, str], user_name: str) -> None:
    """Keep the office's narrative of `month` (NARRATIVE_FIELDS → text); a new row per save."""
    unknown = set(values) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ValueError(f"未知的通报文字栏目：{'、'.join(sorted(unknown))}")
    _ensure_table(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        for name, text in values.items():
            conn.execute(
                insert(briefing_narratives).values(
                    month=month_key(month), field=name, text=str(text).strip(), user_name=user_name, saved_at=now
                )
            )


def narrative_of(engine: Engine, month: dt.date) -> dict[str, str]:
    """The newest saved text of each narrative field of `month`, DEFAULT_NARRATIVE where none."""
    _ensure_table(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            select(briefing_narratives.c.field, briefing_narratives.c.text)
            .where(briefing_narratives.c.month == month_key(month))
            .order_by(briefing_narratives.c.narrative_id)
        ).all()
    out = dict(DEFAULT_NARRATIVE)
    out.update({r.field: r.text for r in rows if r.field in NARRATIVE_FIELDS})
    return out


@dataclass(frozen=True)
class CityStanding:
    """I00 of the home city at the month and the month before (None where not published)."""

    city: str | None
    province: str | None
    score: float | None
    rank: int | None
    rank_in_province: int | None
    n_province_cities: int
    previous_score: float | None
    previous_rank: int | None
    previous_rank_in_province: int | None

    @property
    def score_change(self) -> float | None:
        return None if self.score is None or self.previous_score is None else self.score - self.previous_score

    @property
    def rank_change(self) -> int | None:
        """Places moved up the national ranking (positive = better)."""
        return None if self.rank is None or self.previous_rank is None else self.previous_rank - self.rank

    @property
    def province_rank_change(self) -> int | None:
        if self.rank_in_province is None or self.previous_rank_in_province is None:
            return None
        return self.previous_rank_in_province - self.rank_in_province


@dataclass(frozen=True)
class MonthlyBriefing:
    """Every figure of the month's 通报 and deck.

    - `indicators`: indicators_at of the month (catalogue order) with previous_value (the month
      before) and change; responsible_names in words.
    - `warnings_by_department`: per routed department: n_open, n_acted (已处置: an action recorded),
      n_overdue, n_resolved, median working days to first action (holding warnings).
    - `warnings_by_type`: followup.warning_counts (department × warning type).
    - `named_departments`: the departments the 通报 names (rule N1, ranking.named_departments):
      NAMED_COLUMNS.
    - `scores`: indicators.city_scores of the province's cities up to the month (the rank trend).
    """

    month: dt.date
    snapshot_id: str
    data_as_of: str
    standing: CityStanding
    indicators: pd.DataFrame
    warnings_by_department: pd.DataFrame
    warnings_by_type: pd.DataFrame
    named_departments: pd.DataFrame
    scores: pd.DataFrame
    narrative: dict[str, str]
    totals: dict[str, Any] = field(default_factory=dict)

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def city_standing(scores: pd.DataFrame, month: dt.date) -> CityStanding:
    """The home city's I00 row of `month` and of the month before, from indicators.city_scores."""
    if scores.empty:
        return CityStanding(None, None, None, None, None, 0, None, None, None)
    months = pd.to_datetime(scores["month"]).dt.date
    home = scores[scores["is_home_city"].fillna(False).astype(bool)]
    home_months = pd.to_datetime(home["month"]).dt.date

    def row(day: dt.date) -> pd.Series | None:
        hit = home[[(m.year, m.month) == (day.year, day.month) for m in home_months]]
        return None if hit.empty else hit.iloc[0]

    now, before = row(month), row(add_months(month, -1))
    same_month = scores[[(m.year, m.month) == (month.year, month.month) for m in months]]
    return CityStanding(
        city=None if now is None else str(now["city"]),
        province=None if now is None else str(now["province"]),
        score=None if now is None else _float(now["score"]),
        rank=None if now is None else _int(now["rank"]),
        rank_in_province=None if now is None else _int(now["rank_in_province"]),
        n_province_cities=int(same_month["city"].nunique()),
        previous_score=None if before is None else _float(before["score"]),
        previous_rank=None if before is None else _int(before["rank"]),
        previous_rank_in_province=None if before is None else _int(before["rank_in_province"]),
    )


def _responsible_names(codes: Any, names: Mapping[str, str]) -> str:
    codes = [str(c) for c in (list(codes) if codes is not None else [])]
    return "全部双公示单位" if "*" in codes else "、".join(names.get(c, c) for c in codes)


def indicator_lines(now: pd.DataFrame, before: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """indicators_at of the month with the month before's value beside it: previous_value, change
    (value − previous; NaN where either is missing) and responsible_names."""
    out = now.merge(
        before[["indicator_id", "value"]].rename(columns={"value": "previous_value"}), on="indicator_id", how="left"
    )
    out["change"] = pd.to_numeric(out["value"], errors="coerce") - pd.to_numeric(out["previous_value"], errors="coerce")
    out["responsible_names"] = [_responsible_names(v, names) for v in out["responsible_departments"]]
    return out.reset_index(drop=True)


def warnings_by_department(status: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Per routed department (most open first): n_open, n_acted, n_overdue, n_resolved and the
    median working days from first appearance to first action of its holding warnings (NaN when
    none was acted on), from a followup.warning_status frame."""
    columns = ["department_code", "department_name", "n_open", "n_acted", "n_overdue", "n_resolved", "median_days"]
    if status.empty:
        return pd.DataFrame(columns=columns)
    holds = status["holds"].astype(bool)
    frame = pd.DataFrame(
        {
            "department_code": status["department_code"].fillna(""),
            "n_open": holds,
            "n_acted": holds & status["first_action_date"].notna(),
            "n_overdue": status["is_overdue"].astype(bool),
            "n_resolved": ~holds,
            "days": pd.to_numeric(status["working_days_to_first_action"], errors="coerce")
            .astype("float64")
            .where(holds),
        }
    )
    out = (
        frame.groupby("department_code", sort=True)
        .agg(
            n_open=("n_open", "sum"),
            n_acted=("n_acted", "sum"),
            n_overdue=("n_overdue", "sum"),
            n_resolved=("n_resolved", "sum"),
            median_days=("days", "median"),
        )
        .reset_index()
    )
    out = out.astype({c: int for c in ("n_open", "n_acted", "n_overdue", "n_resolved")})
    out["department_name"] = [names.get(c, c) if c else "未对应单位" for c in out["department_code"]]
    out = out.sort_values(["n_open", "n_overdue", "department_code"], ascending=[False, False, True], kind="stable")
    return out[columns].reset_index(drop=True)


NAMED_COLUMNS = ["rank", "department_code", "department_name", "criteria", "n_overdue", "lagging_on"]


def named_departments(
    con: duckdb.DuckDBPyConnection,
    engine: Engine,
    as_of: dt.date,
    now: pd.DataFrame,
    previous: pd.DataFrame,
    counts: pd.DataFrame,
    names: Mapping[str, str],
    settings: Settings,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """The departments the 通报 names as 工作推进不力 (N1, 001 九(三)), city-wide: rank,
    department_code, department_name, criteria, n_overdue and lagging_on (the rule's reasons in
    words). The same inputs as ranking.named_departments, reusing the indicators at M and M−1 and
    the warning counts the 通报 has computed already (tests compare the two)."""
    scope = Scope.all()
    before = followup.previous_month_end(as_of)
    board = feedback.feedback_board(
        engine, as_of, feedback.departments_owing(counts, settings), scope=scope, today=today, settings=settings
    )
    named = ranking.named_of(
        indicators.indicator_catalogue(settings),
        indicators.indicators_by_department(con, as_of, scope, settings=settings),
        indicators.indicators_by_department(con, before, scope, settings=settings),
        now,
        previous,
        counts,
        dict(zip(board["department_code"], board["timeliness"])),
        names,
        settings,
    )
    return named.rename(columns={"reasons": "lagging_on"})[NAMED_COLUMNS].reset_index(drop=True)


def monthly_briefing(
    con: duckdb.DuckDBPyConnection,
    engine: Engine,
    month: dt.date,
    *,
    snapshot_id: str = "",
    data_as_of: str = "",
    settings: Settings | None = None,
    today: dt.date | None = None,
) -> MonthlyBriefing:
    """N2: the figures of `month` (any day of it; the month end is the as-of date), city-wide
    (the 通报 goes to the city's leaders, so the scope is every department): I00 standing, every
    indicator against target with the change from the month before, warnings by department and by
    department × type with follow-up status, the departments named by the N1 ranking, and the
    office's narrative. Each rule runs once; the same snapshot and narrative give the same result
    (the feedback criterion of N1 is judged as on `today`, default today in China)."""
    settings = settings or get_settings()
    as_of = month_end(month)
    before = followup.previous_month_end(as_of)
    scope = Scope.all()
    names = department_short_names(con)
    now = indicators.indicators_at(con, as_of, scope, settings=settings)
    previous = indicators.indicators_at(con, before, scope, settings=settings)
    status = followup.warning_status(con, engine, as_of, scope, settings=settings)
    counts = followup.counts_from_status(status, names)
    scores = indicators.city_scores(con, scope, end_month=as_of, months=settings.windows.trend_months)
    lines = indicator_lines(now, previous, names)
    by_dept = warnings_by_department(status, names)
    holding = status[status["holds"].astype(bool)] if not status.empty else status
    days = pd.to_numeric(holding["working_days_to_first_action"], errors="coerce") if not holding.empty else None
    median_days = None if days is None or days.dropna().empty else float(days.median())
    totals = {
        "n_indicators": len(lines),
        "n_green": int((lines["status"] == "green").sum()),
        "n_amber": int((lines["status"] == "amber").sum()),
        "n_red": int((lines["status"] == "red").sum()),
        "n_open": int(by_dept["n_open"].sum()),
        "n_acted": int(by_dept["n_acted"].sum()),
        "n_overdue": int(by_dept["n_overdue"].sum()),
        "n_resolved": int(by_dept["n_resolved"].sum()),
        "median_days": None if median_days is None or math.isnan(median_days) else median_days,
    }
    order = {t: i for i, t in enumerate(WARNING_TYPES)}
    by_type = counts.assign(_o=counts["warning_type"].map(order)) if not counts.empty else counts
    return MonthlyBriefing(
        month=as_of,
        snapshot_id=snapshot_id,
        data_as_of=data_as_of,
        standing=city_standing(scores, as_of),
        indicators=lines,
        warnings_by_department=by_dept,
        warnings_by_type=by_type.drop(columns="_o", errors="ignore").reset_index(drop=True),
        named_departments=named_departments(con, engine, as_of, now, previous, counts, names, settings, today),
        scores=scores,
        narrative=narrative_of(engine, as_of),
        totals=totals,
    )
