"""`python -m dashboard bench load | rules | pages | briefing | sessions | browser | all`: benchmarks (never
run by the tests, but for `bench all`'s correctness checks on a tiny warehouse)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from dashboard.bench import all as all_bench
from dashboard.bench import browser as browser_bench
from dashboard.bench.briefing import bench_briefing, bench_data_dir
from dashboard.bench.harness import bench_load
from dashboard.bench.pages import bench_pages
from dashboard.bench.postgres import PostgresUnavailable
from dashboard.bench.rules_twin import bench_rules, bench_warehouse
from dashboard.bench.sessions import (
    MAX_MINUTES,
    MAX_USERS,
    Plan,
    SessionsError,
    format_report,
    run_sessions,
    write_json,
)
from dashboard.cli.arguments import DATE_FORM, iso_date
from dashboard.core import formatting as fmt
from dashboard.core.settings import PROJECT_DIR, Settings, get_settings


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
    p.add_argument(
        "--as-of", type=iso_date, metavar=DATE_FORM, default=None, help="截至日期（默认数据的最后处罚决定日）"
    )
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


def _cmd_bench_sessions(args: argparse.Namespace) -> int:
    plan = Plan(
        url=args.url,
        users=args.users,
        minutes=args.minutes,
        think_seconds=args.think,
        ramp_seconds=args.ramp,
        seed=args.seed,
        pids=tuple(args.pid or ()),
    )
    try:
        report = run_sessions(get_settings(), plan)
    except SessionsError as exc:
        print(str(exc), file=sys.stderr)
        return 2 if str(exc).startswith("参数错误") else 1
    print(format_report(report))
    if args.json is not None:
        write_json(report, args.json)
    return 0 if report.ok else 1


def _add_sessions_bench(bench_sub: argparse._SubParsersAction) -> None:
    """`bench sessions`."""
    p = bench_sub.add_parser(
        "sessions",
        help="多用户并发：Streamlit 协议的轻量客户端登录、打开页面、点击，统计各页 p50/p95、登录、健康检查与服务器 CPU",
    )
    p.add_argument("--url", default="http://127.0.0.1:8501", help="驾驶舱地址（仅限本机 127.0.0.1）")
    p.add_argument("--users", type=int, default=30, help=f"并发用户数（1–{MAX_USERS}，默认 30）")
    p.add_argument("--minutes", type=float, default=3.0, help=f"持续分钟数（不超过 {MAX_MINUTES:g}，默认 3）")
    p.add_argument("--think", type=float, default=2.0, help="两次操作之间的平均思考时间（秒，默认 2）")
    p.add_argument("--ramp", type=float, default=10.0, help="用户在这段时间内陆续进入（秒，默认 10）")
    p.add_argument("--seed", type=int, default=42, help="随机种子（选择页面与点击）")
    p.add_argument(
        "--pid", type=int, action="append", help="服务器进程号，可重复（nginx 后的多个进程；默认按端口自动查找）"
    )
    p.add_argument("--json", type=Path, default=None, help="另将结果写入 JSON 文件")
    p.set_defaults(func=_cmd_bench_sessions)


def _cmd_bench_briefing(args: argparse.Namespace) -> int:
    month = fmt.parse_month_param(args.month) if args.month else None
    if args.month and (month is None or len(args.month) != 7):
        print(f"参数错误：月份须写作 YYYY-MM（如 2026-11），收到“{args.month}”。", file=sys.stderr)
        return 2
    snapshot = bench_warehouse(get_settings(), args.scale)
    bench_settings = Settings.load(env={**os.environ, "DASHBOARD_DATA_DIR": str(bench_data_dir(snapshot))})
    result = bench_briefing(bench_settings, args.scale, max(1, args.runs), month)
    return 0 if result["ok"] else 1


def _add_briefing_bench(bench_sub: argparse._SubParsersAction) -> None:
    """`bench briefing`."""
    p = bench_sub.add_parser("briefing", help="月度通报（Word、PDF）与幻灯片的生成耗时")
    p.add_argument("--scale", choices=("city", "province"), default="city")
    p.add_argument("--runs", type=int, default=3, help="运行次数，取中位数")
    p.add_argument("--month", default=None, help="通报月份 YYYY-MM（默认数据的最近完整月份）")
    p.set_defaults(func=_cmd_bench_briefing)


def _cmd_bench_browser(args: argparse.Namespace) -> int:
    plan = browser_bench.Plan(
        scale=args.scale,
        runs=args.runs,
        url=args.url,
        wait_seconds=args.wait,
        roles=tuple(args.roles.split(",")) if args.roles else browser_bench.ROLES,
        department=args.department,
        max_items=args.items,
        tree=(args.tree or PROJECT_DIR).resolve(),
    )
    try:
        plan.check()
        if args.url is None:
            data_dir = args.data_dir or bench_data_dir(bench_warehouse(get_settings(), args.scale))
            settings = Settings.load(env={**os.environ, "DASHBOARD_DATA_DIR": str(data_dir)})
        else:
            data_dir, settings = None, get_settings()  # the running server's operational store
        report = browser_bench.run_browser(settings, plan, data_dir)
    except browser_bench.BrowserBenchError as exc:
        print(str(exc), file=sys.stderr)
        return 2 if str(exc).startswith("参数错误") else 1
    print(browser_bench.format_report(report))
    if args.json is not None:
        browser_bench.write_json(report, args.json)
    return 0 if report.ok else 1


def _add_browser_bench(bench_sub: argparse._SubParsersAction) -> None:
    """`bench browser`."""
    p = bench_sub.add_parser(
        "browser", help="真实浏览器中的首屏：各角色登录→页面就绪、总览各指标卡片（或本单位工作台各项）的首次点击"
    )
    p.add_argument("--scale", choices=("city", "province"), default="city")
    p.add_argument(
        "--runs", type=int, default=3, help=f"运行次数，每次新启动服务器，取中位数（1–{browser_bench.MAX_RUNS}）"
    )
    p.add_argument("--url", default=None, help="改为测量运行中的驾驶舱（仅限本机 127.0.0.1；须与本命令使用同一运营库）")
    p.add_argument("--data-dir", type=Path, default=None, help="直接使用某个数据目录（含已发布快照）")
    p.add_argument(
        "--tree", type=Path, default=None, help="在另一份项目目录中启动服务器（如旧版本的副本，用于前后对比）"
    )
    p.add_argument("--wait", type=float, default=0.0, help="服务器就绪后等待多少秒再登录（默认 0：立即登录）")
    p.add_argument("--roles", default=None, help="只测这些角色，逗号分隔（leader,office,department）")
    p.add_argument(
        "--department", default=browser_bench.DEFAULT_DEPARTMENT, help="责任单位账号所属部门代码（默认 tax）"
    )
    p.add_argument("--items", type=int, default=None, help="每个落地页只点前 N 项（快速查看；默认全部）")
    p.add_argument("--json", type=Path, default=None, help="另将结果写入 JSON 文件")
    p.set_defaults(func=_cmd_bench_browser)


def _cmd_bench_all(args: argparse.Namespace) -> int:
    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        plan = all_bench.Plan(
            scale=args.scale,
            runs=max(1, args.runs),
            skip=all_bench.parse_skip(args.skip),
            warehouse=args.warehouse,
            as_of=args.as_of,
            postgres_url=args.postgres_url,
        )
        report = all_bench.bench_all(get_settings(), plan, say=say)
    except all_bench.PlanError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except PostgresUnavailable as exc:
        print(f"{exc}（或加 --skip postgres）", file=sys.stderr)
        return 1
    print(all_bench.format_table(report))
    if args.json is not None:
        all_bench.write_json(report, args.json)
    if args.markdown is not None:
        all_bench.write_markdown(report, args.markdown)
    return 0 if report.ok else 1


def _add_all_bench(bench_sub: argparse._SubParsersAction) -> None:
    """`bench all`."""
    p = bench_sub.add_parser(
        "all", help="一次运行全部基准（装载、规则与 pandas、逐条规则对 PostgreSQL 与列扫描、页面），输出一张表"
    )
    p.add_argument("--scale", choices=("city", "province"), default="city")
    p.add_argument("--runs", type=int, default=3, help="每项运行次数，取中位数（默认 3）")
    p.add_argument(
        "--skip", default=None, help=f"不测的部分，逗号分隔（{','.join(all_bench.PARTS)}），如 --skip load,pages"
    )
    p.add_argument(
        "--as-of", type=iso_date, metavar=DATE_FORM, default=None, help="截至日期（默认数据的最后处罚决定日）"
    )
    p.add_argument("--warehouse", type=Path, default=None, help="直接使用某个快照文件（.duckdb）")
    p.add_argument(
        "--postgres-url",
        default=None,
        help="PostgreSQL 对照服务器（默认取环境变量 DASHBOARD_BENCH_POSTGRES_URL，否则启动本机集群）",
    )
    p.add_argument("--json", type=Path, default=None, help="另将全部数字写入 JSON 文件")
    p.add_argument(
        "--markdown", type=Path, default=None, help="另将表格写入 Markdown 文件（docs/benchmarks.md 的格式）"
    )
    p.set_defaults(func=_cmd_bench_all)


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="性能基准（不在测试中运行）")
    bench_sub = p.add_subparsers(dest="bench_command", required=True)
    _add_load_bench(bench_sub)
    _add_rules_bench(bench_sub)
    _add_pages_bench(bench_sub)
    _add_briefing_bench(bench_sub)
    _add_sessions_bench(bench_sub)
    _add_browser_bench(bench_sub)
    _add_all_bench(bench_sub)
