"""`python -m dashboard profile`: one subject's credit profile at a date, or a subject search
(personal data masked)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

import pandas as pd

from dashboard.app.columns import LABELS
from dashboard.cli.arguments import DATE_FORM, iso_date
from dashboard.cli.output import frame_records, json_text, text_table, write_text
from dashboard.core.scope import Scope
from dashboard.core.settings import get_settings
from dashboard.rules.profile import MATCHED_BY_LABELS, SECTION_LABELS, SECTIONS, search_subjects, subject_profile
from dashboard.store import snapshots


def _cell_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def profile_text(profile: dict[str, pd.DataFrame]) -> str:
    """The profile as plain text for a terminal: one table per non-empty section, with the
    dashboard's Chinese column headers where it has one."""
    lines = []
    for key in SECTIONS:
        frame = profile[key]
        lines.append(f"【{SECTION_LABELS[key]}】{len(frame)} 条")
        if not frame.empty:
            headers = [LABELS[c].label if c in LABELS else c for c in frame.columns]
            rows = [[_cell_text(v) for v in rec.values()] for rec in frame_records(frame)]
            lines.append(text_table(headers, rows))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cmd_profile(args: argparse.Namespace) -> int:
    settings = get_settings()
    scope = Scope.all()  # the command line never shows personal data unmasked
    con = snapshots.open_live(settings)
    try:
        if args.search:
            found = search_subjects(con, args.search, scope, limit=args.limit)
            if args.format == "json":
                write_text(json_text(frame_records(found)))
            else:
                print(
                    text_table(
                        ["统一社会信用代码", "主体名称", "登记状态", "区县", "行业", "匹配方式"],
                        [
                            [*list(r.values())[:-1], MATCHED_BY_LABELS.get(r["matched_by"], "")]
                            for r in frame_records(found)
                        ],
                    )
                    if len(found)
                    else "未找到匹配的主体"
                )
            return 0
        as_of = args.as_of or dt.date.today()
        profile = subject_profile(con, args.uscc, as_of, scope, settings)
    finally:
        con.close()
    if args.format == "json":
        doc = {
            "uscc": args.uscc.strip().upper(),
            "as_of": as_of.isoformat(),
            **{key: frame_records(frame) for key, frame in profile.items()},
        }
        write_text(json_text(doc))
    else:
        print(f"主体 {args.uscc.strip().upper()} 截至 {as_of.isoformat()} 的信用画像（个人信息已脱敏）\n")
        if profile["identity"].empty:
            print("注意：该代码不在市场主体登记信息中\n")
        sys.stdout.write(profile_text(profile))
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profile", help="查看一个主体截至某日的信用画像（个人信息脱敏），或按名称/代码查找主体")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--uscc", help="统一社会信用代码")
    what.add_argument("--search", metavar="TEXT", help="按名称包含的文字或信用代码前缀查找主体")
    p.add_argument("--as-of", type=iso_date, metavar=DATE_FORM, help="截至日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（默认 text）")
    p.add_argument("--limit", type=int, default=50, help="查找时最多显示几条（默认 50）")
    p.set_defaults(func=_cmd_profile)
