"""Grading and differentiated supervision (信用分级分类, docs/rules.md G1–G4; 002).

G1: a subject's grade for a department is that department's latest 行业信用评价 on or before T; the
department that supervises the subject's industry grades it by the latest 公共信用综合评价 until it
has an evaluation of its own (002 §三(一)3). The mart `grade_intervals` (queries/marts/
40_grade_intervals.sql) turns the evaluations into validity spans once per load, so a grade at any
T is a lookup; 50_grade_distribution_changes.sql turns those spans into the distribution's changes
by day, so the distribution at any T is a sum over a small table.

G4 (002 §三(五)): an approved repair or an upheld objection removes the record from grading input
from that date on. Grading here reads evaluations only — no penalty or list record — and an
evaluation is not a record that is repaired: 002 §三(五) has the evaluator re-evaluate
("重新作出评价和分类"), and that new evaluation replaces the earlier one from its date (G1). The
repaired penalties themselves leave W1/W1b on the approval date (P9), see dashboard.rules.credit_warnings.

G3: spot-check plan (双随机、一公开) — per grade, ceil(ratio × subjects) drawn in the order of
MD5(seed | USCC), a portable, reproducible order: the same seed gives the same draw.

CLI: `python -m dashboard spotcheck --department CODE --as-of YYYY-MM-DD --seed N [--format json|csv]`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import duckdb
import pandas as pd

from dashboard.core.scope import Scope, require_details
from dashboard.core.settings import Settings, get_settings
from dashboard.store.db import as_date, run_query

GRADES = ("A", "B", "C", "D", "E")
GRADE_SOURCES = ("行业信用评价", "公共信用综合评价")
GROUPINGS = ("department", "industry", "district")

GRADE_COLUMNS = (
    "uscc",
    "subject_name",
    "department_code",
    "department_name",
    "grade",
    "grade_source",
    "eval_date",
    "score",
    "industry_code",
    "district_code",
)
HISTORY_COLUMNS = ("department_code", "evaluator", "eval_date", "grade", "score")
PLAN_COLUMNS = ("grade", "n_subjects", "ratio", "n_drawn")
DRAW_COLUMNS = (
    "uscc",
    "subject_name",
    "grade",
    "draw_order",
    "department_code",
    "grade_source",
    "eval_date",
    "industry_code",
    "district_code",
)


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.date.astype(object).where(series.notna(), None)


def _none_for_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None (not NaN/NaT), so that records and JSON read the same everywhere."""
    return frame.astype(object).where(frame.notna(), None)


def grades_at(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | str,
    scope: Scope,
    department_code: str | None = None,
    uscc: str | None = None,
) -> pd.DataFrame:
    """G1 grades at `as_of` (GRADE_COLUMNS): one row per subject and grading department the viewer's
    scope reaches, limited to one department and/or one subject when given; ordered by department,
    grade, subject. eval_date is datetime64 and missing values pandas' own: the frame holds millions
    of rows at province scale. A list of subjects: refused (DetailsRefused) for a scope of
    aggregates only."""
    require_details(scope, "分级分类主体清单")
    frame = run_query(
        con,
        "grades_at",
        {"as_of": as_date(as_of), "department": department_code, "uscc": uscc},
        scope=scope,
        scope_column="department_code",
    )
    return frame[list(GRADE_COLUMNS)]


