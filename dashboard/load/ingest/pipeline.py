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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb

from dashboard.core import contract, reasons
from dashboard.core.settings import Settings
from dashboard.load.ingest import checks_sql, shrink
from dashboard.load.ingest.model import FULL, NO_OPTIONS, EntityResult, IngestError, SourceOptions
from dashboard.load.ingest.readers import REJECTS_TABLE, SRC_TABLE, Extract

TYPED, DUPS, PLAN, QDETAIL, COLS, REASONS = (
    "_ingest_typed",
    "_ingest_dups",
    "_ingest_plan",
    "_ingest_qdetail",
    "_ingest_cols",
    "_ingest_reasons",
)
BAD_VALUES = "_ingest_bad"  # + column index: failing P3/P4 values of one check column
REGISTRY = "_ingest_registry"  # 营业执照注册号 / 组织机构代码 → USCC of the current registry
TEMP_TABLES = (SRC_TABLE, TYPED, DUPS, PLAN, QDETAIL, COLS, REASONS, REJECTS_TABLE, REGISTRY)
# Characters trimmed from every value: ASCII white space and control characters (a name that
# begins with a carriage return), no-break space, ideographic space, BOM.
WHITESPACE = " \u00a0\u3000\ufeff" + "".join(chr(c) for c in range(0x20)) + "\x7f"
# Full-width forms (U+FF01–U+FF5E, U+3000) and their ASCII: NFKC of codes, digits and dates.
FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
HALF_WIDTH = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)) + " "
# translate() with the whole map costs far more than this test: it runs only where a value has one.
FULL_WIDTH_RE = "[\uff01-\uff5e\u3000]"
# Text columns whose values are codes: full-width forms are normalised as in typed columns.
CODE_COLUMNS = ("reg_no", "org_code", "party_code", "decision_no", "license_no", "case_no", "decision_doc_no")
# Text columns checked for mojibake (UTF-8 text decoded once as Latin-1 / cp1252 / GBK).
NAME_COLUMNS = ("name", "party_name", "subject_name", "taxpayer_name", "authority", "court", "certificate")
MOJIBAKE_RE = (
    "[\u00c0-\u00ef][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
    "\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153"
    "\u017e\u0178]|\ufffd|锟斤拷|鏈夐檺|鍏徃|[鍙鏄鐨鎴鏈浠瀹绠鐞缁鍏鍦闂璇銆锛鏉鍖鍚鍐鍛夐檺徃]{2}"
)
# Identifier forms of a mixed 身份证号码/组织机构代码 column (masked IDs carry '*').
ID_NO_RE = "[1-8][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]|[0-9]{15}"
USCC_RE = "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"
ORG_CODE_RE = "[0-9A-Z]{8}-?[0-9X]"
# The time of day after a date ("2024-03-01 09:30:00.000000", "2024-03-01T09:30:00+08:00").
TIME_PART = r"[ T]+[0-9]{1,2}:[0-9]{2}.*$"
# The date spellings exports use most, each sent to its one strptime format: a list of formats
# tries them in order, and each that fails costs as much as a parse (a date-time at the sixth
# format cost seven times a plain date). A shape is sent to format k only where the formats before
# k in contract.DATE_FORMATS cannot match it; a value whose format fails takes the whole list.
ISO_DATE_LIKE = "____-__-__"  # format 1 is the first: any shape may try it
SLASH_DATE_RE = "[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}"  # format 1 needs '-'
COMPACT_DATE_RE = "[0-9]{8}"  # formats 1 and 2 need a separator
# A date-time whose date is ISO: its date is what the list (or, for a time no format takes, the
# cut of TIME_PART) gives — the part before the first space or T.
ISO_DATE_TIME_RE = "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T]+[0-9]{1,2}:[0-9]{2}.*"
assert contract.DATE_FORMATS[:3] == ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
NUMBER_TYPES = (contract.INT, contract.DECIMAL)
# A penalty on a natural person carries no USCC: its empty uscc is not a missing field.
NATURAL_PERSON = "自然人"


@dataclass(frozen=True)
class HeaderMapping:
    """Source column index of each canonical column present, and the unknown (extra) columns."""

    columns: dict[str, int]
    extras: list[tuple[str, int]]
    original_keys: list[str]  # JSON key of every source column (header text, made unique)
    ignored: list[tuple[str, int]] = field(default_factory=list)  # 序号: neither mapped nor kept


