"""The data-quality page's query layer (docs/data-contract.md "Reject or flag": nothing is dropped silently).

What was loaded and when (load runs from the operational store), how many rows each entity holds,
which rows were quarantined and why (with their original values, for correction), which penalties
P7 keeps out of every figure, which records name a USCC the registry does not know, and the I03
错码/重码 registry records routed to the registering authority's department.

Quarantine views show the rows quarantined by each entity's latest load: every load re-reads its
sources, so that is what still waits for correction (earlier runs stay in the warehouse's history).

What depends only on the snapshot is computed once when it is built, by the marts
queries/marts/50_quality_*.sql (staging counts per entity, orphan counts, the I03 problem records,
P7 counts per department and day), so that the page reads small tables; the quarantine itself is
read as it is.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import pandas as pd
from sqlalchemy import Engine

from dashboard.core import contract
from dashboard.core.privacy import mask_id_no, mask_name
from dashboard.core.reasons import REASON_LABELS
from dashboard.core.scope import Scope, require_details
from dashboard.core.settings import Settings, get_settings
from dashboard.store import runs
from dashboard.store.db import as_date, run_query

# I03 routing by the USCC's first character (登记管理部门码, GB 32100-2015; docs/rules.md I03).
REGISTERING_AUTHORITY_DEPARTMENTS = {"1": "establishment", "3": "justice", "9": "market"}

LOAD_HISTORY_COLUMNS = [
    "run_id",
    "kind",
    "kind_label",
    "source",
    "status",
    "status_label",
    "started_at",
    "ended_at",
    "seconds",
    "snapshot_id",
    "error",
    "notes",
    "n_entities",
    "n_entities_failed",
    *runs.COUNT_FIELDS,
]


def load_history(engine: Engine, limit: int = 50) -> pd.DataFrame:
    """The latest load and rollback runs, newest first, one row each: kind, source, status (a
    `running` run whose process died reads 中断), times (UTC, tz-aware), seconds, the snapshot it
    published, error and notes, and the per-entity row counts summed over the run's entities."""
    records = runs.recent_runs(engine, limit=limit)
    per_run = runs.run_entities(engine, [r.run_id for r in records])
    rows = []
    for r in records:
        entities = per_run.get(r.run_id, [])
        rows.append(
            {
                "run_id": r.run_id,
                "kind": r.kind,
                "kind_label": r.kind_label,
                "source": r.source,
                "status": r.status,
                "status_label": r.status_label,
                "started_at": r.started_at,
                "ended_at": r.ended_at,
                "seconds": r.seconds,
                "snapshot_id": r.snapshot_id,
                "error": r.error,
                "notes": r.notes,
                "n_entities": len(entities),
                "n_entities_failed": sum(e["status"] != "ok" for e in entities),
                **{f: sum(int(e[f] or 0) for e in entities) for f in runs.COUNT_FIELDS},
            }
        )
    return pd.DataFrame(rows, columns=LOAD_HISTORY_COLUMNS)


