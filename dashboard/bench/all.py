"""`python -m dashboard bench all --scale city|province --runs N`: every benchmark in one run and one
table (a separate command, never part of the tests).

In order: the load (dashboard.bench.harness.bench_load: fresh loads, peak memory), the rule sets
against their pandas twin (dashboard.bench.rules_twin.bench_rules), each rule file on its own —
DuckDB against the same SQL transpiled to a tuned PostgreSQL (dashboard.bench.postgres) and against
the bare scan of the columns it reads (dashboard.bench.scan) — and the pages, cold and warm
(dashboard.bench.pages.bench_pages). Each figure is the median of `--runs` runs with the spread
(fastest–slowest run); each comparison carries the issue's budget and ✓/✗. The table is headed by
a description of the machine (processor, cores, memory, system, versions, load average at the
start and at the end: other work on the machine makes the figures noisy).

Fetching: DuckDB's figure is the complete result as an Arrow table (the product's columnar path);
PostgreSQL's is the complete result through psycopg2's fetchall (Python tuples), the usual way to
read it from Python. DuckDB's own fetchall time is kept in the JSON for the same-method comparison.

`--skip load,rules,postgres,scan,pages` leaves parts out; `--json FILE` writes every figure,
`--markdown FILE` writes the table as docs/benchmarks.md holds it (between the markers of its
scale, the rest of the file kept).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.bench import postgres as pg
from dashboard.bench import scan
from dashboard.bench.briefing import bench_data_dir
from dashboard.bench.harness import bench_load
from dashboard.bench.pages import bench_pages
from dashboard.bench.rules_twin import bench_rules, bench_warehouse, default_as_of
from dashboard.core.settings import Settings
from dashboard.store.snapshots import connect_readonly

PARTS = ("load", "rules", "postgres", "scan", "pages")
PART_NAMES = {"load": "装载", "rules": "规则与 pandas", "postgres": "PostgreSQL", "scan": "列扫描", "pages": "页面"}

# Budgets of issue 14 (at province scale; checked at every scale)
LOAD_SECONDS = 120.0
LOAD_PEAK_MB = 4096.0
PAGE_COLD_SECONDS = 2.0
PAGE_WARM_SECONDS = 0.3
RULES_WARM_SECONDS = 1.0
PANDAS_MIN_RATIO = 10.0
POSTGRES_MIN_RATIO = 5.0
SCAN_MAX_RATIO = 3.0
BUSY_LOAD = 1.5  # a load average above this: say that others shared the machine

# Cells use no character of ambiguous width (em dash, ×, ≥, box rules): a Chinese terminal draws
# those double-wide and the columns would no longer line up.
EMPTY = "－"
HEADERS = (
    "项目",
    "本系统（中位数）",
    "波动（最小～最大）",
    "对照",
    "对照（中位数）",
    "对照波动",
    "倍数",
    "预算",
    "达标",
)


@dataclass(frozen=True)
class Plan:
    """What `bench all` runs."""

    scale: str = "city"
    runs: int = 3
    skip: frozenset[str] = frozenset()
    warehouse: Path | None = None  # a snapshot file instead of the scale's benchmark warehouse
    as_of: dt.date | None = None  # default: the data's latest decision date (rules_twin.default_as_of)
    postgres_url: str | None = None


class PlanError(ValueError):
    """A plan that cannot run (the message is for the user, in Chinese)."""


def parse_skip(text: str | None) -> frozenset[str]:
    """'load,pages' → {'load', 'pages'}; an unknown part is an error naming the known ones."""
    parts = frozenset(p.strip() for p in (text or "").split(",") if p.strip())
    unknown = sorted(parts - set(PARTS))
    if unknown:
        raise PlanError(f"参数错误：--skip 不认识 {'、'.join(unknown)}（可选 {','.join(PARTS)}）")
    return parts


@dataclass(frozen=True)
class Measure:
    """The runs of one figure: seconds (unit 's') or megabytes ('MB')."""

    values: tuple[float, ...]
    unit: str = "s"

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure of ours, optionally against a baseline, with its budget."""

    item: str
    ours: Measure
    baseline: str = ""
    theirs: Measure | None = None
    ratio: float | None = None  # baseline ÷ ours (pandas, PostgreSQL); ours ÷ scan (列扫描下限)
    budget: str = ""
    ok: bool | None = None  # None: no budget


