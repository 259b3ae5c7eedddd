"""Benchmark of the rule engine: `python -m dashboard bench rules --scale city|province --runs N`
(a separate command, never part of the tests).

For one as-of date it times every rule set in RULE_BENCHES — all city indicators (docs/rules.md §4)
and all warnings (§3) — on the DuckDB warehouse, cold (a fresh read-only connection each run) and
warm (one connection, repeated), as the median of N runs; then the same computation written in
plain pandas over the same tables, loaded into memory beforehand (the load is not timed), and the
ratio. The two answers are compared, so the baseline is also an independent check of the SQL.
Budget (README "Benchmarks"): all indicators + all warnings under 3 s warm at province scale, DuckDB at least
3× faster than pandas.

The warehouse is the seeded demo at that scale (the drop cached by dashboard.bench.harness, loaded once
into data/bench/rules-<scale>-seed42/), or any snapshot file given with --warehouse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dashboard.bench.harness import SEED, bench_drop, timed_load
from dashboard.core.scope import Scope
from dashboard.core.settings import Settings
from dashboard.core.workdays import deadline_dates
from dashboard.load.loading import live_derived_tables_current, rebuild
from dashboard.rules.credit_warnings import warnings_at
from dashboard.rules.indicators import indicators_at
from dashboard.store.snapshots import connect_readonly, current_snapshot

Tables = Mapping[str, pd.DataFrame]


@dataclass(frozen=True)
class RuleBench:
    """One rule set to time: its DuckDB computation, the tables its pandas twin reads, the pandas
    twin, and a function turning either answer into comparable plain data."""

    name: str
    run_duckdb: Callable[[duckdb.DuckDBPyConnection, dt.date, Settings], Any]
    tables: tuple[str, ...]
    run_pandas: Callable[[Tables, dt.date, Settings], Any]
    comparable: Callable[[Any], Any]


# --- indicators: DuckDB ---------------------------------------------------------------------


def duckdb_indicators(con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings) -> pd.DataFrame:
    return indicators_at(con, as_of, Scope.all(), settings=settings)


def indicator_fractions(result: Any) -> dict[str, tuple[int | None, int | None]]:
    """indicator id → (numerator, denominator), from indicators_at rows or the pandas dict."""
    if isinstance(result, pd.DataFrame):
        result = {r.indicator_id: (r.numerator, r.denominator) for r in result.itertuples()}

    def whole(v: Any) -> int | None:
        return None if v is None or pd.isna(v) else int(v)

    return {k: (whole(numerator), whole(denominator)) for k, (numerator, denominator) in result.items()}


# --- indicators: the same in plain pandas ---------------------------------------------------

INDICATOR_TABLES = (
    "indicator_subjects",
    "subject_facts",
    "penalty_facts",
    "license_facts",
    "tax_credit",
    "serious_dishonest",
    "collections",
    "disclosure_ledger",
    "objections",
    "commitments",
    "evaluations",
    "government_party_records",
    "ref_calendar",
    "ref_department_names",
    "ref_departments",
)


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _surviving(subjects: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    s = subjects
    return s[s["is_enterprise"] & (s["alive_from"] <= day) & (s["alive_until"].isna() | (s["alive_until"] > day))]


def _has_flag(flags: pd.Series, flag: str) -> pd.Series:
    return (";" + flags.fillna("") + ";").str.contains(f";{flag};", regex=False)


def pandas_indicators(t: Tables, as_of: dt.date, settings: Settings) -> dict[str, tuple[int | None, int | None]]:
    """Every city indicator at `as_of` as (numerator, denominator), computed with pandas only
    from the warehouse tables (the baseline of the benchmark, and a cross-check of the SQL)."""
    T = _ts(as_of)
    months = settings.windows.indicator_months
    ws = T - pd.DateOffset(months=months)
    out: dict[str, tuple[int | None, int | None]] = {}
    names = t["ref_department_names"].set_index("name")["department_code"]
    subjects = t["indicator_subjects"]
    surviving = _surviving(subjects, T)
    n_surviving = len(surviving)

    # I02: the reference month is the last complete month on or before T
    ref_month = (T + pd.Timedelta(days=1)).replace(day=1) - pd.DateOffset(months=1)
    ref_end = ref_month + pd.DateOffset(months=1) - pd.Timedelta(days=1)
    col = t["collections"]
    n_ref = len(_surviving(subjects, ref_end))
    for cat, i in (("纳税", "I02a"), ("水费", "I02b"), ("电费", "I02c")):
        covered = col.loc[(col["category"] == cat) & (col["month"] == ref_month), "subjects_covered"].sum()
        out[i] = (int(covered), n_ref)
    grid = pd.date_range(end=ref_month, periods=months, freq="MS")
    for cat, i in (("燃气费", "I02d"), ("不动产", "I02e"), ("科技研发", "I02f")):
        per_month = col[col["category"] == cat].groupby("month")["records"].sum()
        pushed = per_month[per_month > 0].index
        out[i] = (int((~grid.isin(pushed)).sum()), len(grid))

    # I03
    reg = t["subject_facts"]
    reg = reg[reg["established_date"] <= T]
    dup = reg.groupby("uscc")["name"].transform("nunique") >= 2
    out["I03"] = (int((~reg["is_uscc_valid"] | dup).sum()), len(reg))

    # I04
    pen = t["penalty_facts"]
    cols = ["decision_date", "reported_at", "quality_flags"]
    disclosed = pd.concat([pen.loc[~pen["is_excluded_p7"], cols], t["license_facts"][cols]], ignore_index=True)
    rep = disclosed[
        (disclosed["decision_date"] > ws)
        & (disclosed["decision_date"] <= T)
        & (disclosed["reported_at"].isna() | (disclosed["reported_at"] <= T))
    ]
    # timely: reported on or before the deadline date (docs/rules.md conventions, one definition)
    deadline = pd.to_datetime(deadline_dates(rep["decision_date"], settings.sla.disclosure_working_days))
    ledger = t["disclosure_ledger"]
    n_ledger = ledger.loc[(ledger["month"] > ws) & (ledger["month"] <= T), "decisions"].sum()
    out["I04a"] = (len(rep), int(n_ledger))
    out["I04b"] = (int((rep["quality_flags"].fillna("") == "").sum()), len(rep))
    out["I04c"] = (int((rep["reported_at"] <= deadline).sum()), len(rep))

    # I05
    obj = t["objections"]
    obj = obj[(obj["received_date"] > ws) & (obj["received_date"] <= T)]
    allowed = np.where(
        obj["concerns_grading"].fillna(False).astype(bool),
        settings.sla.grading_objection_working_days,
        settings.sla.objection_working_days,
    )
    answered = obj["answered_date"].notna() & (obj["answered_date"] <= T)
    deadline = pd.to_datetime(deadline_dates(obj["received_date"], pd.Series(allowed, index=obj.index)))
    out["I05"] = (int((answered & (obj["answered_date"] <= deadline)).sum()), len(obj))

    # I08
    com = t["commitments"]
    n_signed = int(((com["signed_date"] > ws) & (com["signed_date"] <= T)).sum())
    out["I08a"] = (n_signed, None)
    judged = com[(com["due_date"] <= T) & com["fulfilment"].isin(["履约", "未履约"])]
    out["I08b"] = (int((judged["fulfilment"] == "履约").sum()), len(judged))

    # I10
    ev = t["evaluations"]
    ev = ev[(ev["eval_date"] > ws) & (ev["eval_date"] <= T)]
    listed = t["ref_departments"].loc[t["ref_departments"]["grading_listed"], "department_code"]
    grading = set(ev["evaluator"].str.strip().map(names).dropna())
    out["I10a"] = (int(listed.isin(grading).sum()), len(listed))
    out["I10b"] = (int(surviving["uscc"].isin(set(ev["uscc"])).sum()), n_surviving)

    # I12
    p = pen[
        pen["is_public_credit_info"]
        & (pen["repair_eligible_date"] > ws)
        & (pen["repair_eligible_date"] <= T)
        & (pen["decision_date"] <= T)
    ]
    repaired = p["repaired_date"].notna() & (p["repaired_date"] <= T)
    open_ = ~repaired & (p["publicity_end_date"] >= T)
    out["I12"] = (int(repaired.sum()), int((repaired | open_).sum()))

    # I14
    tax = t["tax_credit"]
    published = tax["published_date"].fillna(pd.to_datetime((tax["year"] + 1).astype(str) + "-04-30"))
    tax = tax[published <= T]
    if len(tax):
        a_grade = set(tax.loc[(tax["year"] == tax["year"].max()) & (tax["grade"] == "A"), "uscc"])
    else:
        a_grade = set()
    out["I14"] = (int(surviving["uscc"].isin(a_grade).sum()), n_surviving)

    # I15
    sd = t["serious_dishonest"]
    sd = sd[sd["listed_date"] <= T]
    off = sd["removed_date"].fillna(pd.Timestamp("2262-01-01"))
    enterprise = ~_has_flag(sd["_flags"], "uscc_invalid") & sd["uscc"].str[:2].eq("91")
    on_at_t = off > T
    out["I15a"] = (sd.loc[enterprise & on_at_t, "uscc"].nunique(), n_surviving)
    first = sd[enterprise].groupby("uscc")["listed_date"].min()
    out["I15b"] = (int((first > ws).sum()), n_surviving)
    in_window = sd.loc[off > ws + pd.Timedelta(days=1), "uscc"].unique()
    still_on = set(sd.loc[on_at_t, "uscc"])
    out["I15c"] = (int(sum(u not in still_on for u in in_window)), len(in_window))

    # I19
    g = t["government_party_records"]
    g = g[(g["start_date"] <= T) & (g["end_date"].isna() | (g["end_date"] > T))]
    dishonest = g["is_dishonest"].fillna(False).astype(bool) & (
        g["dishonest_published_date"].fillna(g["start_date"]) <= T
    )
    out["I19"] = (g.loc[(g["source_entity"] == "serious_dishonest") | dishonest, "party_key"].nunique(), None)
    return out


INDICATORS = RuleBench("全部监测指标", duckdb_indicators, INDICATOR_TABLES, pandas_indicators, indicator_fractions)


# --- warnings: DuckDB and the same in plain pandas ------------------------------------------


def duckdb_warnings(con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings) -> pd.DataFrame:
    return warnings_at(con, as_of, Scope.all(), settings=settings)


WARNING_TABLES = (
    "penalty_facts",
    "license_facts",
    "abnormal_operations",
    "executees",
    "evaluations",
    "loans",
    "campaign_lists",
    "government_party_records",
    "indicator_subjects",
    "ref_department_names",
)


def _warning_id(kind: str, subject: pd.Series, department: pd.Series, anchor: pd.Series) -> pd.Series:
    keys = kind + "|" + subject.astype(str) + "|" + department.fillna("").astype(str) + "|" + anchor.astype(str)
    return keys.map(lambda k: f"{kind}-{hashlib.md5(k.encode('utf-8')).hexdigest()[:12]}")


def _dates_of(keys: pd.Series, dates: pd.Series) -> pd.Series:
    """keys.map(dates), keeping the datetime type also when `dates` is empty (NaT where missing)."""
    return pd.Series(dates.reindex(keys.to_numpy()).to_numpy(), index=keys.index)


def _months_later(days: pd.Series, months: int) -> pd.Series:
    """The first day T with T − months >= day (day + months, or the day after a clamped month end)."""
    later = days + pd.DateOffset(months=months)
    return later + pd.to_timedelta((later.dt.day < days.dt.day).astype(int), unit="D")


def _w1(pf: pd.DataFrame, T: pd.Timestamp, w) -> list[pd.DataFrame]:
    pub = pf[
        pf["is_public_credit_info"]
        & pf["uscc"].notna()
        & ~pf["is_natural_person"].fillna(False).astype(bool)
        & (pf["decision_date"] <= T)
    ]
    at_t = pub[(pub["publicity_end_date"] >= T) & (pub["repaired_date"].isna() | (pub["repaired_date"] > T))]
    at_t = at_t.assign(
        short=at_t["decision_date"] > T - pd.DateOffset(months=w.short_months),
        long=at_t["decision_date"] > T - pd.DateOffset(months=w.long_months),
    )
    counts = at_t.groupby("uscc")[["short", "long"]].sum()
    counts = counts.assign(
        short_ok=counts["short"] >= w.short_min_decisions, long_ok=counts["long"] >= w.long_min_decisions
    )
    warned = counts[counts["short_ok"] | counts["long_ok"]]
    counted = at_t[at_t["uscc"].isin(warned.index)]
    long_ok = counted["uscc"].map(warned["long_ok"])
    counted = counted[(long_ok & counted["long"]) | (~long_ok & counted["short"])]

    # episode start: enter/leave events of the warned subjects' penalties, running sums per subject
    h = pub[pub["uscc"].isin(warned.index)]
    publicity_exit = h["publicity_end_date"] + pd.Timedelta(days=1)
    repair_exit = h["repaired_date"].fillna(publicity_exit)
    short_until = pd.concat(
        [_months_later(h["decision_date"], w.short_months), publicity_exit, repair_exit], axis=1
    ).min(axis=1)
    long_until = pd.concat([_months_later(h["decision_date"], w.long_months), publicity_exit, repair_exit], axis=1).min(
        axis=1
    )
    s_in, l_in = short_until > h["decision_date"], long_until > h["decision_date"]
    events = pd.concat(
        [
            pd.DataFrame(
                {"uscc": h["uscc"], "day": h["decision_date"], "ds": s_in.astype(int), "dl": l_in.astype(int)}
            ),
            pd.DataFrame({"uscc": h["uscc"][s_in], "day": short_until[s_in], "ds": -1, "dl": 0}),
            pd.DataFrame({"uscc": h["uscc"][l_in], "day": long_until[l_in], "ds": 0, "dl": -1}),
        ]
    )
    daily = events[events["day"] <= T].groupby(["uscc", "day"], as_index=False)[["ds", "dl"]].sum()
    daily[["n_short", "n_long"]] = daily.groupby("uscc")[["ds", "dl"]].cumsum()
    gap = (daily["n_short"] < w.short_min_decisions) & (daily["n_long"] < w.long_min_decisions)
    last_gap = _dates_of(daily["uscc"], daily[gap].groupby("uscc")["day"].max())
    after = daily[last_gap.isna() | (daily["day"] > last_gap)]
    start = after.groupby("uscc")["day"].min()
    opening = h[h["decision_date"] == _dates_of(h["uscc"], start)].groupby("uscc")["decision_no"].min()

    anchors = counted.sort_values(["decision_date", "decision_no"]).groupby("uscc")["decision_no"].agg(tuple)
    routes = counted[["uscc", "department_code"]].drop_duplicates()
    return [
        pd.DataFrame(
            {
                "warning_id": _warning_id("W1", routes["uscc"], routes["department_code"], routes["uscc"].map(opening)),
                "warning_type": "W1",
                "department_code": routes["department_code"],
                "anchor_records": routes["uscc"].map(anchors),
                "first_seen_date": routes["uscc"].map(start),
            }
        )
    ]


def pandas_warnings(t: Tables, as_of: dt.date, settings: Settings) -> pd.DataFrame:
    """Every warning at `as_of` computed with pandas only from the warehouse tables: warning_id,
    warning_type, department_code, anchor_records, first_seen_date, risk_level, escalated (the
    baseline of the benchmark, and an independent check of the SQL and of the id formula)."""
    T = _ts(as_of)
    w = settings.windows
    names = t["ref_department_names"].set_index("name")["department_code"]
    supervisor = t["indicator_subjects"].set_index("uscc")["supervising_department_code"]
    pf = t["penalty_facts"]
    out = _w1(pf, T, w)

    # W1b
    b = pf[
        pf["is_public_credit_info"]
        & pf["uscc"].notna()
        & ~pf["is_natural_person"].fillna(False).astype(bool)
        & (pf["decision_date"] <= T)
        & (pf["publicity_end_date"] >= T)
        & (pf["repaired_date"].isna() | (pf["repaired_date"] > T))
        & (pf["repair_eligible_date"] <= T)
    ]
    out.append(
        pd.DataFrame(
            {
                "warning_id": _warning_id("W1b", b["uscc"], b["department_code"], b["decision_no"]),
                "warning_type": "W1b",
                "department_code": b["department_code"],
                "anchor_records": b["decision_no"].map(lambda n: (n,)),
                "first_seen_date": b["repair_eligible_date"],
            }
        )
    )

    # W1c
    c = t["campaign_lists"]
    c = c[(c["listed_date"] <= T) & (c["closed_date"].isna() | (c["closed_date"] > T))]
    dept = c["department"].str.strip().map(names)
    out.append(
        pd.DataFrame(
            {
                "warning_id": _warning_id("W1c", c["uscc"], dept.fillna(c["department"]), c["campaign"]),
                "warning_type": "W1c",
                "department_code": dept,
                "anchor_records": c["campaign"].map(lambda n: (n,)),
                "first_seen_date": c["listed_date"],
            }
        )
    )

    # W2
    lf = t["license_facts"]
    horizon = pd.DateOffset(months=w.licence_horizon_months)
    lic = lf[
        lf["is_valid_status"].fillna(False).astype(bool)
        & lf["uscc"].notna()
        & (lf["valid_to"] >= T)
        & (lf["valid_to"] < T + horizon)
    ]
    ab = t["abnormal_operations"]
    abnormal = set(ab.loc[(ab["listed_date"] <= T) & (ab["removed_date"].isna() | (ab["removed_date"] > T)), "uscc"])
    ex = t["executees"]
    dishonest = set(
        ex.loc[
            ex["is_dishonest"].fillna(False).astype(bool)
            & ex["uscc"].notna()
            & (ex["filed_date"] <= T)
            & (ex["closed_date"].isna() | (ex["closed_date"] > T)),
            "uscc",
        ]
    )
    month_end = lic["valid_to"] + pd.offsets.MonthEnd(0) == lic["valid_to"]
    back = lic["valid_to"] - horizon
    seen = back.where(~month_end, back + pd.offsets.MonthEnd(0)) + pd.Timedelta(days=1)
    high = lic["uscc"].isin(abnormal) | lic["uscc"].isin(dishonest)
    out.append(
        pd.DataFrame(
            {
                "warning_id": _warning_id("W2", lic["uscc"], lic["department_code"], lic["license_no"]),
                "warning_type": "W2",
                "department_code": lic["department_code"],
                "anchor_records": lic["license_no"].map(lambda n: (n,)),
                "first_seen_date": seen,
                "risk_level": np.where(high, "高", "一般"),
            }
        )
    )

    # W3
    ev = t["evaluations"]
    ev = ev[(ev["evaluator"] == settings.grades.public_evaluation_name) & (ev["eval_date"] <= T)]
    ev = ev.assign(below=ev["grade"].isin(settings.grades.below_medium))
    latest = ev.sort_values("eval_date").groupby("uscc").tail(1)
    latest = latest[latest["below"]].set_index("uscc")
    run = ev[ev["uscc"].isin(latest.index)]
    good = _dates_of(run["uscc"], ev[~ev["below"]].groupby("uscc")["eval_date"].max())
    run = run[good.isna() | (run["eval_date"] > good)]
    start = run.groupby("uscc")["eval_date"].min()
    u = latest.index.to_series()
    dept3 = u.map(supervisor)
    out.append(
        pd.DataFrame(
            {
                "warning_id": _warning_id("W3", u, dept3, u.map(start).dt.strftime("%Y-%m-%d")),
                "warning_type": "W3",
                "department_code": dept3,
                "anchor_records": latest["eval_date"].dt.strftime("%Y-%m-%d").map(lambda d: (d,)),
                "first_seen_date": u.map(start),
            }
        ).reset_index(drop=True)
    )

    # W4
    g = t["government_party_records"]
    g = g[(g["source_entity"] == "executees") & (g["start_date"] <= T) & (g["end_date"].isna() | (g["end_date"] > T))]
    out.append(
        pd.DataFrame(
            {
                "warning_id": _warning_id("W4", g["party_key"], g["department_code"], g["record_ref"]),
                "warning_type": "W4",
                "department_code": g["department_code"],
                "anchor_records": g["record_ref"].map(lambda n: (n,)),
                "first_seen_date": g["start_date"],
                "escalated": g["is_dishonest"].fillna(False).astype(bool),
            }
        )
    )

    # W5
    lo = t["loans"]
    buffer = pd.to_timedelta(lo["buffer_days"].fillna(settings.default_buffer_days).astype(int), unit="D")
    late = lo[(lo["repaid_date"].isna() | (lo["repaid_date"] > T)) & (lo["due_date"] + buffer < T)]
    late_buffer = buffer[late.index]
    routes = pd.concat(
        [
            late.assign(department_code=settings.routing["w5_department"]),
            late.assign(department_code=late["uscc"].map(supervisor)).dropna(subset=["department_code"]),
        ]
    )
    routes = routes.drop_duplicates(["loan_id", "department_code"])
    out.append(
        pd.DataFrame(
            {
                "warning_id": _warning_id("W5", routes["uscc"], routes["department_code"], routes["loan_id"]),
                "warning_type": "W5",
                "department_code": routes["department_code"],
                "anchor_records": routes["loan_id"].map(lambda n: (n,)),
                "first_seen_date": routes["due_date"] + late_buffer.reindex(routes.index) + pd.Timedelta(days=1),
            }
        )
    )
    return pd.concat([f for f in out if len(f)], ignore_index=True)


def warning_keys(result: pd.DataFrame) -> set[tuple]:
    """(id, type, department, anchors, first seen, risk, escalated) of every warning."""

    def plain(value):
        return None if value is None or (not isinstance(value, (tuple, list)) and pd.isna(value)) else value

    frame = result.reindex(
        columns=[
            "warning_id",
            "warning_type",
            "department_code",
            "anchor_records",
            "first_seen_date",
            "risk_level",
            "escalated",
        ]
    )
    return {
        (
            r.warning_id,
            r.warning_type,
            plain(r.department_code),
            tuple(r.anchor_records),
            pd.Timestamp(r.first_seen_date).date().isoformat(),
            plain(r.risk_level),
            bool(plain(r.escalated)),
        )
        for r in frame.itertuples()
    }


WARNINGS = RuleBench("全部信用预警", duckdb_warnings, WARNING_TABLES, pandas_warnings, warning_keys)

# Every rule set the benchmark times (the warnings add theirs here).
RULE_BENCHES: list[RuleBench] = [INDICATORS, WARNINGS]


# --- running --------------------------------------------------------------------------------


def load_tables(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Whole tables into pandas (through the relation API: names come from the allow-lists above)."""
    return {name: con.table(name).df() for name in dict.fromkeys(names)}


