"""`python -m dashboard audit verify | export`: the audit log's hash chain and its export."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import select

from dashboard.access.audit import ACTIONS, audit_head, cli_user, display_frame, export_bytes, record, search, verify
from dashboard.core.settings import get_settings
from dashboard.store.opstore import get_engine


def _parse_when(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _cmd_verify(args: argparse.Namespace) -> int:
    engine = get_engine(get_settings())
    problems = verify(engine)
    with engine.connect() as conn:
        count = conn.execute(select(audit_head.c.last_id).where(audit_head.c.id == 1)).scalar() or 0
    if problems:
        print(f"审计日志校验未通过：发现 {len(problems)} 个问题")
        for p in problems:
            print(f"  - {p.message}")
        return 1
    print(f"审计日志校验通过：共 {count} 条记录，哈希链完整")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    engine = get_engine(get_settings())
    until = _parse_when(args.until)
    frame = search(
        engine,
        user=args.user,
        action=args.action,
        since=_parse_when(args.since),
        until=None if until is None else until + dt.timedelta(days=1),
    )
    table = display_frame(frame)
    out = Path(args.out) if args.out else None
    fmt = "xlsx" if out is not None and out.suffix.lower() == ".xlsx" else "csv"
    payload = export_bytes(table, fmt)
    record(
        engine,
        cli_user(),
        "export",
        {
            "what": "审计日志",
            "format": fmt,
            "file": out.name if out else "stdout",
            "filters": {
                k: v
                for k, v in (("user", args.user), ("action", args.action), ("since", args.since), ("until", args.until))
                if v
            },
        },
        rows=len(table),
    )
    if out is None:
        sys.stdout.write(payload.decode("utf-8-sig"))
    else:
        out.write_bytes(payload)
        print(f"已导出 {len(table)} 条审计记录到 {out}", file=sys.stderr)
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="审计日志：校验哈希链、导出")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    v = audit_sub.add_parser("verify", help="校验审计日志（被修改或删除的记录会被报告，退出码 1）")
    v.set_defaults(func=_cmd_verify)
    e = audit_sub.add_parser("export", help="导出审计日志（CSV 或 XLSX；导出本身也记入审计日志）")
    e.add_argument("--out", help="输出文件（.csv 或 .xlsx）；省略则以 CSV 输出到标准输出")
    e.add_argument("--user", help="只导出此用户的记录")
    e.add_argument("--action", choices=ACTIONS, help="只导出此类操作")
    e.add_argument("--since", metavar="YYYY-MM-DD", help="起始日期（含，北京时间）")
    e.add_argument("--until", metavar="YYYY-MM-DD", help="截止日期（含，北京时间）")
    e.set_defaults(func=_cmd_export)