def grade_distribution(
    con: duckdb.DuckDBPyConnection, as_of: dt.date | str, scope: Scope, by: str = "department"
) -> pd.DataFrame:
    """Subjects per group and grade at `as_of`: group_code, group_name, grade, n_subjects. By
    department every grading department counts its subjects; by industry or district each subject
    counts once, with the grade its supervising department gives it (see queries/grade_distribution.sql).
    A sum of the changes by day up to `as_of` that the mart grade_distribution_changes holds (built
    with the snapshot from grade_intervals), so any date is exact and reads a small table."""
    if by not in GROUPINGS:
        raise ValueError(f"不支持的分组：{by}（可选 {'、'.join(GROUPINGS)}）")
    frame = run_query(
        con, "grade_distribution", {"as_of": as_date(as_of), "by": by}, scope=scope, scope_column="department_code"
    )
    columns = ["group_code", "group_name", "grade", "n_subjects"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    keys = ["group_code", "group_name", "grade"]
    out = frame.fillna({"group_code": "", "group_name": "未分类"}).groupby(keys, as_index=False)["n_subjects"].sum()
    out["group_code"] = out["group_code"].replace("", None)
    out["n_subjects"] = out["n_subjects"].astype(int)
    return out.sort_values(keys, kind="stable")[columns].reset_index(drop=True)


def grade_history(
    con: duckdb.DuckDBPyConnection, uscc: str, scope: Scope, settings: Settings | None = None
) -> pd.DataFrame:
    """Every evaluation of one subject, newest first (HISTORY_COLUMNS): the provincial
    公共信用综合评价 (department_code NULL; shared with every department, 002 §三(一)2) and the
    departments' own 行业信用评价 that the viewer's scope reaches. Refused (DetailsRefused) for a
    scope of aggregates only."""
    require_details(scope, "主体信用评价记录")
    settings = settings or get_settings()
    params = {"uscc": (uscc or "").strip().upper(), "public_evaluation_name": settings.grades.public_evaluation_name}
    public = run_query(con, "grade_history", {**params, "public": True})
    own = run_query(con, "grade_history", {**params, "public": False}, scope=scope, scope_column="department_code")
    frames = [f for f in (public, own) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["eval_date"] = _dates(out["eval_date"])
    out = out.sort_values(["eval_date", "evaluator"], ascending=[False, True], kind="stable")
    return _none_for_missing(out[list(HISTORY_COLUMNS)].reset_index(drop=True))


def spotcheck_plan(
    con: duckdb.DuckDBPyConnection,
    department_code: str,
    as_of: dt.date | str,
    seed: int,
    scope: Scope,
    ratios: Mapping[str, float] | None = None,
    settings: Settings | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """G3: the department's spot-check plan at `as_of` with a recorded `seed`.

    Returns (plan, drawn): plan has one row per grade A–E (PLAN_COLUMNS: subjects graded, ratio,
    number drawn = ceil(ratio × subjects)); drawn lists the drawn subjects (DRAW_COLUMNS) in draw
    order per grade. `ratios` overrides settings [spotcheck] per grade. The same seed, data and
    ratios give the same draw. Empty when the viewer's scope does not reach the department. The
    drawn list names subjects: refused (DetailsRefused) for a scope of aggregates only."""
    require_details(scope, "抽查名单")
    settings = settings or get_settings()
    chosen = {**settings.spotcheck_ratios, **(ratios or {})}
    params = {
        "as_of": as_date(as_of),
        "department": department_code,
        "seed": int(seed),
        **{f"ratio_{g.lower()}": float(chosen.get(g, 0.0)) for g in GRADES},
    }
    frame = run_query(con, "spotcheck_draw", params, scope=scope, scope_column="department_code")
    frame = frame.sort_values(["grade", "draw_order"], kind="stable").reset_index(drop=True)
    counts = frame.groupby("grade").size() if not frame.empty else pd.Series(dtype=int)
    plan = pd.DataFrame({"grade": list(GRADES)})
    plan["n_subjects"] = plan["grade"].map(counts).fillna(0).astype(int)
    plan["ratio"] = plan["grade"].map(lambda g: float(chosen.get(g, 0.0)))
    drawn_per_grade = frame[frame["is_drawn"].astype(bool)].groupby("grade").size() if not frame.empty else counts
    plan["n_drawn"] = plan["grade"].map(drawn_per_grade).fillna(0).astype(int)
    drawn = frame[frame["is_drawn"].astype(bool)].copy() if not frame.empty else frame
    if "eval_date" in drawn:
        drawn["eval_date"] = _dates(drawn["eval_date"])
    drawn = _none_for_missing(drawn.reindex(columns=list(DRAW_COLUMNS)).reset_index(drop=True))
    return plan[list(PLAN_COLUMNS)], drawn
