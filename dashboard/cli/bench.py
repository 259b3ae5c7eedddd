"""`python -m dashboard bench load | rules | pages`: benchmarks (never run by the tests)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from dashboard.bench.harness import bench_load
from dashboard.bench.pages import bench_pages
from dashboard.bench.rules_twin import bench_rules, bench_warehouse
from dashboard.core.settings import Settings, get_settings


def _cmd_bench_load(args: argparse.Namespace) -> int:
    result = bench_load(get_settings(), args.scale, args.runs)
    return 0 if result["ok"] else 1


def _add_load_bench(bench_sub: argparse._SubParsersAction) -> None:
    p = bench_sub.add_parser("load", help="装载耗时、吞吐与峰值内存")
    p.add_argument("--scale", choices=("city", "province"), default="city")
    p.add_argument("--runs", type=int, default=3)
    p.set_defaults(func=_cmd_bench_load)


def _cmd_bench_rules(args: argparse.Namespace) -> int:
    settings = get_settings()
    snapshot = args.warehouse or bench_warehouse(settings, args.scale)
    result = bench_rules(Path(snapshot), args.as_of, args.runs, settings)
    return 0 if result["ok"] else 1


def _add_rules_bench(bench_sub: argparse._SubParsersAction) -> None:
    """`bench rules`."""
    p = bench_sub.add_parser("rules", help="全部指标与预警的计算耗时（冷/热）及 pandas 对照")
    p.add_argument("--scale", choices=("city", "province"), default="city")
    p.add_argument("--runs", type=int, default=3, help="每项运行次数，取中位数（至少 3）")
    p.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="截至日期（默认数据的最后处罚决定日）")
    p.add_argument("--warehouse", type=Path, default=None, help="直接使用某个快照文件（.duckdb）")
    p.set_defaults(func=_cmd_bench_rules)


def _cmd_bench_pages(args: argparse.Namespace) -> int:
    settings = get_settings()
    runs = max(3, args.runs)
    if args.data_dir is not None:
        bench_settings = Settings.load(env={**os.environ, "DASHBOARD_DATA_DIR": str(args.data_dir)})
    else:
        snapshot = bench_warehouse(settings, args.scale)
        bench_settings = Settings.load(env={**os.environ, "DASHBOARD_DATA_DIR": str(snapshot.parents[2])})
    started = dt.datetime.now()
    results = bench_pages(bench_settings, runs)
    slow = [r.page for r in results if not r.ok]
    print(
        f"{len(results)} 个页面，每项 {runs} 次取中位数，用时 {(dt.datetime.now() - started).seconds} 秒；"
        + ("全部在预算内" if not slow else f"超出预算：{'、'.join(slow)}"),
        file=sys.stderr,
    )
    return 0 if not slow else 1


def _add_pages_bench(bench_sub: argparse._SubParsersAction) -> None:
    """`bench pages`."""
    p = bench_sub.add_parser("pages", help="各页面渲染耗时（冷/热，AppTest）")
    p.add_argument("--scale", choices=("city", "province"), default="city")
    p.add_argument("--runs", type=int, default=3, help="每页运行次数，取中位数（至少 3）")
    p.add_argument("--data-dir", type=Path, default=None, help="直接使用某个数据目录（含已发布快照）")
    p.set_defaults(func=_cmd_bench_pages)


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="性能基准（不在测试中运行）")
    bench_sub = p.add_subparsers(dest="bench_command", required=True)
    _add_load_bench(bench_sub)
    _add_rules_bench(bench_sub)
    _add_pages_bench(bench_sub)
