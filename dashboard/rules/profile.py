"""The subject profile (主体信用画像): search the registry, then one subject's whole credit record at T.

Sections with a department (penalties, licences, lists, repairs, objections, commitments, loans,
tax credit, grades, warnings) pass through the viewer's scope in SQL (dashboard.store.db.run_query), so a
department user sees only its own department's records of the subject; the identity section is the
public registration record and is shown to every viewer. Natural persons' names and ID numbers are
masked (docs/rules.md P6) unless the scope grants personal data: penalty parties with party_category
自然人, executees with an ID number; ID numbers are masked on every row (a legal representative's
ID number is never public). Organizations' names are public.

Lists are separate sections (abnormal_operations, executees, serious_dishonest, campaign_lists)
because each carries its own columns; every list row has `is_active` at T.

CLI: `python -m dashboard profile --uscc USCC [--as-of DATE] [--format json]`, or `--search TEXT`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import duckdb
import pandas as pd

from dashboard.core.privacy import mask_frame
from dashboard.core.scope import Scope, require_details
from dashboard.core.settings import Settings, get_settings
from dashboard.rules import credit_warnings, grading
from dashboard.store.db import as_date, run_query

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
SECTIONS = (
    "identity",
    "grades",
    "grade_history",
    "penalties",
    "licenses",
    "abnormal_operations",
    "executees",
    "serious_dishonest",
    "campaign_lists",
    "repairs",
    "objections",
    "commitments",
    "loans",
    "tax_credit",
    "warnings",
)

# Chinese section titles (CLI output; the page may use them too).
SECTION_LABELS = {
    "identity": "登记信息",
    "grades": "当前信用等级",
    "grade_history": "信用评价记录",
    "penalties": "行政处罚",
    "licenses": "行政许可",
    "abnormal_operations": "经营异常名录",
    "executees": "被执行人",
    "serious_dishonest": "严重失信主体名单",
    "campaign_lists": "专项治理名单",
    "repairs": "信用修复",
    "objections": "异议处理",
    "commitments": "信用承诺",
    "loans": "信易贷",
    "tax_credit": "纳税信用等级",
    "warnings": "信用预警",
}

_LIKE_ESCAPE = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})
# Search terms a query may combine (more are joined into the last one).
SEARCH_TERMS = 4
# How a search result matched, as the screen and the command line say it.
MATCHED_BY_LABELS = {"uscc": "统一社会信用代码", "name": "名称", "legal_rep": "法定代表人"}


def search_terms(text: str | None) -> list[str]:
    """The search text as the office types it, forgiven: NFKC (full-width letters, digits and
    spaces become plain ones), split on any white space into at most SEARCH_TERMS terms (the last
    one keeps the rest), empty terms dropped."""
    normalised = unicodedata.normalize("NFKC", text or "")
    terms = normalised.split()
    if len(terms) > SEARCH_TERMS:
        terms = [*terms[: SEARCH_TERMS - 1], "".join(terms[SEARCH_TERMS - 1 :])]
    return terms


def search_subjects(con: duckdb.DuckDBPyConnection, text: str, scope: Scope, limit: int = 50) -> pd.DataFrame:
    """Registry records matching `text` (search_terms): the name contains every term (Chinese
    substring, LIKE), or the USCC starts with the text (case-insensitive), or — for a viewer who
    sees every department (the credit office) — the legal representative's name contains it:
    uscc, name, status, district_name, industry_name, matched_by ('uscc' | 'name' | 'legal_rep').
    Exact matches first, then surviving subjects before closed ones, at most `limit` rows (ask for
    one more than you show to know that the list was cut). Empty text finds nothing. The registry is
    public, so `scope` filters no row; it only decides whether the legal representative is searched
    (a natural person's name: the page audits such searches). A list of subjects: refused
    (DetailsRefused) for a scope of aggregates only."""
    require_details(scope, "主体查询结果")
    terms = search_terms(text)
    columns = ["uscc", "name", "status", "district_name", "industry_name", "matched_by"]
    if not terms or limit <= 0:
        return pd.DataFrame(columns=columns)
    joined = "".join(terms)
    escaped = [term.translate(_LIKE_ESCAPE) for term in terms]
    patterns = [f"%{term}%" for term in escaped] + [None] * (SEARCH_TERMS - len(escaped))
    whole = joined.translate(_LIKE_ESCAPE)
    return run_query(
        con,
        "profile_search_subjects",
        {
            "text": joined,
            **{f"term{i}": pattern for i, pattern in enumerate(patterns, start=1)},
            "uscc_pattern": f"{whole.upper()}%",
            "rep_pattern": f"%{whole}%" if scope.sees_all else None,
            "row_limit": int(limit),
        },
    )[columns]


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


def subject_profile(
    con: duckdb.DuckDBPyConnection, uscc: str, as_of: dt.date | str, scope: Scope, settings: Settings | None = None
) -> dict[str, pd.DataFrame]:
    """One subject's credit profile at `as_of`: a dict of DataFrames keyed by SECTIONS.

    Records dated after `as_of` are left out and states are those at `as_of` (a removal, answer or
    repair decided later does not show yet). Penalties carry in_publicity (P9),
    eligible_for_repair_date and eligible_for_repair (P10/P11), and repair_status 已修复 / 申请中 /
    未申请 at T. Every section but identity is filtered by `scope`; personal data is masked unless
    `scope.personal_data` (see the module docstring). Refused (DetailsRefused) for a scope of
    aggregates only."""
    require_details(scope, "主体信用画像")
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
    out["executees"] = mask_frame(
        out["executees"], scope, {"party_name": "name", "party_id_no": "id_no"}, person_flag="is_natural_person"
    )

    out["grades"] = grading.grades_at(con, as_of, scope, uscc=uscc)
    history = grading.grade_history(con, uscc, scope, settings=settings)
    if not history.empty:
        history = history[pd.to_datetime(history["eval_date"]).dt.date <= as_of].reset_index(drop=True)
    out["grade_history"] = history
    out["warnings"] = credit_warnings.warnings_at(con, as_of, scope, uscc=uscc, settings=settings)
    return {key: out[key] for key in SECTIONS}
