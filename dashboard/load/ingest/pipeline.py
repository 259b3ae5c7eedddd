"""Map → validate → upsert, all in DuckDB SQL over `_ingest_src` (see readers), never per row
in Python.

Steps, each one set-based statement:
1. `_ingest_typed`: one row per non-empty source row: its original text (`o<i>`), typed canonical
   values, one error code per column that can make the row unusable (`_e<j>`), the natural key
   `_key`, `_row_hash` and the quality flags `_flags`. P3/P4 run once per distinct value.
2. `_ingest_dups`: keys carried by several usable rows; the last row wins (duplicate_key).
3. `_ingest_plan`: each winning row against the current staging version of its key: new,
   changed or same.
4. Writes (one transaction): end replaced versions, retire missing keys (full mode), insert new
   versions into stg and raw, quarantine rows, one meta_entity_loads row.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from dashboard.core import contract, reasons
from dashboard.core.settings import Settings
from dashboard.load.ingest import checks_sql
from dashboard.load.ingest.model import FULL, EntityResult, IngestError
from dashboard.load.ingest.readers import SRC_TABLE, Extract

TYPED, DUPS, PLAN, QDETAIL, COLS, REASONS = (
    "_ingest_typed",
    "_ingest_dups",
    "_ingest_plan",
    "_ingest_qdetail",
    "_ingest_cols",
    "_ingest_reasons",
)
BAD_VALUES = "_ingest_bad"  # + column index: failing P3/P4 values of one check column
TEMP_TABLES = (SRC_TABLE, TYPED, DUPS, PLAN, QDETAIL, COLS, REASONS)
# Characters trimmed from every value: ASCII white space, no-break space, ideographic space, BOM.
WHITESPACE = " \t\r\n\u00a0\u3000\ufeff"
EDGE_WHITESPACE = " \u3000\t\u00a0"  # the ones that occur at the edge of a value in practice
# The time of day after a date ("2024-03-01 09:30:00.000000", "2024-03-01T09:30:00+08:00").
TIME_PART = r"[ T]+[0-9]{1,2}:[0-9]{2}.*$"
NUMBER_TYPES = (contract.INT, contract.DECIMAL)
# A penalty on a natural person carries no USCC: its empty uscc is not a missing field.
NATURAL_PERSON = "自然人"


@dataclass(frozen=True)
class HeaderMapping:
    """Source column index of each canonical column present, and the unknown (extra) columns."""

    columns: dict[str, int]
    extras: list[tuple[str, int]]
    original_keys: list[str]  # JSON key of every source column (header text, made unique)


def map_headers(entity: contract.Entity, headers: list[str]) -> HeaderMapping:
    """Match headers to canonical columns (case and surrounding spaces ignored). The first header
    of a canonical column wins; everything else is an extra column, kept and reported."""
    known = contract.header_map(entity)
    columns: dict[str, int] = {}
    extras: list[tuple[str, int]] = []
    keys: list[str] = []
    seen: set[str] = set()
    for i, header in enumerate(headers):
        shown = str(header).replace("\ufeff", "").strip() or f"第{i + 1}列"
        unique, n = shown, 2
        while unique in seen:
            unique, n = f"{shown}（{n}）", n + 1
        seen.add(unique)
        keys.append(unique)
        col = known.get(contract.normalize_header(header))
        if col is not None and col not in columns:
            columns[col] = i
        else:
            extras.append((unique, i))
    return HeaderMapping(columns, extras, keys)


def missing_required(entity: contract.Entity, mapping: HeaderMapping) -> list[contract.Column]:
    """Required columns with no header (a fallback column stands in for its column)."""
    out = []
    for col in entity.columns:
        if not col.required or col.name in mapping.columns:
            continue
        fallback = entity.fallbacks.get(col.name)
        if fallback and fallback in mapping.columns:
            continue
        out.append(col)
    return out


def _q(name: str) -> str:
    """Quote a canonical column name (from the contract, so never user text)."""
    assert name.replace("_", "").isalnum(), name
    return f'"{name}"'


class _Params:
    """Bound parameters collected while the SQL text is generated."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, name: str, value: Any) -> str:
        self.values[name] = value
        return f"${name}"

    def used_in(self, sql: str) -> dict[str, Any]:
        """DuckDB refuses parameters the statement does not name."""
        return {k: v for k, v in self.values.items() if re.search(rf"\${k}\b", sql)}


