"""`python -m dashboard spotcheck`: a department's 双随机 plan drawn by credit grade (G3)."""

from __future__ import annotations

import argparse

from dashboard.cli.arguments import DATE_FORM, iso_date
from dashboard.cli.output import frame_records, frame_text, json_text, write_text
from dashboard.core.scope import Scope
from dashboard.core.settings import get_settings
from dashboard.rules.grading import spotcheck_plan
from dashboard.store import snapshots


def _cmd_spotcheck(args: argparse.Namespace) -> int:
    settings = get_settings()
    as_of = args.as_of
    con = snapshots.open_live(settings)
    try:
        plan, drawn = spotcheck_plan(con, args.department, as_of, args.seed, Scope.all(), settings=settings)
    finally:
        con.close()
    if args.format == "json":
        doc = {
            "department_code": args.department,
            "as_of": as_of.isoformat(),
            "seed": args.seed,
            "plan": frame_records(plan),
            "drawn": frame_records(drawn),
        }
        write_text(json_text(doc))
    else:
        write_text(frame_text(drawn, "csv"))
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("spotcheck", help="按信用等级生成部门的“双随机”抽查名单（记录随机种子，可复现）")
    p.add_argument("--department", required=True, help="部门代码，如 market")
    p.add_argument("--as-of", required=True, type=iso_date, metavar=DATE_FORM, help="截至日期 YYYY-MM-DD")
    p.add_argument("--seed", type=int, required=True, help="随机种子（公布后可复现同一抽查名单）")
    p.add_argument("--format", choices=("json", "csv"), default="json", help="输出格式（默认 json：计划与名单）")
    p.set_defaults(func=_cmd_spotcheck)