def _timed_runs(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    """The seconds of each of `runs` calls and the last result."""
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def default_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The latest decision date in the data (the day the demo data runs up to)."""
    latest = con.table("penalties").aggregate("max(decision_date)").fetchall()[0][0]
    return latest or dt.date.today()


def bench_rules(
    snapshot: Path, as_of: dt.date | None, runs: int, settings: Settings, say: Callable[[str], None] = print
) -> dict[str, Any]:
    """Time every rule set cold, warm and in pandas on one snapshot file; print and return the
    figures (seconds are medians of `runs`)."""
    runs = max(int(runs), 3)
    con = connect_readonly(snapshot)
    as_of = as_of or default_as_of(con)
    say(f"规则基准：{snapshot.name}，截至 {as_of}，每项取 {runs} 次中位数")
    figures: dict[str, Any] = {"as_of": as_of.isoformat(), "sets": {}}
    totals = {"cold": 0.0, "warm": 0.0, "pandas": 0.0}
    for bench in RULE_BENCHES:

        def cold(bench: RuleBench = bench) -> Any:
            fresh = connect_readonly(snapshot)
            try:
                return bench.run_duckdb(fresh, as_of, settings)
            finally:
                fresh.close()

        cold_runs, _ = _timed_runs(cold, runs)
        bench.run_duckdb(con, as_of, settings)  # warm the connection once
        warm_runs, duck_result = _timed_runs(partial(bench.run_duckdb, con, as_of, settings), runs)
        t0 = time.perf_counter()
        tables = load_tables(con, bench.tables)
        load_s = time.perf_counter() - t0
        pandas_runs, pandas_result = _timed_runs(partial(bench.run_pandas, tables, as_of, settings), runs)
        cold_s, warm_s, pandas_s = (statistics.median(r) for r in (cold_runs, warm_runs, pandas_runs))
        same = bench.comparable(duck_result) == bench.comparable(pandas_result)
        ratio = pandas_s / warm_s if warm_s else float("inf")
        say(
            f"  {bench.name}：DuckDB 冷启动 {cold_s:.3f} 秒，热 {warm_s:.3f} 秒；pandas {pandas_s:.3f} 秒"
            f"（另读表 {load_s:.1f} 秒）；pandas/DuckDB = {ratio:.1f}×；结果{'一致' if same else '不一致'}"
        )
        if not same:
            a, b = bench.comparable(duck_result), bench.comparable(pandas_result)
            diff: dict[Any, Any] | None = (
                {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
                if isinstance(a, dict) and isinstance(b, dict)
                else None
            )
            if isinstance(a, set) and isinstance(b, set):  # warnings: a few rows found by one side only
                diff = {"仅 DuckDB": sorted(a - b, key=str)[:5], "仅 pandas": sorted(b - a, key=str)[:5]}
            say(f"    差异（DuckDB, pandas）：{diff}")
        figures["sets"][bench.name] = {
            "cold": cold_s,
            "warm": warm_s,
            "pandas": pandas_s,
            "ratio": ratio,
            "same": same,
            "runs": {"cold": cold_runs, "warm": warm_runs, "pandas": pandas_runs},  # each run's seconds
        }
        totals["cold"] += cold_s
        totals["warm"] += warm_s
        totals["pandas"] += pandas_s
        del tables
    con.close()
    ratio = totals["pandas"] / totals["warm"] if totals["warm"] else float("inf")
    say(
        f"合计：DuckDB 冷启动 {totals['cold']:.3f} 秒，热 {totals['warm']:.3f} 秒（预算 3 秒）；"
        f"pandas {totals['pandas']:.3f} 秒；pandas/DuckDB = {ratio:.1f}×（要求 ≥ 3×）"
    )
    figures.update(
        totals,
        ratio=ratio,
        ok=totals["warm"] < 3.0 and ratio >= 3.0 and all(s["same"] for s in figures["sets"].values()),
    )
    return figures


def bench_warehouse(settings: Settings, scale: str) -> Path:
    """The live snapshot of the benchmark warehouse of this scale: the seeded demo drop (cached by
    dashboard.bench.harness) loaded into data/bench/rules-<scale>-seed42/ once, its marts and precomputed
    warnings rebuilt (loading.rebuild) when another build or other settings made them."""
    data_dir = settings.data_dir / "bench" / f"rules-{scale}-seed{SEED}"
    bench_settings = Settings.load(env={"DASHBOARD_DATA_DIR": str(data_dir)})
    info = current_snapshot(bench_settings)
    if info is not None and not live_derived_tables_current(bench_settings):
        outcome = rebuild(bench_settings, wait=True)
        print(
            f"重建 {scale} 规模数据的数据集市与预警：{outcome.seconds:.1f} 秒，状态 {outcome.status}", file=sys.stderr
        )
        info = current_snapshot(bench_settings)
    if info is None:
        drop = bench_drop(settings, scale)
        run = timed_load(drop, data_dir)
        print(f"装载 {scale} 规模数据：{run.seconds:.1f} 秒，状态 {run.status}", file=sys.stderr)
        info = current_snapshot(bench_settings)
        if info is None:
            raise RuntimeError(f"装载失败，未生成快照：{data_dir}")
    return info.path