@dataclass
class Report:
    plan: Plan
    machine: dict[str, str]
    load_average: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    started: dt.datetime = field(default_factory=dt.datetime.now)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(r.ok is not False for r in self.rows)

    @property
    def results_equal(self) -> bool:
        return all(r.get("same", True) for r in self.details.get("rules", []))

    @property
    def busy(self) -> bool:
        return any(la[0] > BUSY_LOAD for la in self.load_average.values())


# --- the machine -----------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def _os_name() -> str:
    try:
        pretty = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    except OSError:
        pretty = ""
    return f"{pretty or platform.system()}，内核 {platform.release()}"


def machine_description() -> dict[str, str]:
    """Processor, cores, memory, system and the versions that matter, as shown above the table."""
    memory = _memory_gb()
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    return {
        "处理器": _cpu_model(),
        "核数": f"{cores} 个逻辑处理器" + (f"（本进程可用 {usable} 个）" if usable != cores else ""),
        "内存": f"{memory:.1f} GB" if memory is not None else "未知",
        "操作系统": _os_name(),
        "Python": platform.python_version(),
        "DuckDB": duckdb.__version__,
        "pandas": pd.__version__,
    }


def _load_average() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        return (float("nan"),) * 3


# --- running ---------------------------------------------------------------------------------


def _runs(fn: Callable[[], Any], runs: int) -> tuple[tuple[float, ...], Any]:
    """One untimed warm-up call, then `runs` timed calls: their seconds and the warm-up's result."""
    result = fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return tuple(times), result


def _load_rows(figures: Mapping[str, Any]) -> list[Row]:
    seconds = Measure(tuple(figures["runs"]))
    peak = Measure((float(figures["peak_rss_mb"]),), "MB")
    return [
        Row(
            f"装载：全新仓库（{int(figures['rows_read']):,} 行）",
            seconds,
            budget=f"< {LOAD_SECONDS:g} 秒",
            ok=seconds.median < LOAD_SECONDS and bool(figures["ok"]),
        ),
        Row("装载：峰值内存", peak, budget=f"< {LOAD_PEAK_MB / 1024:g} GB", ok=peak.median < LOAD_PEAK_MB),
    ]


def _rules_rows(figures: Mapping[str, Any]) -> list[Row]:
    rows = []
    warm_sums: list[float] = []
    for name, s in figures["sets"].items():
        warm, pandas_runs = Measure(tuple(s["runs"]["warm"])), Measure(tuple(s["runs"]["pandas"]))
        ratio = pandas_runs.median / warm.median if warm.median else float("inf")
        rows.append(
            Row(
                f"{name}（热）" + ("" if s["same"] else "，结果与 pandas 不一致"),
                warm,
                "pandas",
                pandas_runs,
                ratio,
                f"对照至少慢 {PANDAS_MIN_RATIO:g} 倍",
                ratio >= PANDAS_MIN_RATIO and bool(s["same"]),
            )
        )
        warm_sums = (
            [a + b for a, b in zip(warm_sums, s["runs"]["warm"], strict=True)] if warm_sums else list(s["runs"]["warm"])
        )
    total = Measure(tuple(warm_sums))
    rows.append(
        Row("指标与预警合计（热）", total, budget=f"< {RULES_WARM_SECONDS:g} 秒", ok=total.median < RULES_WARM_SECONDS)
    )
    return rows