def typed_sql(
    entity: contract.Entity, mapping: HeaderMapping, row_no_sql: str, settings: Settings
) -> list[tuple[str, dict[str, Any]]]:
    """The statements (with their parameters) that build `_ingest_typed` (module doc, step 1)."""
    p = _Params()
    cols = entity.columns
    key = set(entity.key)
    # Layers 1–2: trimmed text, absent words → NULL, identifiers upper case; all-empty rows skipped.
    src_cols = [f"c{i}" for i in range(len(mapping.original_keys))]
    # The original text rides along as o<i>, for raw_<entity> and quarantine.
    originals = [f"o{i}" for i in range(len(src_cols))]
    keep = ["_rid", "_row_no", *originals]
    layer1 = ["rowid AS _rid", f"{row_no_sql} AS _row_no", *(f"c{i} AS o{i}" for i in range(len(src_cols)))]
    for j, col in enumerate(cols):
        i = mapping.columns.get(col.name)
        layer1.append(f"{trim_sql(f'c{i}', p)} AS t{j}" if i is not None else f"NULL::VARCHAR AS t{j}")
    nonempty = f"coalesce({', '.join(src_cols)}) IS NOT NULL" if src_cols else "false"
    sql1 = f"SELECT {', '.join(layer1)} FROM {SRC_TABLE} WHERE {nonempty}"
    layer2 = keep + [f"{absent_sql(f't{j}', col, p)} AS n{j}" for j, col in enumerate(cols)]
    sql2 = f"SELECT {', '.join(layer2)} FROM ({sql1})"

    # Layer 3: parsed values p<j> next to the text v<j> (fallbacks applied).
    index = {c.name: j for j, c in enumerate(cols)}
    layer3 = list(keep)
    for j, col in enumerate(cols):
        v = f"n{j}"
        if col.name in entity.fallbacks:
            v = f"coalesce(n{j}, n{index[entity.fallbacks[col.name]]})"
        layer3.append(f"{v} AS v{j}")
        layer3.append(f"{_parse(col, v, p)} AS p{j}")
    sql3 = f"SELECT {', '.join(layer3)} FROM ({sql2})"

    # Layer 4: final values, error codes, placeholder marks.
    layer4 = list(keep)
    errors: list[str] = []
    placeholders: list[str] = []
    before, after = (
        p("ph_before", settings.publicity.placeholder_before),
        p("ph_from", settings.publicity.placeholder_from),
    )
    for j, col in enumerate(cols):
        v, parsed = f"v{j}", f"p{j}"
        is_placeholder = f"({parsed} < {before} OR {parsed} >= {after})"
        nullable_placeholder = col.type == contract.DATE and (col.placeholder_means_absent or not col.required)
        if nullable_placeholder:
            layer4.append(f"CASE WHEN {is_placeholder} THEN NULL ELSE {parsed} END AS {_q(col.name)}")
            layer4.append(f"coalesce({is_placeholder}, false) AS ph{j}")
            placeholders.append(f"ph{j}")
        else:
            layer4.append(f"{parsed} AS {_q(col.name)}")
        if col.name in key:
            missing = "'missing_key'"
        elif col.required and col.type != contract.TEXT:
            missing = "'missing_required'"
        else:
            missing = "NULL"
        bad = _bad_code(col)
        if missing == "NULL" and bad is None:
            continue
        branches = [f"WHEN {v} IS NULL THEN {missing}"]
        if bad is not None:
            branches.append(f"WHEN {parsed} IS NULL THEN '{bad}'")
            if col.type == contract.DATE and not nullable_placeholder:
                branches.append(f"WHEN {is_placeholder} THEN 'bad_date'")
        layer4.append(f"CASE {' '.join(branches)} END AS _e{j}")
        errors.append(f"_e{j}")
    sql4 = f"SELECT {', '.join(layer4)} FROM ({sql3})"

    # Layer 5: key, hash, flags, usability. P3/P4 run once per distinct value (check_sql): a
    # value in the small table of failing values gets the flag through a cheap join.
    key_cols = [_q(k) for k in entity.key]
    key_expr = (
        f"CASE WHEN {' AND '.join(f'{k} IS NOT NULL' for k in key_cols)} "
        f"THEN concat_ws('|', {', '.join(f'CAST({k} AS VARCHAR)' for k in key_cols)}) END"
    )
    # DuckDB's own hash() of the typed values: md5 over their text cost a third of this statement.
    # It is stable for a given DuckDB version (duckdb is pinned; a test pins a known value, so an
    # upgrade that changed it would be noticed before it re-versions every row).
    row_hash = f"CAST(hash({', '.join(_q(c.name) for c in cols)}) AS VARCHAR)"
    checked = [j for j, c in enumerate(cols) if c.check and c.name in mapping.columns]
    conditions = {check_flag(cols[j]): f"b{j}.v IS NOT NULL" for j in checked}
    conditions.update(_flag_conditions(entity, placeholders, p))
    # One CASE per code, in code order: concat_ws skips the NULLs, so the result is sorted and
    # '' when clean, without building a list per row.
    flag_list = (
        (
            "concat_ws(';', "
            + ", ".join(f"CASE WHEN {conditions[code]} THEN '{code}' END" for code in sorted(conditions))
            + ")"
        )
        if conditions
        else "''"
    )
    ok = " AND ".join(f"{e} IS NULL" for e in errors) or "true"
    layer5 = [
        *keep,
        *(_q(c.name) for c in cols),
        *errors,
        f"{ok} AS _ok",
        f"{key_expr} AS _key",
        f"{row_hash} AS _row_hash",
        f"{flag_list} AS _flags",
    ]
    joins = "".join(f" LEFT JOIN {BAD_VALUES}{j} b{j} ON b{j}.v = l4.{_q(cols[j].name)}" for j in checked)
    sql = f"CREATE OR REPLACE TEMP TABLE {TYPED} AS SELECT {', '.join(layer5)} FROM ({sql4}) l4{joins}"
    statements = [stmt for j in checked for stmt in check_sql(entity, mapping, j)]
    return statements + [(sql, p.used_in(sql))]