def map_headers(
    entity: contract.Entity, headers: list[str], overrides: Mapping[str, str] | None = None
) -> HeaderMapping:
    """Match headers to canonical columns: a source's own overrides first (sources.toml
    `headers`), then the contract's spellings (case, spaces, full-width forms and brackets
    ignored; "CODE 标签" and "标签(说明)" forms, see contract.header_candidates). The first header of
    a canonical column wins; a row-number column (序号) is ignored; everything else is an extra
    column, kept and reported."""
    known = contract.header_map(entity)
    own = {contract.loose_header(h): c for h, c in (overrides or {}).items()}
    columns: dict[str, int] = {}
    extras: list[tuple[str, int]] = []
    ignored: list[tuple[str, int]] = []
    keys: list[str] = []
    seen: set[str] = set()
    for i, header in enumerate(headers):
        shown = str(header).replace("\ufeff", "").strip() or f"第{i + 1}列"
        unique, n = shown, 2
        while unique in seen:
            unique, n = f"{shown}（{n}）", n + 1
        seen.add(unique)
        keys.append(unique)
        col = own.get(contract.loose_header(header)) or contract.lookup_header(known, header)
        if col is not None and col not in columns:
            columns[col] = i
        elif col is None and contract.is_ignored_header(header):
            ignored.append((unique, i))
        else:
            extras.append((unique, i))
    return HeaderMapping(columns, extras, keys, ignored)


def missing_required(
    entity: contract.Entity, mapping: HeaderMapping, options: SourceOptions = NO_OPTIONS
) -> list[contract.Column]:
    """Required columns with no header (a fallback column, a key alternate or a constant of the
    source's configuration stands in for its column)."""
    out = []
    for col in entity.columns:
        if not col.required or col.name in mapping.columns or col.name in options.constants:
            continue
        fallback = entity.fallbacks.get(col.name) or entity.key_alternates.get(col.name)
        if fallback and fallback in mapping.columns:
            continue
        if col.name in _split_targets(entity) and entity.split_identifier in mapping.columns:
            continue
        out.append(col)
    return out


def _split_targets(entity: contract.Entity) -> tuple[str, ...]:
    return ("uscc", "org_code", "party_id_no") if entity.split_identifier else ()


def _is_amount(col: contract.Column) -> bool:
    """An optional amount in 万元: written 0.5万元 / 5000元 / 5,000.00; unreadable = a flag, not a loss."""
    return col.type == contract.DECIMAL and col.name.endswith("_wan_yuan")


def normalised_columns(entity: contract.Entity) -> list[str]:
    """Columns whose full-width forms are folded to ASCII (NFKC of codes, digits and dates)."""
    return [
        c.name
        for c in entity.columns
        if c.type != contract.TEXT or c.check or c.enum or c.name in entity.key or c.name in CODE_COLUMNS
    ]


def build_registry(con: duckdb.DuckDBPyConnection, entity: contract.Entity, mapping: HeaderMapping) -> bool:
    """`_ingest_registry`: 营业执照注册号 and 组织机构代码 (USCC characters 9–17) of the current
    registry → its USCC, where one number names one USCC; built only for an extract that names
    subjects by those numbers. Returns whether it was built."""
    wanted = {"reg_no", "org_code", entity.split_identifier} & set(mapping.columns)
    if entity.name == "subjects" or not wanted or "uscc" not in entity.column_names:
        return False
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {REGISTRY} AS
        SELECT k, min(uscc) AS uscc FROM (
            SELECT upper(reg_no) AS k, uscc FROM subjects WHERE reg_no IS NOT NULL AND uscc IS NOT NULL
            UNION ALL
            SELECT substr(uscc, 9, 9), uscc FROM subjects WHERE strlen(uscc) = 18)
        GROUP BY k HAVING count(DISTINCT uscc) = 1""")
    return True


def _q(name: str) -> str:
    """Quote a canonical column name (from the contract, so never user text)."""
    assert name.replace("_", "").isalnum(), name
    return f'"{name}"'


_PARAMETER = re.compile(r"\$(\w+)")


class _Params:
    """Bound parameters collected while the SQL text is generated."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, name: str, value: Any) -> str:
        self.values[name] = value
        return f"${name}"

    def used_in(self, sql: str) -> dict[str, Any]:
        """DuckDB refuses parameters the statement does not name."""
        named = set(_PARAMETER.findall(sql))
        return {k: v for k, v in self.values.items() if k in named}


