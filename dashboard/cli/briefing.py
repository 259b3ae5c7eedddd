"""`python -m dashboard briefing --month 2026-11 --out DIR`: the month's 通报 (.docx, .pdf) and
briefing deck (.pptx) on the live snapshot (docs/rules.md N2), their paths on stdout."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from dashboard.app import briefing_docs
from dashboard.core import formatting as fmt
from dashboard.core.dates import default_month, local_time_text
from dashboard.core.settings import get_settings
from dashboard.rules.reference import data_horizon
from dashboard.store import opstore, snapshots


def _cmd_briefing(args: argparse.Namespace) -> int:
    settings = get_settings()
    month = fmt.parse_month_param(args.month)
    if month is None or len(args.month) != 7:
        print(f"参数错误：月份须写作 YYYY-MM（如 2026-11），收到“{args.month}”。", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"参数错误：输出位置 {out} 已存在且不是文件夹。", file=sys.stderr)
        return 2
    info = snapshots.current_snapshot(settings)
    if info is None:
        print("尚无已发布的数据快照：请先装载数据（python -m dashboard load …）。", file=sys.stderr)
        return 1
    con = snapshots.connect_readonly(info.path)
    try:
        latest = default_month(info.built_at, data_horizon(con))
        if month > latest:
            print(
                f"参数错误：{fmt.fmt_month(month)}尚无完整数据，通报月份最晚为{fmt.fmt_month(latest)}（{fmt.month_param(latest)}）。",
                file=sys.stderr,
            )
            return 2
        briefing = briefing_docs.briefing_of(con, opstore.get_engine(settings), month, settings, info)
    finally:
        con.close()
    now = dt.datetime.now(dt.UTC)
    try:
        paths = briefing_docs.write_all(briefing, settings, out, now.date(), local_time_text(now))
    except OSError as exc:
        print(f"无法写入 {out}：{exc.strerror or exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(path)
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("briefing", help="生成某月的通报（Word、PDF）和调度会幻灯片")
    p.add_argument("--month", required=True, help="通报月份 YYYY-MM")
    p.add_argument("--out", required=True, help="输出文件夹（不存在则创建）")
    p.set_defaults(func=_cmd_briefing)