def check_sql(entity: contract.Entity, mapping: HeaderMapping, j: int) -> list[tuple[str, dict[str, Any]]]:
    """Statements that leave in `_ingest_bad<j>` the distinct normalized values of check column j
    that fail P3 / P4 (normalized exactly as in typed_sql)."""
    col = entity.columns[j]
    p = _Params()
    value = absent_sql("t", col, p)
    trimmed = trim_sql(f"c{mapping.columns[col.name]}", p)
    test = (
        checks_sql.uscc_sql("v", upper_case=True)
        if col.check == contract.CHECK_USCC
        else checks_sql.resident_id_sql("v", upper_case=True)
    )
    distinct = (
        f"CREATE OR REPLACE TEMP TABLE {BAD_VALUES}{j} AS SELECT DISTINCT {value} AS v "
        f"FROM (SELECT {trimmed} AS t FROM {SRC_TABLE})"
    )
    # A separate statement: in one query the optimizer pushes the check below DISTINCT (every row).
    check = f"DELETE FROM {BAD_VALUES}{j} WHERE v IS NULL OR {test}"
    return [(distinct, p.used_in(distinct)), (check, {})]


def trim_sql(x: str, p: _Params) -> str:
    """`x` without surrounding WHITESPACE. The costlier trim with a character list runs only where
    a value starts or ends with a space, an ideographic space, a tab or a no-break space (each
    prefix/suffix test is cheap, but there are millions of values); a value whose edge is only a
    line break or BOM keeps it."""
    tests = []
    for k, ch in enumerate(EDGE_WHITESPACE):
        tests.append(f"{x} LIKE {p(f'ws_head{k}', ch + '%')}")
        tests.append(f"{x} LIKE {p(f'ws_tail{k}', '%' + ch)}")
    return f"CASE WHEN {' OR '.join(tests)} THEN trim({x}, {p('ws', WHITESPACE)}) ELSE {x} END"