def typed_sql(
    entity: contract.Entity,
    mapping: HeaderMapping,
    row_no_sql: str,
    settings: Settings,
    options: SourceOptions = NO_OPTIONS,
    registry: bool = False,
) -> list[tuple[str, dict[str, Any]]]:
    """The statements (with their parameters) that build `_ingest_typed` (module doc, step 1).
    `registry`:
    `_ingest_registry` exists, so USCCs missing from the rows are looked up by 注册号 / 组织机构代码."""
    p = _Params()
    cols = entity.columns
    key = set(entity.key)
    index = {c.name: j for j, c in enumerate(cols)}
    max_field = p("max_field", settings.warehouse.max_field_bytes)
    # Layers 1–2: trimmed text, absent words → NULL, identifiers upper case; all-empty rows skipped.
    src_cols = [f"c{i}" for i in range(len(mapping.original_keys))]
    # The original text rides along as o<i>, for raw_<entity> and quarantine.
    originals = [f"o{i}" for i in range(len(src_cols))]
    keep = ["_rid", "_row_no", "_too_long", *originals]
    too_long = " OR ".join(f"strlen({c}) > {max_field}" for c in src_cols) or "false"
    layer1 = [
        "rowid AS _rid",
        f"{row_no_sql} AS _row_no",
        f"CASE WHEN {too_long} THEN 'field_too_long' END AS _too_long",
        *(f"c{i} AS o{i}" for i in range(len(src_cols))),
    ]
    normalised = set(normalised_columns(entity))
    # Full-width forms are folded once per source column, below the trim (which repeats its
    # argument): f<i> beside c<i>, the original text, in a layer under layer 1.
    folded = sorted({i for c, i in mapping.columns.items() if c in normalised})
    source = SRC_TABLE
    if folded:
        folds = ", ".join(f"{fold_sql(f'c{i}', p)} AS f{i}" for i in folded)
        source = f"(SELECT *, rowid AS rowid, {folds} FROM {SRC_TABLE})"
    for j, col in enumerate(cols):
        i = mapping.columns.get(col.name)
        if i is None:
            layer1.append(f"NULL::VARCHAR AS t{j}")
            continue
        value = f"f{i}" if i in folded and col.name in normalised else f"c{i}"
        layer1.append(f"{trim_sql(value, p)} AS t{j}")
    nonempty = f"coalesce({', '.join(src_cols)}) IS NOT NULL" if src_cols else "false"
    sql1 = f"SELECT {', '.join(layer1)} FROM {source} WHERE {nonempty}"
    layer2 = list(keep)
    for j, col in enumerate(cols):
        n = absent_sql(f"t{j}", col, p)
        if mapped := options.values.get(col.name):
            keys_, values_ = p(f"map_keys{j}", list(mapped)), p(f"map_values{j}", list(mapped.values()))
            n = f"coalesce({values_}[list_position({keys_}, {n})], {n})"
        if col.name in options.constants:
            n = f"coalesce({n}, {p(f'const{j}', options.constants[col.name])})"
        layer2.append(f"{n} AS n{j}")
    sql2 = f"SELECT {', '.join(layer2)} FROM ({sql1})"

    # Layer 2b: identifiers split by form, registry look-ups (only where the extract needs them).
    extra_keep: list[str] = []
    split = {}
    if entity.split_identifier and entity.split_identifier in mapping.columns:
        code = f"n{index[entity.split_identifier]}"
        form = (
            f"CASE WHEN {code} LIKE '%*%' OR regexp_full_match({code}, {p('id_re', ID_NO_RE)}) THEN 'id' "
            f"WHEN regexp_full_match({code}, {p('uscc_re', USCC_RE)}) THEN 'uscc' "
            f"WHEN regexp_full_match({code}, {p('org_re', ORG_CODE_RE)}) THEN 'org' END"
        )
        split = {
            "party_id_no": f"CASE WHEN {form} = 'id' THEN {code} END",
            "uscc": f"CASE WHEN {form} = 'uscc' THEN {code} END",
            "org_code": f"CASE WHEN {form} = 'org' THEN replace({code}, '-', '') END",
        }
    own = {name: f"n{index[name]}" for name in ("uscc", "org_code", "party_id_no", "reg_no") if name in index}
    for name, expr in split.items():
        if name in own:
            own[name] = f"coalesce({own[name]}, {expr})"
    sql2b, joins2b = f"({sql2}) l2", ""
    uscc_sources = [own["uscc"]] if "uscc" in own else []
    if registry and "uscc" in own:
        if "reg_no" in index and "reg_no" in mapping.columns:
            joins2b += f" LEFT JOIN {REGISTRY} rr ON rr.k = {own['reg_no']}"
            uscc_sources.append("rr.uscc")
        if "org_code" in own and ("org_code" in mapping.columns or split):
            joins2b += f" LEFT JOIN {REGISTRY} ro ON ro.k = {own['org_code']}"
            uscc_sources.append("ro.uscc")
    linked = {name: expr for name, expr in own.items() if name != "reg_no"}
    if len(uscc_sources) > 1:
        linked["uscc"] = f"coalesce({', '.join(uscc_sources)})"
    if "reg_no" in mapping.columns and "uscc" in own:
        extra_keep.append("_reg_only")
        reg_only = f"({own['uscc']}) IS NULL AND n{index['reg_no']} IS NOT NULL"
    alternates = {}
    for name, alt in entity.key_alternates.items():
        if alt in mapping.columns:
            alternates[name] = f"_ka{index[name]}"
            extra_keep.append(alternates[name])
    if split or joins2b or extra_keep:
        layer2b = list(keep) + [
            f"{linked[c.name]} AS n{j}" if c.name in linked and linked[c.name] != f"n{j}" else f"n{j}"
            for j, c in enumerate(cols)
        ]
        if "_reg_only" in extra_keep:
            layer2b.append(f"{reg_only} AS _reg_only")
        for name, alt in entity.key_alternates.items():
            if name in alternates:
                layer2b.append(f"'注册号:' || n{index[alt]} AS {alternates[name]}")
        sql2 = f"SELECT {', '.join(layer2b)} FROM {sql2b}{joins2b}"
        keep = keep + extra_keep

    # Layer 3: parsed values p<j> next to the text v<j> (fallbacks applied).
    layer3 = list(keep)
    status_dates = {
        target: (index[source], index[status], values)
        for target, source, status, values in entity.status_dates
        if source in mapping.columns and status in index
    }
    for j, col in enumerate(cols):
        v = f"n{j}"
        if col.name in entity.fallbacks:
            v = f"coalesce(n{j}, n{index[entity.fallbacks[col.name]]})"
        layer3.append(f"{v} AS v{j}")
        parsed = _parse(col, v, p)
        if col.name in status_dates:
            s_j, st_j, values = status_dates[col.name]
            status_value = _parse(cols[st_j], f"n{st_j}", p)
            closed = p(f"closed_statuses{j}", list(values))
            parsed = (
                f"coalesce({parsed}, CASE WHEN list_position({closed}, {status_value}) > 0 "
                f"THEN {_parse(cols[s_j], f'n{s_j}', p)} END)"
            )
            v = f"coalesce({v}, CASE WHEN list_position({closed}, {status_value}) > 0 THEN n{s_j} END)"
            layer3[-1] = f"{v} AS v{j}"
        layer3.append(f"{parsed} AS p{j}")
    sql3 = f"SELECT {', '.join(layer3)} FROM ({sql2})"

    # Layer 4: final values, error codes, placeholder marks.
    layer4 = list(keep)
    errors: list[str] = ["_too_long"]
    placeholders: list[str] = []
    unreadable: list[str] = []
    before, after = (
        p("ph_before", settings.publicity.placeholder_before),
        p("ph_from", settings.publicity.placeholder_from),
    )

    def long_term(j: int) -> str:
        words = any_equal(f"v{j}", list(contract.LONG_TERM_WORDS), "long_term", p)
        return f"coalesce({words} OR p{j} >= {after}, false)"

    for j, col in enumerate(cols):
        v, parsed = f"v{j}", f"p{j}"
        is_placeholder = f"({parsed} < {before} OR {parsed} >= {after})"
        nullable_placeholder = col.type == contract.DATE and (col.placeholder_means_absent or not col.required)
        lt = long_term(j) if col.long_term else None
        if lt is not None:
            layer4.append(f"CASE WHEN {lt} OR {is_placeholder} THEN NULL ELSE {parsed} END AS {_q(col.name)}")
            layer4.append(f"coalesce({parsed} < {before}, false) AS ph{j}")
            placeholders.append(f"ph{j}")
        elif nullable_placeholder:
            layer4.append(f"CASE WHEN {is_placeholder} THEN NULL ELSE {parsed} END AS {_q(col.name)}")
            layer4.append(f"coalesce({is_placeholder}, false) AS ph{j}")
            placeholders.append(f"ph{j}")
        elif col.long_term_of is not None:
            layer4.append(f"coalesce({parsed}, {long_term(index[col.long_term_of])}) AS {_q(col.name)}")
        else:
            layer4.append(f"{parsed} AS {_q(col.name)}")
        if _is_amount(col) and not col.required:
            layer4.append(f"({v} IS NOT NULL AND {parsed} IS NULL) AS am{j}")
            unreadable.append(f"am{j}")
            continue
        if col.name in key:
            missing = "'missing_key'"
        elif col.required and col.type != contract.TEXT:
            missing = "'missing_required'"
        else:
            missing = "NULL"
        bad = _bad_code(col)
        if missing == "NULL" and bad is None:
            continue
        absent = f"{v} IS NULL AND {alternates[col.name]} IS NULL" if col.name in alternates else f"{v} IS NULL"
        branches = [f"WHEN {absent} THEN {missing}"]
        if col.name in alternates:
            branches.append(f"WHEN {v} IS NULL THEN NULL")
        if lt is not None:
            branches.append(f"WHEN {lt} THEN NULL")
        if bad is not None:
            branches.append(f"WHEN {parsed} IS NULL THEN '{bad}'")
            if col.type == contract.DATE and not nullable_placeholder and lt is None:
                branches.append(f"WHEN {is_placeholder} THEN 'bad_date'")
        layer4.append(f"CASE {' '.join(branches)} END AS _e{j}")
        errors.append(f"_e{j}")
    sql4 = f"SELECT {', '.join(layer4)} FROM ({sql3})"

    # Layer 5: key, hash, flags, usability. P3/P4 run once per distinct value (check_sql): a
    # value in the small table of failing values gets the flag through a cheap join.
    key_cols = [_q(k) for k in entity.key]
    key_parts = {k: f"CAST({_q(k)} AS VARCHAR)" for k in entity.key}
    for name, alt in alternates.items():
        key_parts[name] = f"coalesce({key_parts[name]}, {alt})"
    key_expr = (
        f"CASE WHEN {' AND '.join(f'{key_parts[k]} IS NOT NULL' for k in entity.key)} "
        f"THEN concat_ws('|', {', '.join(key_parts[k] for k in entity.key)}) END"
    )
    del key_cols
    # DuckDB's own hash() of the typed values: md5 over their text cost a third of this statement.
    # It is stable for a given DuckDB version (duckdb is pinned; a test pins a known value, so an
    # upgrade that changed it would be noticed before it re-versions every row).
    row_hash = f"CAST(hash({', '.join(_q(c.name) for c in cols)}) AS VARCHAR)"
    checked = [j for j, c in enumerate(cols) if c.check and c.name in mapping.columns]
    conditions = {check_flag(cols[j]): f"b{j}.v IS NOT NULL" for j in checked}
    conditions.update(_flag_conditions(entity, placeholders, p))
    if unreadable:
        conditions["amount_unreadable"] = " OR ".join(unreadable)
    if "_reg_only" in keep:
        conditions["reg_no_only"] = "_reg_only"
    names = [_q(c) for c in NAME_COLUMNS if c in mapping.columns]
    if names:
        mojibake = p("mojibake_re", MOJIBAKE_RE)
        conditions["mojibake"] = " OR ".join(f"regexp_matches({n}, {mojibake})" for n in names)
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
    that fail P3 / P4 (normalized exactly as in typed_sql). A masked ID number (with '*', as
    public 失信被执行人 lists print it) cannot be checked and is not flagged."""
    col = entity.columns[j]
    p = _Params()
    value = absent_sql("t", col, p)
    i = mapping.columns[col.name]
    text = fold_sql(f"c{i}", p)
    test = (
        checks_sql.uscc_sql("v", upper_case=True)
        if col.check == contract.CHECK_USCC
        else f"v LIKE '%*%' OR {checks_sql.resident_id_sql('v', upper_case=True)}"
    )
    distinct = (
        f"CREATE OR REPLACE TEMP TABLE {BAD_VALUES}{j} AS SELECT DISTINCT {value} AS v "
        f"FROM (SELECT {trim_sql('x', p)} AS t FROM (SELECT {text} AS x FROM {SRC_TABLE}))"
    )
    # A separate statement: in one query the optimizer pushes the check below DISTINCT (every row).
    check = f"DELETE FROM {BAD_VALUES}{j} WHERE v IS NULL OR {test}"
    return [(distinct, p.used_in(distinct)), (check, {})]


def fold_sql(x: str, p: _Params) -> str:
    """`x` with full-width forms as ASCII (NFKC of codes, digits and dates), where it has any.
    Only a value with a non-ASCII character (more characters than bytes: strlen ≠ length) pays
    for the regex, and only one with a full-width form for translate(): codes, dates and numbers
    are nearly always ASCII, so folding every normalised column costs less than first scanning
    the extract for the columns that need it."""
    return (
        f"CASE WHEN strlen({x}) = length({x}) THEN {x} WHEN regexp_matches({x}, {p('fw_re', FULL_WIDTH_RE)}) "
        f"THEN translate({x}, {p('full_width', FULL_WIDTH)}, {p('half_width', HALF_WIDTH)}) ELSE {x} END"
    )


def trim_sql(x: str, p: _Params) -> str:
    """`x` without surrounding WHITESPACE (control characters included: a name that begins with
    a carriage return loses it). The costlier trim with a character list runs only where the
    first or the last character is one of WHITESPACE (two one-character look-ups per value; there
    are millions of values)."""
    ws = p("ws", WHITESPACE)
    return f"CASE WHEN contains({ws}, {x}[1]) OR contains({ws}, {x}[-1]) THEN trim({x}, {ws}) ELSE {x} END"


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
            # the same spellings with full-width forms folded, as normalised values arrive
            folded = str.maketrans(FULL_WIDTH, HALF_WIDTH)
            spellings.update({k.translate(folded): val for k, val in list(spellings.items())})
            keys = p(f"enum_keys_{col.name}", list(spellings))
            values = p(f"enum_values_{col.name}", list(spellings.values()))
            found = f"{values}[list_position({keys}, lower({v}))]"
            if col.enum_other is not None:
                return f"coalesce({found}, CASE WHEN {v} IS NOT NULL THEN {p(f'enum_other_{col.name}', col.enum_other)} END)"
            return found
        return v
    if col.type == contract.DATE:
        dates = p("date_formats", list(contract.DATE_FORMATS))
        iso, slash, compact = contract.DATE_FORMATS[:3]
        fast = (
            f"CASE WHEN {v} LIKE {p('iso_like', ISO_DATE_LIKE)} THEN try_strptime({v}, {p('iso', iso)}) "
            f"WHEN regexp_full_match({v}, {p('slash_re', SLASH_DATE_RE)}) THEN try_strptime({v}, {p('slash', slash)}) "
            f"WHEN regexp_full_match({v}, {p('compact_re', COMPACT_DATE_RE)}) "
            f"THEN try_strptime({v}, {p('compact', compact)}) "
            f"WHEN regexp_full_match({v}, {p('iso_time_re', ISO_DATE_TIME_RE)}) "
            f"THEN try_strptime(regexp_extract({v}, '^[^ T]+'), {p('iso', iso)}) END"
        )
        # A date-time keeps its date whatever the time looks like (fractions, time zones): the
        # time part is cut off only for values no format matched (coalesce is lazy, so the list
        # runs only where the shape's own format did not give a date).
        return (
            f"CAST(coalesce({fast}, try_strptime({v}, {dates}), CASE WHEN {v} LIKE '%:%' THEN "
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
    if col.type == contract.DECIMAL and _is_amount(col):
        # 0.5万元 / 0.5万 → 0.5; 5000元 → 0.5; a bare number is in 万元 already (双公示).
        def num(text: str) -> str:
            return f"CASE WHEN isfinite(TRY_CAST({text} AS DOUBLE)) THEN TRY_CAST({text} AS DOUBLE) END"

        return (
            f"CASE WHEN {x} LIKE '%万元' THEN {num(f'left({x}, length({x}) - 2)')} "
            f"WHEN {x} LIKE '%万' THEN {num(f'left({x}, length({x}) - 1)')} "
            f"WHEN {x} LIKE '%元' THEN {num(f'left({x}, length({x}) - 1)')} / 10000 "
            f"ELSE {num(x)} END"
        )
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


COUNT_SOURCE_ROWS = "SELECT count(*) FROM " + SRC_TABLE


def source_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Rows of the extract just read (the reader's staging table)."""
    return int(_one_row(con, COUNT_SOURCE_ROWS)[0])


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
    confirm_shrink: bool = False,
    options: SourceOptions = NO_OPTIONS,
) -> None:
    """Steps 1–4 of the module doc for one extract; fills `result`. Raises IngestError (a
    missing required column) before anything is written, and shrink.ShrinkHeld (a full extract
    that would retire too much, unless `confirm_shrink`) with nothing written; the writes are
    one transaction."""
    name = result.source
    mapping = map_headers(entity, extract.headers, options.headers)
    result.extra_columns = [h for h, _ in mapping.extras]
    result.ignored_columns = [h for h, _ in mapping.ignored]
    missing = missing_required(entity, mapping, options)
    result.headers, result.mapped_columns = list(extract.headers), dict(mapping.columns)
    result.missing_columns = [c.name for c in missing]
    if missing:
        raise IngestError(
            reasons.ERR_MISSING_COLUMNS.format(
                columns="、".join(reasons.column_label(c.label, c.name) for c in missing)
            )
        )
    if result.extra_columns:
        say(f"{name}：未识别的列已保留在原始层：{'、'.join(result.extra_columns)}")

    registry = build_registry(con, entity, mapping)
    for sql, params in typed_sql(entity, mapping, extract.row_no_sql, settings, options, registry):
        con.execute(sql, params)
    con.execute(f"DROP TABLE temp.{SRC_TABLE}")  # _ingest_typed carries the original text from here on
    rejects = _rejects(con) if extract.rejects else []
    result.rows_read = _one_row(con, f"SELECT count(*) FROM {TYPED}")[0] + len(rejects)
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
    result.rows_quarantined = _one_row(con, f"SELECT count(DISTINCT _rid) FROM {QDETAIL}")[0] + len(rejects)
    say(
        f"{name}：校验完成，接受 {result.rows_accepted:,} 行（其中带质量标记 {result.rows_flagged:,} 行），"
        f"隔离 {result.rows_quarantined:,} 行"
    )

    now = dt.datetime.now().replace(microsecond=0)
    seen = f"SELECT _key FROM {TYPED} WHERE _key IS NOT NULL"
    written = f"t._rid IN (SELECT _rid FROM {PLAN} WHERE action <> 'same')"
    rows_current = _one_row(con, f"SELECT count(*) FROM {stg} WHERE _is_current")[0] if mode == FULL else 0
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
            max_share = settings.warehouse.max_retire_share
            shrink.check(result.rows_read, rows_current, result.rows_retired, max_share, confirm_shrink)
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
            FROM {TYPED} t WHERE {written}""",
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
            FROM {TYPED} t WHERE {written}""",
            {"run_id": run_id, "source": name, **extra_params},
        )
        if result.rows_quarantined > len(rejects):  # rows of the extract itself are unusable
            _write_quarantine(con, entity, mapping, run_id, name, now)
        if rejects:
            con.executemany(
                "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [run_id, entity.name, name, row_no, code, _reject_message(code, detail), original, now]
                    for row_no, code, detail, original in rejects
                ],
            )
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


def _rejects(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str, str]]:
    """Lines the reader could not split into fields: (line, reason code, detail, original JSON)."""
    rows = con.execute(f"SELECT row_no, code, detail, original FROM {REJECTS_TABLE} ORDER BY row_no").fetchall()
    return [
        (n, code, detail or "", json.dumps({"原始行": original}, ensure_ascii=False))
        for n, code, detail, original in rows
    ]


def _reject_message(code: str, detail: str) -> str:
    text = reasons.REASON_LABELS[code].replace("{detail}", detail or reasons.TOO_LONG_DETAIL)
    return text.replace("（）", "")


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
    parts.append(f"""SELECT t._rid, t._row_no, t._too_long, NULL::INTEGER, NULL::VARCHAR, NULL::BIGINT
        FROM {TYPED} t WHERE t._too_long IS NOT NULL""")
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
        "too_long": reasons.TOO_LONG_DETAIL,
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
                        WHEN q.code = 'field_too_long' THEN $too_long
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
    present = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND list_contains($names, table_name)",
        {"names": sorted(names)},
    ).fetchall()
    for (table,) in present:
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