def rows_per_entity(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per contract entity, in contract order: entity, label (Chinese), n_current,
    n_flagged (current rows with a quality flag), n_replaced, n_retired (ended versions),
    n_quarantined (rows quarantined by the entity's latest load), last_loaded_at (UTC, tz-aware).
    The staging counts are the snapshot's (mart entity_row_counts, built with it)."""
    frame = run_query(con, "quality_rows_per_entity")
    order = {e.name: i for i, e in enumerate(contract.ENTITIES)}
    frame = frame.sort_values("entity", key=lambda s: s.map(order)).reset_index(drop=True)
    frame.insert(1, "label", frame["entity"].map(lambda e: contract.ENTITY_BY_NAME[e].label))
    for col in ("n_current", "n_flagged", "n_replaced", "n_retired", "n_quarantined"):
        frame[col] = frame[col].astype("int64")
    # staging times are written in the loading machine's local time without a zone; made explicit
    # (UTC) so that every time on the page is shown the same way, as the office reads it
    local_zone = dt.datetime.now().astimezone().tzinfo
    frame["last_loaded_at"] = pd.to_datetime(frame["last_loaded_at"]).dt.tz_localize(local_zone).dt.tz_convert("UTC")
    return frame


def reason_label(reason_code: str) -> str:
    """A quarantine reason as a short Chinese phrase without row details: 日期无法识别."""
    template = REASON_LABELS.get(reason_code)
    if template is None:
        return reason_code
    return template.split("{", 1)[0].rstrip("：:（( ") or template


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """entity, entity_label, reason_code, message (the reason in Chinese), n_rows, run_id, source:
    the rows quarantined by each entity's latest load, per reason."""
    frame = run_query(con, "quality_quarantine_summary")
    frame.insert(1, "entity_label", frame["entity"].map(_entity_label))
    frame.insert(3, "message", frame["reason_code"].map(reason_label))
    frame["n_rows"] = frame["n_rows"].astype("int64")
    return frame[["entity", "entity_label", "reason_code", "message", "n_rows", "run_id", "source"]]


def _entity_label(entity: str) -> str:
    ent = contract.ENTITY_BY_NAME.get(entity)
    return ent.label if ent else entity


# Personal values in quarantined rows (P6): ID numbers always; the party's name when the row is a
# natural person's (a penalty with category 自然人, an executee with an ID number).
_ID_COLUMNS = {"penalties": "party_id_no", "executees": "party_id_no"}
_PERSON_NAME_COLUMNS = {"penalties": "party_name", "executees": "party_name"}


def _mask_original(entity: str, original: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The original values with personal data masked, and the replacements made (raw → masked)."""
    if entity not in _ID_COLUMNS:
        return original, {}
    canonical = contract.header_map(contract.ENTITY_BY_NAME[entity])
    by_column = {canonical.get(contract.normalize_header(h)): h for h in original}
    id_header = by_column.get(_ID_COLUMNS[entity])
    name_header = by_column.get(_PERSON_NAME_COLUMNS[entity])
    id_value = original.get(id_header) if id_header else None
    if entity == "penalties":
        cat_header = by_column.get("party_category")
        category = str(original.get(cat_header) or "").strip() if cat_header else ""
        is_person = contract.PARTY_CATEGORY.get(category) == "自然人"
    else:
        is_person = bool(str(id_value or "").strip())
    out, replaced = dict(original), {}
    if id_header and id_value and str(id_value).strip():
        out[id_header] = mask_id_no(str(id_value).strip())
        replaced[str(id_value).strip()] = out[id_header]
    name_value = original.get(name_header) if name_header else None
    if is_person and name_header and name_value and str(name_value).strip():
        out[name_header] = mask_name(str(name_value).strip())
        replaced[str(name_value).strip()] = out[name_header]
    return out, replaced


def quarantine_rows(
    con: duckdb.DuckDBPyConnection,
    entity: str | None = None,
    reason_code: str | None = None,
    scope: Scope | None = None,
) -> pd.DataFrame:
    """The rows quarantined by each entity's latest load (optionally one entity / reason), one row
    per (source row, reason): entity, source, row_no, reason_code, message, original (JSON text),
    run_id, quarantined_at. With `entity`, the original values are also spread into one column per
    source header (after the fixed columns), ready for download and correction.

    Natural persons' names and ID numbers are masked in the original values and in the message
    unless `scope` grants personal data (no scope: masked). Refused (DetailsRefused) for a scope
    of aggregates only."""
    if scope is not None:
        require_details(scope, "隔离记录清单")
    frame = run_query(con, "quality_quarantine_rows", {"entity": entity, "reason_code": reason_code})
    unmasked = scope is not None and scope.personal_data
    originals: list[dict[str, Any]] = []
    messages, texts = [], []
    for ent, original, message in zip(frame["entity"], frame["original"], frame["message"]):
        values = json.loads(original) if original else {}
        if not unmasked:
            values, replaced = _mask_original(ent, values)
            for raw in sorted(replaced, key=len, reverse=True):
                message = message.replace(raw, replaced[raw]) if message else message
        originals.append(values)
        messages.append(message)
        texts.append(json.dumps(values, ensure_ascii=False))
    frame["message"] = pd.Series(messages, index=frame.index, dtype=object)
    frame["original"] = pd.Series(texts, index=frame.index, dtype=object)
    if entity is not None:
        headers: list[str] = []
        for values in originals:
            headers.extend(h for h in values if h not in headers)
        for h in headers:
            column = h if h not in frame.columns else f"原始：{h}"
            frame[column] = pd.Series([v.get(h) for v in originals], index=frame.index, dtype=object)
    return frame


def p7_excluded_by_department(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | str,
    scope: Scope,
    months: int | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """P7 per issuing department over the last `months` months to `as_of` (default: the indicator
    window): department_code (NULL for an authority that maps to no department, one row each),
    department_name, n_penalties, n_simple_procedure, n_minor_first_offence, n_excluded (either),
    n_revoked, excluded_share. Filtered by scope (unmapped rows only for viewers who see all).
    A sum over the counts per department and day of the mart p7_decision_days, so any `as_of`
    and window is exact."""
    settings = settings or get_settings()
    months = settings.windows.indicator_months if months is None else months
    frame = run_query(
        con,
        "quality_p7_excluded_by_department",
        {"as_of": as_date(as_of), "months": months},
        scope=scope,
        scope_column="department_code",
    )
    for col in ("n_penalties", "n_simple_procedure", "n_minor_first_offence", "n_excluded", "n_revoked"):
        frame[col] = frame[col].astype("int64")
    return frame


def orphan_records(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per entity that carries a USCC (contract order): entity, label, n_records (with a
    USCC), n_orphans (USCC not in the registry), n_orphan_usccs (distinct), orphan_share. Counted
    once per snapshot (mart orphan_record_counts)."""
    found = run_query(con, "quality_orphan_records").set_index("entity")
    names = [e.name for e in contract.ENTITIES if e.name != "subjects" and "uscc" in e.column_names]
    frame = pd.DataFrame({"entity": names})
    frame["label"] = frame["entity"].map(_entity_label)
    for col in ("n_records", "n_orphans", "n_orphan_usccs"):
        frame[col] = frame["entity"].map(found[col]).fillna(0).astype("int64") if len(found) else 0
    frame["orphan_share"] = (frame["n_orphans"] / frame["n_records"].where(frame["n_records"] > 0)).astype(float)
    return frame


PROBLEM_LABELS = {(True, False): "错码", (False, True): "重码", (True, True): "错码、重码"}


def uscc_problems(con: duckdb.DuckDBPyConnection, scope: Scope | None = None) -> pd.DataFrame:
    """I03 details: one row per registry record that is 错码 (fails P3) or 重码 (its USCC carries two
    or more names; every record of the group): uscc, name, status, problem (错码 / 重码 / 错码、重码),
    is_wrong_code, is_duplicate_code, n_names_on_uscc, registering_authority_code, department_code
    and department_name (1x 市委编办, 3x 市司法局, 9x 市市场监管局; other codes NULL). The registry
    is public, so `scope` filters no row; a scope of aggregates only is refused (DetailsRefused).
    The records are found once per snapshot (mart uscc_problem_records), routed when they are read."""
    if scope is not None:
        require_details(scope, "重错码记录清单")
    params = {f"department_for_{k}": v for k, v in REGISTERING_AUTHORITY_DEPARTMENTS.items()}
    frame = run_query(con, "quality_uscc_problems", params)
    problem = [PROBLEM_LABELS[(bool(w), bool(d))] for w, d in zip(frame["is_wrong_code"], frame["is_duplicate_code"])]
    frame.insert(3, "problem", pd.Series(problem, index=frame.index, dtype=object))
    frame["n_names_on_uscc"] = frame["n_names_on_uscc"].astype("int64")
    return frame
