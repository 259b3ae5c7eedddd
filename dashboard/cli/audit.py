"""`python -m dashboard audit verify | rotate-key | export`: the audit log's keyed chain, its
checkpoints outside the database, key rotation, and the export."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from dashboard.access.audit import (
    ACTIONS,
    NEW_KEY_VARIABLE,
    OLD_KEYS_VARIABLE,
    AuditKeyError,
    anchor_path,
    cli_user,
    display_frame,
    export_bytes,
    record,
    rotate_key,
    search,
    verify_report,
)
from dashboard.cli.arguments import DATE_FORM, iso_date
from dashboard.core import os_errors
from dashboard.core.settings import get_settings
from dashboard.store.opstore import get_engine

SHOWN_PROBLEMS = 50  # the rest is counted, not listed


def _cmd_verify(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = get_engine(settings)
    try:
        report = verify_report(engine)
    except AuditKeyError as exc:
        print(f"审计日志无法校验：{exc}", file=sys.stderr)
        return 1
    checked = (
        f"密钥来源：{report.key_source}；锚点文件 {anchor_path(settings)} 核对 {report.anchors_checked} 处，"
        f"数据快照核对 {report.snapshots_checked} 个"
    )
    if report.unkeyed_entries:
        checked += f"；前 {report.unkeyed_entries} 条为升级前的无密钥哈希链记录（已按 sha256 校验）"
    if report.problems:
        print(f"审计日志校验未通过：发现 {len(report.problems)} 个问题")
        for p in report.problems[:SHOWN_PROBLEMS]:
            print(f"  - {p.message}")
        if len(report.problems) > SHOWN_PROBLEMS:
            print(f"  …… 另有 {len(report.problems) - SHOWN_PROBLEMS} 个问题未列出")
        print(checked)
        return 1
    print(f"审计日志校验通过：共 {report.entries} 条记录，签名链完整，与链外检查点一致")
    print(checked)
    return 0


def _cmd_rotate_key(args: argparse.Namespace) -> int:
    engine = get_engine(get_settings())
    given = os.environ.get(NEW_KEY_VARIABLE, "").strip() or None
    try:
        entry, _new, before = rotate_key(engine, cli_user(), given)
    except AuditKeyError as exc:
        print(f"审计密钥未轮换：{exc}", file=sys.stderr)
        return 1
    print(f"审计密钥已轮换（第 {entry.id} 条记录，由旧密钥与新密钥共同签名）。")
    if before.from_file:
        print(f"新密钥已写入 {before.key_file}（最后一行生效，之前的行保留用于校验旧记录）。")
    else:
        print(
            f"请立即把{before.source}改为 {NEW_KEY_VARIABLE} 中的新密钥，并把旧密钥加入 {OLD_KEYS_VARIABLE}"
            "（或 secrets.toml 的 audit_old_keys），然后重启 serve 与定时装载。"
        )
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    engine = get_engine(get_settings())
    until = args.until
    frame = search(
        engine,
        user=args.user,
        action=args.action,
        since=args.since,
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
                for k, v in (
                    ("user", args.user),
                    ("action", args.action),
                    ("since", args.since and args.since.isoformat()),
                    ("until", args.until and args.until.isoformat()),
                )
                if v
            },
        },
        rows=len(table),
    )
    if out is None:
        sys.stdout.write(payload.decode("utf-8-sig"))
    else:
        try:
            out.write_bytes(payload)
        except OSError as exc:  # told in Chinese by dashboard.cli.main, with the file's name
            raise os_errors.with_path(exc, out) from exc
        print(f"已导出 {len(table)} 条审计记录到 {out}", file=sys.stderr)
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="审计日志：校验签名链与链外检查点、轮换密钥、导出")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    v = audit_sub.add_parser("verify", help="校验审计日志（被修改或删除的记录会被报告，退出码 1）")
    v.set_defaults(func=_cmd_verify)
    r = audit_sub.add_parser(
        "rotate-key",
        help=f"轮换审计密钥（写入一条由新旧密钥共同签名的记录；密钥来自环境变量时须先设置 {NEW_KEY_VARIABLE}）",
    )
    r.set_defaults(func=_cmd_rotate_key)
    e = audit_sub.add_parser("export", help="导出审计日志（CSV 或 XLSX；导出本身也记入审计日志）")
    e.add_argument("--out", help="输出文件（.csv 或 .xlsx）；省略则以 CSV 输出到标准输出")
    e.add_argument("--user", help="只导出此用户的记录")
    e.add_argument("--action", choices=ACTIONS, help="只导出此类操作")
    e.add_argument("--since", type=iso_date, metavar=DATE_FORM, help="起始日期（含，北京时间）")
    e.add_argument("--until", type=iso_date, metavar=DATE_FORM, help="截止日期（含，北京时间）")
    e.set_defaults(func=_cmd_export)
