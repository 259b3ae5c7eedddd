"""`python -m dashboard indicators`: every city monitoring indicator at a date (docs/rules.md §4)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

import pandas as pd

from dashboard.cli.arguments import DATE_FORM, iso_date
from dashboard.cli.output import json_text, json_value, write_text
from dashboard.core.formatting import STATUS_LABELS, fmt_count, fmt_value
from dashboard.core.scope import Scope
from dashboard.core.settings import get_settings
from dashboard.rules.indicators import indicators_at
from dashboard.store import snapshots


def indicator_records(frame: pd.DataFrame, as_of: dt.date) -> list[dict[str, Any]]:
    """indicators_at rows as plain records for JSON: id, name, value … with no NaN."""
    records = []
    for row in frame.to_dict(orient="records"):
        rec = {"id": row["indicator_id"], "as_of": as_of.isoformat()}
        rec.update(
            {
                k: json_value(v, integral_as_int=True) if k != "responsible_departments" else list(v)
                for k, v in row.items()
                if k != "indicator_id"
            }
        )
        rec["value"] = None if rec["value"] is None else float(rec["value"])
        records.append(rec)
    return records


def _cli_indicators(args: argparse.Namespace) -> int:
    settings = get_settings()
    as_of = args.as_of or dt.date.today()
    con = snapshots.open_live(settings)
    try:
        frame = indicators_at(con, as_of, Scope.all(), settings=settings)
    finally:
        con.close()
    if args.format == "json":
        text = json_text(indicator_records(frame, as_of))
    elif args.format == "csv":
        table = frame.copy()
        table["responsible_departments"] = ["|".join(v) for v in table["responsible_departments"]]
        table.insert(0, "as_of", as_of.isoformat())
        text = table.to_csv(index=False, lineterminator="\n")
    else:
        text = _text_table(frame, as_of) + "\n"
    write_text(text)
    return 0


def _text_table(frame: pd.DataFrame, as_of: dt.date) -> str:
    table = pd.DataFrame(
        {
            "指标": frame["indicator_id"],
            "名称": frame["name"],
            "数值": [fmt_value(v, u) for v, u in zip(frame["value"], frame["unit"])],
            "分子": [fmt_count(v) for v in frame["numerator"]],
            "分母": [fmt_count(v) for v in frame["denominator"]],
            "目标": [fmt_value(v, u) for v, u in zip(frame["target"], frame["unit"])],
            "状态": [STATUS_LABELS[s] for s in frame["status"]],
        }
    )
    return f"城市信用监测指标（截至 {as_of.isoformat()}）\n" + table.to_string(index=False)


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """`indicators --as-of YYYY-MM-DD [--format json|csv|table]`: every indicator at a date,
    read from the live snapshot; JSON (UTF-8) on stdout by default."""
    p = subparsers.add_parser("indicators", help="城市信用监测指标（docs/rules.md §4）")
    p.add_argument("--as-of", type=iso_date, metavar=DATE_FORM, help="截至日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--format", choices=("json", "csv", "table"), default="json")
    p.set_defaults(func=_cli_indicators)
