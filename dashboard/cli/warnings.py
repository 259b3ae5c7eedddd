"""`python -m dashboard warnings`: the credit warnings in force at a date (W1–W5, masked)."""

from __future__ import annotations

import argparse

from dashboard.cli.arguments import DATE_FORM, iso_date
from dashboard.cli.output import frame_text, write_text
from dashboard.core.scope import Scope
from dashboard.core.settings import get_settings
from dashboard.rules.credit_warnings import WARNING_TYPES, warnings_at
from dashboard.store import snapshots


def _cmd_warnings(args: argparse.Namespace) -> int:
    settings = get_settings()
    as_of = args.as_of
    con = snapshots.open_live(settings)
    try:
        # The command line never shows personal data unmasked.
        frame = warnings_at(
            con, as_of, Scope.all(), types=args.type, department_code=args.department, settings=settings
        )
    finally:
        con.close()
    order = {t: i for i, t in enumerate(WARNING_TYPES)}
    frame = (
        frame.assign(_order=frame["warning_type"].map(order))
        .sort_values(["_order", "department_code", "uscc", "warning_id"], na_position="last", kind="stable")
        .drop(columns="_order")
    )
    write_text(frame_text(frame, args.format))
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("warnings", help="列出某日成立的信用预警（W1–W5，个人信息脱敏）")
    p.add_argument("--as-of", required=True, type=iso_date, metavar=DATE_FORM, help="截至日期 YYYY-MM-DD")
    p.add_argument("--type", action="append", choices=list(WARNING_TYPES), help="预警类型，可重复（默认全部）")
    p.add_argument("--department", help="只看推送给该部门的预警（部门代码，如 market）")
    p.add_argument("--format", choices=("json", "csv"), default="json", help="输出格式（默认 json）")
    p.set_defaults(func=_cmd_warnings)
