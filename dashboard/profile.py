"""The subject profile (主体信用画像): search the registry, then one subject's whole credit record at T.

Sections with a department (penalties, licences, lists, repairs, objections, commitments, loans,
tax credit, grades, warnings) pass through the viewer's scope in SQL (dashboard.db.run_query), so a
department user sees only its own department's records of the subject; the identity section is the
public registration record and is shown to every viewer. Natural persons' names and ID numbers are
masked (RULES.md P6) unless the scope grants personal data: penalty parties with party_category
自然人, executees with an ID number; ID numbers are masked on every row (a legal representative's
ID number is never public). Organizations' names are public.

Lists are separate sections (abnormal_operations, executees, serious_dishonest, campaign_lists)
because each carries its own columns; every list row has `is_active` at T.

CLI: `python -m dashboard profile --uscc USCC [--as-of DATE] [--format json]`, or `--search TEXT`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

import duckdb
import pandas as pd

from . import credit_warnings, grading, snapshots
from .access import Scope
from .db import as_date, run_query
from .privacy import mask_frame
from .settings import Settings, get_settings

# Departments that hold a section without naming one in the record itself.
ABNORMAL_DEPARTMENT = "market"  # the market regulator keeps the 经营异常名录
TAX_DEPARTMENT = "tax"  # 纳税信用等级 is evaluated by the tax bureau

# Section key → the query that fills it (identity is unscoped; the rest carry department_code).
SECTION_QUERIES = {
    "identity": "profile_identity",
    "penalties": "profile_penalties",
    "licenses": "profile_licenses",
    "abnormal_operations": "profile_abnormal_operations",
    "executees": "profile_executees",
    "serious_dishonest": "profile_serious_dishonest",
    "campaign_lists": "profile_campaign_lists",
    "repairs": "profile_repairs",
    "objections": "profile_objections",
    "commitments": "profile_commitments",
    "loans": "profile_loans",
    "tax_credit": "profile_tax_credit",
}
SECTIONS = ("identity", "grades", "grade_history", "penalties", "licenses", "abnormal_operations", "executees",
            "serious_dishonest", "campaign_lists", "repairs", "objections", "commitments", "loans", "tax_credit",
            "warnings")

# Chinese section titles (CLI output; the page may use them too).
SECTION_LABELS = {
    "identity": "登记信息", "grades": "当前信用等级", "grade_history": "信用评价记录", "penalties": "行政处罚",
    "licenses": "行政许可", "abnormal_operations": "经营异常名录", "executees": "被执行人",
    "serious_dishonest": "严重失信主体名单", "campaign_lists": "专项治理名单", "repairs": "信用修复",
    "objections": "异议处理", "commitments": "信用承诺", "loans": "信易贷", "tax_credit": "纳税信用等级",
    "warnings": "信用预警",
}

_LIKE_ESCAPE = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})


def search_subjects(con: duckdb.DuckDBPyConnection, text: str, scope: Scope, limit: int = 50) -> pd.DataFrame:
    """Registry records whose name contains `text` (Chinese substring, LIKE) or whose USCC starts
    with it (case-insensitive): uscc, name, status, district_name, industry_name; best matches
    first, at most `limit` rows. Empty text finds nothing. The registry is public, so `scope`
    does not filter it."""
    needle = (text or "").strip()
    columns = ["uscc", "name", "status", "district_name", "industry_name"]
    if not needle or limit <= 0:
        return pd.DataFrame(columns=columns)
    escaped = needle.translate(_LIKE_ESCAPE)
    return run_query(con, "profile_search_subjects", {
        "text": needle,
        "name_pattern": f"%{escaped}%",
        "uscc_pattern": f"{escaped.upper()}%",
        "row_limit": int(limit),
    })[columns]


def _section_params(uscc: str, as_of: dt.date, settings: Settings) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "as_of": as_of,
        "horizon_months": settings.windows.licence_horizon_months,
        "abnormal_department": ABNORMAL_DEPARTMENT,
        "court_department": settings.routing["w4_department"],
        "loan_department": settings.routing["w5_department"],
        "tax_department": TAX_DEPARTMENT,
        "default_buffer_days": settings.default_buffer_days,
        "objection_sla_days": settings.sla.objection_working_days,
        "grading_objection_sla_days": settings.sla.grading_objection_working_days,
    }


def subject_profile(con: duckdb.DuckDBPyConnection, uscc: str, as_of: dt.date | str, scope: Scope,
                    settings: Settings | None = None) -> dict[str, pd.DataFrame]:
    """One subject's credit profile at `as_of`: a dict of DataFrames keyed by SECTIONS.

    Records dated after `as_of` are left out and states are those at `as_of` (a removal, answer or
    repair decided later does not show yet). Penalties carry in_publicity (P9),
    eligible_for_repair_date and eligible_for_repair (P10/P11), and repair_status 已修复 / 申请中 /
    未申请 at T. Every section but identity is filtered by `scope`; personal data is masked unless
    `scope.personal_data` (see the module docstring)."""
    settings = settings or get_settings()
    uscc = (uscc or "").strip().upper()
    as_of = as_date(as_of)
    params = _section_params(uscc, as_of, settings)
    out: dict[str, pd.DataFrame] = {}
    for key, query in SECTION_QUERIES.items():
        if key == "identity":
            out[key] = run_query(con, query, params)
        else:
            out[key] = run_query(con, query, params, scope=scope, scope_column="department_code")

    out["penalties"] = mask_frame(out["penalties"], scope, {"party_name": "name"}, person_flag="is_natural_person")
    out["penalties"] = mask_frame(out["penalties"], scope, {"party_id_no": "id_no"})
    out["executees"] = mask_frame(out["executees"], scope, {"party_name": "name", "party_id_no": "id_no"},
                                  person_flag="is_natural_person")

    out["grades"] = grading.grades_at(con, as_of, scope, uscc=uscc)
    history = grading.grade_history(con, uscc, scope, settings=settings)
    if not history.empty:
        history = history[pd.to_datetime(history["eval_date"]).dt.date <= as_of].reset_index(drop=True)
    out["grade_history"] = history
    out["warnings"] = credit_warnings.warnings_at(con, as_of, scope, uscc=uscc, settings=settings)
    return {key: out[key] for key in SECTIONS}


# ---- command line ---------------------------------------------------------------------------



def _jsonable(value: Any) -> Any:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-ready records (dates as ISO text, missing values as null)."""
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _cell_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def profile_text(profile: dict[str, pd.DataFrame]) -> str:
    """The profile as plain text for a terminal: one table per non-empty section, with the
    dashboard's Chinese column headers where it has one."""
    from .columns import LABELS
    from .loading import text_table

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
                print(json.dumps(frame_records(found), ensure_ascii=False, indent=2))
            else:
                from .loading import text_table

                print(text_table(["统一社会信用代码", "主体名称", "登记状态", "区县", "行业"],
                                 [list(r.values()) for r in frame_records(found)]) if len(found) else "未找到匹配的主体")
            return 0
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
        profile = subject_profile(con, args.uscc, as_of, scope, settings)
    finally:
        con.close()
    if args.format == "json":
        doc = {"uscc": args.uscc.strip().upper(), "as_of": as_of.isoformat(),
               **{key: frame_records(frame) for key, frame in profile.items()}}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
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
    p.add_argument("--as-of", help="截至日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（默认 text）")
    p.add_argument("--limit", type=int, default=50, help="查找时最多显示几条（默认 50）")
    p.set_defaults(func=_cmd_profile)