def any_equal(x: str, words: list[str], name: str, p: _Params) -> str:
    """`x` equals one of `words`, as a chain of comparisons: DuckDB plans IN, or list_contains over
    a constant list, as a join, which costs far more on millions of rows than a few comparisons."""
    return "(" + " OR ".join(f"{x} = {p(f'{name}{k}', w)}" for k, w in enumerate(words)) + ")"


def absent_sql(t: str, col: contract.Column, p: _Params) -> str:
    """Trimmed text `t` with absent words as NULL (case ignored), upper case for checked identifiers.
    Words without case compare as they are; the others (null, none, nan) only on short values."""
    caseless = sorted({w for w in contract.ABSENT_WORDS if w.lower() == w.upper()})
    cased = sorted({w.lower() for w in contract.ABSENT_WORDS if w.lower() != w.upper()})
    test = any_equal(t, caseless, "absent", p)
    if cased:
        longest = max(len(w.encode("utf-8")) for w in cased)
        test += f" OR (strlen({t}) <= {longest} AND {any_equal(f'lower({t})', cased, 'absent_cased', p)})"
    value = f"upper({t})" if col.check else t
    return f"CASE WHEN {test} THEN NULL ELSE {value} END"


def _parse(col: contract.Column, v: str, p: _Params) -> str:
    """SQL of the typed value of text `v` (NULL when absent or unparseable)."""
    if col.type == contract.TEXT:
        if col.enum:
            spellings = {contract.normalize_header(k): val for k, val in col.enum.items()}
            keys = p(f"enum_keys_{col.name}", list(spellings))
            values = p(f"enum_values_{col.name}", list(spellings.values()))
            return f"{values}[list_position({keys}, lower({v}))]"
        return v
    if col.type == contract.DATE:
        dates = p("date_formats", list(contract.DATE_FORMATS))
        # A date-time keeps its date whatever the time looks like (fractions, time zones): the
        # time part is cut off only for values no format matched (coalesce is lazy).
        return (
            f"CAST(coalesce(try_strptime({v}, {dates}), CASE WHEN {v} LIKE '%:%' THEN "
            f"try_strptime(regexp_replace({v}, {p('time_part', TIME_PART)}, ''), {dates}) END) AS DATE)"
        )
    if col.type == contract.MONTH:
        months = p("month_formats", list(contract.MONTH_FORMATS))
        dates = p("date_formats", list(contract.DATE_FORMATS))
        return f"CAST(date_trunc('month', coalesce(try_strptime({v}, {months}), try_strptime({v}, {dates}))) AS DATE)"
    if col.type == contract.BOOL:
        yes = any_equal(f"lower({v})", [w.lower() for w in contract.TRUE_WORDS], "true_word", p)
        no = any_equal(f"lower({v})", [w.lower() for w in contract.FALSE_WORDS], "false_word", p)
        return f"CASE WHEN {yes} THEN true WHEN {no} THEN false END"
    # Numbers: thousands separators (ASCII or full-width comma) and inner spaces are dropped.
    x = f"replace(replace(replace({v}, ',', ''), '，', ''), ' ', '')"
    d = f"TRY_CAST({x} AS DOUBLE)"
    if col.type == contract.DECIMAL:
        return f"CASE WHEN isfinite({d}) THEN {d} END"
    if col.type == contract.INT:
        return (
            f"CASE WHEN regexp_full_match({x}, '[+-]?[0-9]{{1,18}}') THEN TRY_CAST({x} AS BIGINT) "
            f"WHEN isfinite({d}) AND {d} = trunc({d}) AND abs({d}) < 9e15 THEN CAST({d} AS BIGINT) END"
        )
    raise ValueError(f"unknown column type {col.type}")


def _bad_code(col: contract.Column) -> str | None:
    if col.type in (contract.DATE, contract.MONTH):
        return "bad_date"
    if col.type in NUMBER_TYPES:
        return "bad_number"
    if col.type == contract.BOOL:
        return "bad_bool"
    if col.enum:
        return "bad_enum"
    return None