def _compare_rules(
    con: duckdb.DuckDBPyConnection,
    snapshot: Path,
    settings: Settings,
    plan: Plan,
    as_of: dt.date,
    say: Callable[[str], None],
    report: Report,
) -> list[Row]:
    """Each rule file on DuckDB, on PostgreSQL and against its bare scan (parts not skipped)."""
    runs = max(1, plan.runs)
    rules = pg.measured_rules(settings, as_of)
    catalogue = scan.warehouse_catalogue(con)
    reads = pg.rules_reads(rules, catalogue)
    conn = None
    if "postgres" not in plan.skip:
        url = pg.server_url(plan.postgres_url)
        say("PostgreSQL 对照：准备表副本")
        copy = pg.PostgresCopy(url, say).ensure(con, snapshot, pg.all_reads(reads), catalogue)
        say(
            f"  副本 {copy.schema}：{sum(copy.rows.values()):,} 行，{len(copy.rows)} 张表，{copy.indexes} 个索引；"
            + ("沿用上次的副本" if copy.reused else f"复制用时 {copy.seconds:.1f} 秒")
        )
        conn = pg.connect(url, copy.schema)
        server = pg.server_description(conn)
        report.machine["PostgreSQL"] = server.pop("server_version")
        report.machine["PostgreSQL 设置"] = "，".join(f"{k}={v}" for k, v in server.items())
        report.machine["PostgreSQL 副本"] = (
            f"{len(copy.rows)} 张表 {sum(copy.rows.values()):,} 行（仅规则读取的列，UNLOGGED），{copy.indexes} 个索引，"
            f"VACUUM ANALYZE；{'沿用先前的副本，当时' if copy.reused else ''}复制用时 {copy.seconds:.0f} 秒"
        )
        report.details["postgres_copy"] = {
            "schema": copy.schema,
            "reused": copy.reused,
            "seconds": copy.seconds,
            "rows": dict(copy.rows),
            "indexes": copy.indexes,
        }
    rows: list[Row] = []
    details = []
    try:
        for rule in rules:
            duck_runs, duck_result = _runs(partial(pg.run_duckdb_arrow, con, rule), runs)
            duck_rows_runs, _ = _runs(partial(pg.run_duckdb_rows, con, rule), runs)
            ours = Measure(duck_runs)
            item = f"规则 {rule.label}（{duck_result.num_rows:,} 行）"
            detail: dict[str, Any] = {
                "ids": list(rule.ids),
                "query": rule.query,
                "rows": duck_result.num_rows,
                "tables": list(reads[rule.query].tables),
                "duckdb_arrow": list(duck_runs),
                "duckdb_fetchall": list(duck_rows_runs),
            }
            line = f"  {rule.label}：DuckDB {ours.median:.4f} 秒"
            if conn is not None:
                transpiled = pg.pg_sql(rule.sql)
                pg_runs, pg_result = _runs(partial(pg.run_postgres, conn, rule, transpiled), runs)
                same = pg.same_result(duck_result, pg_result)
                theirs = Measure(pg_runs)
                ratio = theirs.median / ours.median if ours.median else float("inf")
                rows.append(
                    Row(
                        item,
                        ours,
                        "PostgreSQL" + ("" if same else "（结果不一致）"),
                        theirs,
                        ratio,
                        f"对照至少慢 {POSTGRES_MIN_RATIO:g} 倍",
                        ratio >= POSTGRES_MIN_RATIO and same,
                    )
                )
                detail.update(postgres=list(pg_runs), postgres_rows=len(pg_result), same=same)
                line += f"，PostgreSQL {theirs.median:.4f} 秒（{ratio:.1f} 倍，结果{'一致' if same else '不一致'}）"
            if "scan" not in plan.skip:
                floor = Measure(tuple(scan.scan_seconds(con, reads[rule.query], catalogue, runs)))
                ratio = ours.median / floor.median if floor.median else float("inf")
                rows.append(
                    Row(
                        item,
                        ours,
                        "列扫描下限",
                        floor,
                        ratio,
                        f"不超过下限的 {SCAN_MAX_RATIO:g} 倍",
                        ratio <= SCAN_MAX_RATIO,
                    )
                )
                detail["scan"] = list(floor.values)
                line += f"，列扫描 {floor.median:.4f} 秒（{ratio:.1f} 倍）"
            details.append(detail)
            say(line)
    finally:
        if conn is not None:
            conn.close()
    report.details["rules"] = details
    return rows


def _page_rows(results: Iterable[Any]) -> list[Row]:
    from dashboard.app.ui import PAGE_BY_KEY  # noqa: PLC0415 — its caches warn when imported outside a page run

    rows = []
    for r in results:
        title = PAGE_BY_KEY[r.page].title if r.page in PAGE_BY_KEY else r.page
        if r.error:
            failed = Measure((float("nan"),))
            rows.append(Row(f"页面 {title}（出错）", failed, budget="无错误", ok=False))
            continue
        cold, warm = Measure(tuple(r.cold)), Measure(tuple(r.warm))
        rows.append(
            Row(f"页面 {title}（冷）", cold, budget=f"< {PAGE_COLD_SECONDS:g} 秒", ok=cold.median < PAGE_COLD_SECONDS)
        )
        rows.append(
            Row(
                f"页面 {title}（热）",
                warm,
                budget=f"< {PAGE_WARM_SECONDS * 1000:g} 毫秒",
                ok=warm.median < PAGE_WARM_SECONDS,
            )
        )
    return rows


