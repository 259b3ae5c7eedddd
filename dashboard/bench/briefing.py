"""`python -m dashboard bench briefing`: the time to compute the month's figures (rules.briefing)
and render the 通报 (.docx, PDF) and the deck (.pptx, charts through kaleido) on the benchmark
warehouse of a scale — median of the runs, against the budget of issue 13 (city 20 s, province 60 s)."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from dashboard.app import briefing_docs
from dashboard.core.dates import default_month, local_time_text
from dashboard.core.settings import Settings
from dashboard.rules.reference import data_horizon
from dashboard.store import opstore, snapshots

BUDGET_SECONDS = {"city": 20.0, "province": 60.0}


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (Chromium's renderer processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def bench_briefing(settings: Settings, scale: str, runs: int, month: dt.date | None = None) -> dict[str, Any]:
    """Time `runs` generations of the month's three files on the live snapshot of `settings`
    (default month: the latest complete month of the data, as the pages default to); prints one
    line per run and the medians on stderr; returns the medians and whether the total is in budget."""
    info = snapshots.current_snapshot(settings)
    if info is None:
        raise RuntimeError("基准数据目录中没有已发布的快照")
    engine = opstore.get_engine(settings)
    con = snapshots.connect_readonly(info.path)
    rows = []
    try:
        month = month or default_month(info.built_at, data_horizon(con))
        for n in range(1, runs + 1):
            started, cpu = time.perf_counter(), _cpu_seconds()
            b = briefing_docs.briefing_of(con, engine, month, settings, info)
            computed = time.perf_counter()
            files = briefing_docs.render_all(b, settings, dt.date.today(), local_time_text(dt.datetime.now(dt.UTC)))
            rendered = time.perf_counter()
            rows.append((computed - started, rendered - computed, rendered - started, _cpu_seconds() - cpu))
            sizes = "、".join(f"{kind} {len(data) / 1024:.0f} KB" for kind, (_, data) in files.items())
            print(
                f"第 {n} 次：计算 {rows[-1][0]:.1f} 秒，生成文件 {rows[-1][1]:.1f} 秒，合计 {rows[-1][2]:.1f} 秒，"
                f"CPU {rows[-1][3]:.1f} 秒（{sizes}）",
                file=sys.stderr,
            )
    finally:
        con.close()
    compute, render, total, cpu_total = (statistics.median(r[i] for r in rows) for i in range(4))
    budget = BUDGET_SECONDS.get(scale, BUDGET_SECONDS["city"])
    ok = total < budget
    print(
        f"{scale} 规模 {month:%Y-%m} 月度通报 + 幻灯片：{runs} 次中位数 合计 {total:.1f} 秒"
        f"（计算 {compute:.1f} 秒，生成文件 {render:.1f} 秒；CPU {cpu_total:.1f} 秒），预算 {budget:.0f} 秒，"
        f"{'达标' if ok else '超出预算'}；本机负载 {os.getloadavg()[0]:.1f}（{os.cpu_count()} 核）"
    )
    return {
        "ok": ok,
        "month": month,
        "compute_s": compute,
        "render_s": render,
        "total_s": total,
        "cpu_s": cpu_total,
        "budget_s": budget,
    }


def bench_data_dir(snapshot: Path) -> Path:
    """The data folder of a benchmark warehouse's live snapshot (<data>/warehouse/snapshots/<id>)."""
    return snapshot.parents[2]