def check_flag(col: contract.Column) -> str:
    """Flag code of a failed P3/P4 check: uscc_invalid, authority_uscc_invalid, id_no_invalid."""
    if col.check == contract.CHECK_ID_NO:
        code = "id_no_invalid"
    else:
        code = "uscc_invalid" if col.name == "uscc" else f"{col.name}_invalid"
    assert code in reasons.FLAG_LABELS, code
    return code


def _flag_conditions(entity: contract.Entity, placeholders: list[str], p: _Params) -> dict[str, str]:
    """Flag code → SQL condition over the typed columns (the P3/P4 flags come from typed_sql)."""
    out: dict[str, str] = {}
    if placeholders:
        out["placeholder_date"] = " OR ".join(placeholders)
    if entity.date_order:
        out["date_order"] = " OR ".join(f"{_q(b)} < {_q(a)}" for a, b in entity.date_order)
    text_required = [c for c in entity.columns if c.required and c.type == contract.TEXT and c.name not in entity.key]
    if text_required:
        missing = []
        for c in text_required:
            cond = f"{_q(c.name)} IS NULL"
            if c.name == "uscc" and "party_category" in entity.column_names:
                cond += f" AND {_q('party_category')} IS DISTINCT FROM {p('natural_person', NATURAL_PERSON)}"
            missing.append(f"({cond})")
        out["missing_field"] = " OR ".join(missing)
    assert set(out) <= set(reasons.FLAG_LABELS)
    return out


def error_columns(entity: contract.Entity, con: duckdb.DuckDBPyConnection) -> list[int]:
    """Indexes j of the `_e<j>` columns present in `_ingest_typed`."""
    names = {r[0] for r in con.execute(f"DESCRIBE {TYPED}").fetchall()}
    return [j for j in range(len(entity.columns)) if f"_e{j}" in names]