def bench_all(settings: Settings, plan: Plan, say: Callable[[str], None] = print) -> Report:
    """Run every part of `plan` not skipped and collect the table's rows (see the module docstring)."""
    report = Report(plan, machine_description())
    report.load_average["开始"] = _load_average()
    t0 = time.perf_counter()
    runs = max(1, plan.runs)
    if "load" not in plan.skip:
        say(f"装载基准（{plan.scale}，{runs} 次）")
        figures = bench_load(settings, plan.scale, runs, say=say)
        report.details["load"] = dict(figures)
        report.rows += _load_rows(figures)
    snapshot = plan.warehouse or bench_warehouse(settings, plan.scale)
    con = connect_readonly(snapshot)
    try:
        as_of = plan.as_of or default_as_of(con)
        report.details["snapshot"] = snapshot.name
        report.details["as_of"] = as_of.isoformat()
        threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
        report.machine["DuckDB"] += f"（{threads} 个线程）"
        if "rules" not in plan.skip:
            figures = bench_rules(snapshot, as_of, runs, settings, say=say)
            report.details["rule_sets"] = figures
            report.rows += _rules_rows(figures)
        if not {"postgres", "scan"} <= plan.skip:
            say(f"逐条规则（截至 {as_of}，每项 {runs} 次取中位数，另有一次不计时的预热）")
            report.rows += _compare_rules(con, snapshot, settings, plan, as_of, say, report)
    finally:
        con.close()
    if "pages" not in plan.skip:
        if plan.warehouse is not None and not (bench_data_dir(snapshot) / "warehouse" / "CURRENT").is_file():
            raise PlanError("参数错误：--warehouse 指定的快照不在数据目录中，无法测页面；请加 --skip pages")
        say(f"页面基准（冷/热，{max(3, runs)} 次）")
        page_settings = Settings.load(env={**os.environ, "DASHBOARD_DATA_DIR": str(bench_data_dir(snapshot))})
        results = bench_pages(page_settings, max(3, runs), say=say)
        report.details["pages"] = [
            {"page": r.page, "cold": list(r.cold), "warm": list(r.warm), "error": r.error} for r in results
        ]
        report.rows += _page_rows(results)
    report.load_average["结束"] = _load_average()
    report.seconds = time.perf_counter() - t0
    return report


# --- the table -------------------------------------------------------------------------------


def _number(value: float, unit: str) -> str:
    if value != value:  # NaN: nothing measured
        return EMPTY
    if unit == "MB":
        return f"{value:,.0f} MB"
    if value < 0.1:
        return f"{value:.4f} 秒"
    if value < 10:
        return f"{value:.3f} 秒"
    return f"{value:.1f} 秒"


def _spread(m: Measure | None) -> str:
    if m is None or len(m.values) < 2:
        return EMPTY
    return f"{_number(m.low, m.unit).split()[0]}～{_number(m.high, m.unit)}"