def _one_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The row of an aggregate query without GROUP BY (it always returns exactly one)."""
    row = con.execute(sql).fetchone()
    assert row is not None
    return row


def run(
    con: duckdb.DuckDBPyConnection,
    entity: contract.Entity,
    extract: Extract,
    mode: str,
    run_id: str,
    result: EntityResult,
    settings: Settings,
    say: Callable[[str], None],
) -> None:
    """Steps 1–4 of the module doc for one extract; fills `result`. Raises IngestError (a
    missing required column) before anything is written; the writes are one transaction."""
    name = result.source
    mapping = map_headers(entity, extract.headers)
    result.extra_columns = [h for h, _ in mapping.extras]
    missing = missing_required(entity, mapping)
    if missing:
        raise IngestError(
            reasons.ERR_MISSING_COLUMNS.format(
                columns="、".join(reasons.column_label(c.label, c.name) for c in missing)
            )
        )
    if result.extra_columns:
        say(f"{name}：未识别的列已保留在原始层：{'、'.join(result.extra_columns)}")

    for sql, params in typed_sql(entity, mapping, extract.row_no_sql, settings):
        con.execute(sql, params)
    con.execute(f"DROP TABLE temp.{SRC_TABLE}")  # _ingest_typed carries the original text from here on
    result.rows_read = _one_row(con, f"SELECT count(*) FROM {TYPED}")[0]
    say(f"{name}：读取 {result.rows_read:,} 行")

    con.execute(f"""CREATE OR REPLACE TEMP TABLE {DUPS} AS
        SELECT _key, max(_row_no) AS winner FROM {TYPED} WHERE _ok GROUP BY _key HAVING count(*) > 1""")
    stg, raw = f"stg_{entity.name}", f"raw_{entity.name}"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {PLAN} AS
        SELECT t._rid, t._row_no, t._key, t._row_hash, t._flags <> '' AS flagged,
               CASE WHEN s._key IS NULL THEN 'new' WHEN s._row_hash = t._row_hash THEN 'same' ELSE 'changed' END AS action
        FROM {TYPED} t
        LEFT JOIN {DUPS} d ON d._key = t._key
        LEFT JOIN (SELECT _key, _row_hash FROM {stg} WHERE _is_current) s ON s._key = t._key
        WHERE t._ok AND (d._key IS NULL OR t._row_no = d.winner)""")
    _build_quarantine_detail(con, entity, mapping)

    counts = _one_row(
        con,
        f"""SELECT count(*), count(*) FILTER (flagged), count(*) FILTER (action = 'new'),
        count(*) FILTER (action = 'changed'), count(*) FILTER (action = 'same') FROM {PLAN}""",
    )
    (result.rows_accepted, result.rows_flagged, result.rows_inserted, result.rows_replaced, result.rows_unchanged) = (
        int(x) for x in counts
    )
    result.rows_quarantined = _one_row(con, f"SELECT count(DISTINCT _rid) FROM {QDETAIL}")[0]
    say(
        f"{name}：校验完成，接受 {result.rows_accepted:,} 行（其中带质量标记 {result.rows_flagged:,} 行），"
        f"隔离 {result.rows_quarantined:,} 行"
    )

    now = dt.datetime.now().replace(microsecond=0)
    seen = f"SELECT _key FROM {TYPED} WHERE _key IS NOT NULL"
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"""UPDATE {stg} SET _is_current = false, _ended_at = $now, _end_reason = 'replaced'
            WHERE _is_current AND _key IN (SELECT _key FROM {PLAN} WHERE action = 'changed')""",
            {"now": now},
        )
        if mode == FULL:
            result.rows_retired = _one_row(
                con, f"SELECT count(*) FROM {stg} WHERE _is_current AND _key NOT IN ({seen})"
            )[0]
            if result.rows_retired:
                con.execute(
                    f"""UPDATE {stg} SET _is_current = false, _ended_at = $now, _end_reason = 'retired'
                    WHERE _is_current AND _key NOT IN ({seen})""",
                    {"now": now},
                )
        meta = {"run_id": run_id, "source": name, "now": now}
        typed_cols = ", ".join(_q(c.name) for c in entity.columns)
        con.execute(
            f"""INSERT INTO {stg} ({typed_cols}, _key, _row_hash, _flags, _run_id, _source, _row_no,
                _loaded_at, _is_current)
            SELECT {", ".join("t." + _q(c.name) for c in entity.columns)}, t._key, t._row_hash, t._flags,
                $run_id, $source, t._row_no, $now, true
            FROM {TYPED} t WHERE t._rid IN (SELECT _rid FROM {PLAN} WHERE action <> 'same')""",
            meta,
        )
        raw_values = [f"t.o{mapping.columns[c.name]}" if c.name in mapping.columns else "NULL" for c in entity.columns]
        extra_params: dict[str, Any] = {}
        if mapping.extras:
            pairs = []
            for n, (header, i) in enumerate(mapping.extras):
                extra_params[f"x{n}"] = header
                pairs.append(f"$x{n}, t.o{i}")
            extra_sql = f"json_object({', '.join(pairs)})"
        else:
            extra_sql = "NULL"
        con.execute(
            f"""INSERT INTO {raw} ({typed_cols}, _key, _row_hash, _extra, _run_id, _source, _row_no)
            SELECT {", ".join(raw_values)}, t._key, t._row_hash, {extra_sql}, $run_id, $source, t._row_no
            FROM {TYPED} t WHERE t._rid IN (SELECT _rid FROM {PLAN} WHERE action <> 'same')""",
            {"run_id": run_id, "source": name, **extra_params},
        )
        _write_quarantine(con, entity, mapping, run_id, name, now)
        con.execute(
            """INSERT INTO meta_entity_loads VALUES ($run_id, $entity, $source, $mode, $read, $accepted,
            $quarantined, $flagged, $inserted, $replaced, $retired, $extra, $now)""",
            {
                "run_id": run_id,
                "entity": entity.name,
                "source": name,
                "mode": mode,
                "read": result.rows_read,
                "accepted": result.rows_accepted,
                "quarantined": result.rows_quarantined,
                "flagged": result.rows_flagged,
                "inserted": result.rows_inserted,
                "replaced": result.rows_replaced,
                "retired": result.rows_retired,
                "extra": json.dumps(result.extra_columns, ensure_ascii=False),
                "now": now,
            },
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    say(
        f"{name}：写入完成，新增 {result.rows_inserted:,}，更新 {result.rows_replaced:,}，"
        f"未变 {result.rows_unchanged:,}，退役 {result.rows_retired:,}"
    )


def _build_quarantine_detail(con: duckdb.DuckDBPyConnection, entity: contract.Entity, mapping: HeaderMapping) -> None:
    """`_ingest_qdetail`: one row per (row, reason, column) that makes a row unusable."""
    parts = []
    for j in error_columns(entity, con):
        col = entity.columns[j]
        i = mapping.columns.get(col.name)
        # An absent word ("暂无") is shown as missing, not as a value.
        value = f"CASE WHEN t._e{j} NOT LIKE 'missing%' THEN t.o{i} END" if i is not None else "NULL::VARCHAR"
        parts.append(f"""SELECT t._rid, t._row_no, t._e{j} AS code, {j} AS col, {value} AS value,
                NULL::BIGINT AS winner
            FROM {TYPED} t WHERE t._e{j} IS NOT NULL""")
    parts.append(f"""SELECT t._rid, t._row_no, 'duplicate_key', NULL::INTEGER, t._key, d.winner
        FROM {TYPED} t JOIN {DUPS} d ON d._key = t._key WHERE t._ok AND t._row_no <> d.winner""")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {QDETAIL} AS {' UNION ALL '.join(parts)}")


def _write_quarantine(
    con: duckdb.DuckDBPyConnection,
    entity: contract.Entity,
    mapping: HeaderMapping,
    run_id: str,
    source: str,
    now: dt.datetime,
) -> None:
    """One quarantine row per (row, reason), worded from REASON_LABELS, with the original values."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {COLS} (col INTEGER, label VARCHAR)")
    con.executemany(
        f"INSERT INTO {COLS} VALUES (?, ?)",
        [(j, reasons.column_label(c.label, c.name)) for j, c in enumerate(entity.columns)],
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {REASONS} (code VARCHAR, template VARCHAR)")
    con.executemany(f"INSERT INTO {REASONS} VALUES (?, ?)", list(reasons.REASON_LABELS.items()))
    key_label = "、".join(reasons.column_label(entity.column(k).label, k) for k in entity.key)
    params: dict[str, Any] = {
        "run_id": run_id,
        "entity": entity.name,
        "source": source,
        "now": now,
        "key_label": key_label,
    }
    pairs = []
    for n, header in enumerate(mapping.original_keys):
        params[f"h{n}"] = header
        pairs.append(f"$h{n}, t.o{n}")
    original = f"json_object({', '.join(pairs)})" if pairs else "'{}'"
    con.execute(
        f"""INSERT INTO quarantine
        WITH detail AS (
            SELECT q._rid, q._row_no, q.code, q.winner,
                   CASE WHEN q.code = 'duplicate_key' THEN $key_label || '：“' || q.value || '”'
                        ELSE c.label || coalesce('“' || q.value || '”', '') END AS part, q.col
            FROM {QDETAIL} q LEFT JOIN {COLS} c ON c.col = q.col),
        grouped AS (
            SELECT _rid, _row_no, code, max(winner) AS winner, string_agg(part, '；' ORDER BY col) AS detail
            FROM detail GROUP BY _rid, _row_no, code)
        SELECT $run_id, $entity, $source, g._row_no, g.code,
               replace(replace(r.template, '{{detail}}', g.detail), '{{winner}}', coalesce(CAST(g.winner AS VARCHAR), '')),
               {original}, $now
        FROM grouped g JOIN {REASONS} r ON r.code = g.code JOIN {TYPED} t ON t._rid = g._rid
        ORDER BY g._row_no, g.code""",
        params,
    )


def drop_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every temporary table of an ingest (a failed one may have left some behind)."""
    names = set(TEMP_TABLES) | {f"{BAD_VALUES}{j}" for j in range(max(len(e.columns) for e in contract.ENTITIES))}
    for table in sorted(names):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