def _cells(row: Row) -> tuple[str, ...]:
    return (
        row.item,
        _number(row.ours.median, row.ours.unit),
        _spread(row.ours),
        row.baseline or EMPTY,
        _number(row.theirs.median, row.theirs.unit) if row.theirs else EMPTY,
        _spread(row.theirs),
        f"{row.ratio:.1f} 倍" if row.ratio is not None else EMPTY,
        row.budget or EMPTY,
        {True: "✓", False: "✗", None: EMPTY}[row.ok],
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


RIGHT_ALIGNED = {1, 2, 4, 5, 6}


def _heading(report: Report) -> list[str]:
    plan = report.plan
    lines = [f"规模 {plan.scale}，每项 {max(1, plan.runs)} 次取中位数"]
    if "snapshot" in report.details:
        lines[0] += f"；快照 {report.details['snapshot']}，截至 {report.details['as_of']}"
    if plan.skip:
        lines[0] += f"；未测：{'、'.join(PART_NAMES[p] for p in PARTS if p in plan.skip)}"
    lines += [f"{k}：{v}" for k, v in report.machine.items()]
    lines.append(
        "负载（1/5/15 分钟）："
        + "；".join(f"{when} {' / '.join(f'{x:.2f}' for x in la)}" for when, la in report.load_average.items())
    )
    return lines


def _notes(report: Report) -> list[str]:
    notes = [
        "倍数：与 pandas、PostgreSQL 相比为对照耗时 ÷ 本系统耗时（越大越好）；与列扫描下限相比为本系统耗时 ÷ 只读一遍"
        "所用各列的耗时（越小越好）。",
        "取回方式：本系统为 DuckDB 完整结果取为 Arrow 表；PostgreSQL 为 psycopg2 的 fetchall（Python 元组）。",
    ]
    if "postgres_copy" in report.details:
        notes.append(f"PostgreSQL 与 DuckDB 的结果{'全部一致' if report.results_equal else '有不一致，见上表'}。")
    if report.busy:
        notes.append(f"测量时本机同时有其他工作（负载高于 {BUSY_LOAD:g}），数字有噪声。")
    notes.append(f"全部用时 {report.seconds:.0f} 秒。")
    return notes


def format_table(report: Report) -> str:
    """The report as monospace text: the heading, the aligned table, the notes."""
    cells = [HEADERS, *(_cells(r) for r in report.rows)]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(HEADERS))]
    lines = [*_heading(report), ""]
    for n, row in enumerate(cells):
        lines.append("  ".join(_pad(c, widths[i], i in RIGHT_ALIGNED and n > 0) for i, c in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["", *_notes(report)]
    return "\n".join(lines)


def markers(scale: str) -> tuple[str, str]:
    return f"<!-- bench all: {scale} -->", f"<!-- /bench all: {scale} -->"


def format_markdown(report: Report) -> str:
    """The report as the section of docs/benchmarks.md for its scale (between its markers)."""
    begin, end = markers(report.plan.scale)
    heading = _heading(report)
    lines = [begin, "", f"测于 {report.started:%Y-%m-%d %H:%M}，{heading[0]}。", ""]
    lines += [f"- {line}" for line in heading[1:]]
    lines += [
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---:" if i in RIGHT_ALIGNED else "---" for i in range(len(HEADERS))) + "|",
    ]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in _cells(r)) + " |" for r in report.rows]
    for note in _notes(report):  # one paragraph each
        lines += ["", note]
    lines += ["", end]
    return "\n".join(lines) + "\n"


def write_markdown(report: Report, path: Path) -> None:
    """Put the report's section into `path`: replacing the section of the same scale when the file has
    one, appended otherwise (a new file holds just the section)."""
    section = format_markdown(report)
    begin, end = markers(report.plan.scale)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = (old.rstrip("\n") + "\n\n" if old.strip() else "") + section
    path.write_text(text, encoding="utf-8")


def report_data(report: Report) -> dict[str, Any]:
    """Everything measured, as plain data (the --json file)."""

    def measure(m: Measure | None) -> dict[str, Any] | None:
        if m is None:
            return None
        return {"unit": m.unit, "median": m.median, "min": m.low, "max": m.high, "runs": list(m.values)}

    plan = report.plan
    return {
        "scale": plan.scale,
        "runs": plan.runs,
        "skip": sorted(plan.skip),
        "started": report.started.isoformat(timespec="seconds"),
        "seconds": report.seconds,
        "machine": report.machine,
        "load_average": {k: list(v) for k, v in report.load_average.items()},
        "busy": report.busy,
        "ok": report.ok,
        "results_equal": report.results_equal,
        "headers": list(HEADERS),
        "rows": [
            {
                "item": r.item,
                "ours": measure(r.ours),
                "baseline": r.baseline,
                "theirs": measure(r.theirs),
                "ratio": r.ratio,
                "budget": r.budget,
                "ok": r.ok,
                "cells": list(_cells(r)),
            }
            for r in report.rows
        ],
        "details": report.details,
    }


def write_json(report: Report, path: Path) -> None:
    path.write_text(json.dumps(report_data(report), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
