"""docs/data-contract.md, written from the contract itself (dashboard.core.contract).

`contract_markdown()` is pure: the contract's entities in, Markdown text out. The policy of a load
(formats, encodings, modes, reject-or-flag, real exports) is hand-written prose kept here as the
preamble; everything about entities and columns (names, labels, 双公示 codes, types, keys, required
columns, accepted header spellings, accepted values, checks) is generated, so the document cannot
drift from the code. tests/test_docs.py::test_data_contract_doc_is_current compares the committed
file with this output.

Regenerate after any change to the contract or to this module:

    python -m dashboard.core.contract_doc > docs/data-contract.md
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence

from dashboard.core import contract
from dashboard.core.contract import Column, Entity

COMMAND = "python -m dashboard.core.contract_doc > docs/data-contract.md"

TYPE_WORDS = {
    contract.TEXT: "text",
    contract.DATE: "date",
    contract.BOOL: "boolean",
    contract.INT: "integer",
    contract.DECIMAL: "decimal",
    contract.MONTH: "month",
}

CHECK_WORDS = {
    contract.CHECK_USCC: "P3 USCC check",
    contract.CHECK_ID_NO: "P4 resident ID check",
}

# Hand-written remarks on single columns: what the contract's types cannot say. A remark on a
# column the contract does not have is an error (see _column_notes), so they cannot go stale.
COLUMN_NOTES: dict[tuple[str, str], str] = {
    ("subjects", "uscc"): "one USCC on several names is 重码 (I03): every row is kept and counted",
    ("subjects", "industry_code"): "GB/T 4754 门类 letter; maps the subject to its supervising department",
    ("subjects", "district_code"): "GB/T 2260 code of a district or county (P5)",
    ("penalties", "party_category"): "自然人 rows are personal data (P6)",
    ("penalties", "uscc"): "for organisations; a 自然人 has none (the row is then not flagged for it)",
    ("penalties", "penalty_kinds"): "several kinds separated by ';'",
    ("penalties", "reported_at"): (
        "when the record reached the platform (I04a, I04c); not a national 双公示 field, often absent: "
        "I04c counts only the records that carry it"
    ),
    ("penalties", "party_id_no"): "natural persons only; masked everywhere (P6)",
    ("penalties", "fine_wan_yuan"): "in 万元 (ten thousand yuan), as 双公示 publishes it",
    ("penalties", "publicity_end"): "the record's own end of publicity (P8)",
    ("penalties", "procedure"): "简易 keeps the penalty out of every figure (P7)",
    ("penalties", "severity"): "publicity class (P8); absent = settings publicity.default_severity",
    ("penalties", "minor_first_offence"): "true keeps the penalty out of every figure (P7)",
    ("penalties", "revoked"): "a revoked decision is not in publicity (P9)",
    ("licenses", "license_no"): "an empty or missing value takes decision_doc_no (行政许可决定文书号)",
    ("licenses", "valid_to"): "长期, 2099/12/31 or 9999-12-31 mean the licence never expires: never a W2 warning",
    ("licenses", "license_kind"): "a kind beyond the six (e.g. 行政确认) is kept as 其他",
    ("subjects", "status"): (
        "spellings → classes in dashboard/reference/subject_status.csv: 停业/清算 count as 存续, "
        "迁出 left the city (docs/rules.md, Reading conventions)"
    ),
    ("subjects", "approved_date"): "核准日期: the closing date of a 注销/吊销/迁出 record without closed_date",
    ("subjects", "reg_no"): "links records that name a subject only by 营业执照注册号",
    (
        "penalties",
        "penalty_valid_to",
    ): "CF_YXQ, shown in the subject profile beside the publicity end; P8 does not use it",
    ("penalties", "reg_no"): "a penalty named only by it is kept (flag reg_no_only) and linked through the registry",
    ("executees", "party_code"): "失信被执行人 public records: one column for ID numbers and 组织机构代码",
    ("licenses", "reported_at"): "as for penalties (I04a, I04c)",
    ("executees", "party_id_no"): "natural persons only; masked everywhere (P6)",
    ("executees", "is_dishonest"): "失信被执行人 (W2 overlay, W4 escalation, I19)",
    ("tax_credit", "published_date"): "absent = 30 April of year + 1 (I14)",
    ("evaluations", "evaluator"): (
        "`公共信用综合评价` (settings grades.public_evaluation_name) for the provincial result, "
        "else the evaluating department (G1)"
    ),
    ("repairs", "record_ref"): "the repaired record, e.g. a penalty's decision_no",
    (
        "objections",
        "concerns_grading",
    ): "an objection to a credit evaluation: 7 working days, not 5 (I05; 002 §三(五)1)",
    ("loans", "buffer_days"): "absent = settings loans.default_buffer_days (W5)",
    ("disclosure_ledger", "decisions"): "decisions made that month in the department's own case system (I04a)",
    ("collections", "subjects_covered"): "subjects the push covers (numerator of I02a–c)",
    ("city_scores", "rank"): "among the ~261 prefecture-level cities (I00)",
}

PREAMBLE = """\
# Data contract: what a load takes in

> **Generated file.** Written by `{command}` from the contract in
> `dashboard/core/contract.py` (entities, columns, header spellings, types, keys) and the policy
> text kept in `dashboard/core/contract_doc.py`. Do not edit it by hand: change the code and
> regenerate. `tests/test_docs.py::test_data_contract_doc_is_current` fails while the two differ.

The city's credit information sharing platform (信用信息共享平台) and the departments hand their data
over as table exports or as tables of a relational database. This page says what the loader accepts,
what it does with a row it cannot use, and, entity by entity, which columns it expects. Rule ids
(P3, I04c, W2 …) refer to [the rules catalogue](rules.md).

## Drops and sources

A load reads one **drop**: a folder holding one file per entity, the file's stem being the entity
name (`penalties.csv`, `licenses.xlsx`, `subjects.parquet`) or its Chinese label (`经营异常名录.csv`).
A named source in `sources.toml` may give each entity file-name patterns, so that files keep the
names they are exported under (`行政处罚信息_*.xlsx` matches `行政处罚信息_202406.xlsx`), and may set
header overrides, constant columns and value maps per entity (README, "Loading real exports"). The
same entities may instead come from tables or SELECT statements behind a SQLAlchemy URL. Files in the
drop that are no entity are listed in the run's notes and otherwise ignored; when a drop holds two
files for one entity, a file named after it beats a pattern match, Parquet is preferred to CSV and
CSV to XLSX, then the last name wins (the latest month), and the other files are reported.

## File formats and encodings

- **CSV** may be UTF-8, UTF-8 with a byte-order mark, or GB18030/GBK — the usual output of Chinese
  office software. The encoding is detected strictly: a file that is not valid UTF-8 is read as
  GB18030, and a file that is neither fails its entity with a Chinese message. Nothing is ever decoded
  with replacement characters.
- **CSV and XLSX**: title lines above the header are skipped (the header is the first of the first 20
  lines that names a column of the entity). A CSV line that cannot be split into the header's fields
  (too few or too many, a quote that never closes) is quarantined with its line number
  (`csv_columns`, `csv_quote`) and the rest of the file loads; the lines swallowed by an unclosed
  quote are read again one by one.
- **XLSX**: the sheet named after the entity (or its Chinese label), else the first sheet; a two-row
  header whose upper row groups columns in merged cells is joined into one label per column
  (`行政相对人` over `名称` → `行政相对人名称`); a merged cell gives every cell it spans its value;
  Excel date cells are dates.
- Any reader: a value longer than `warehouse.max_field_bytes` bytes quarantines its row
  (`field_too_long`; a CSV line longer than twice that is quarantined as it is read).
- **Parquet** and **SQL** sources: every value is read as text and typed by the same rules as CSV.

## Headers

A column may be headed by its canonical name, its national 双公示 field code (`CF_*`, `XK_*`), its
Chinese label or one of the other spellings listed in the tables below. Matching ignores letter case
and surrounding spaces (the ideographic space and a byte-order mark included), then, loosely,
full-width forms, inner spaces, brackets and separators (`作出决定机关（列入）` = `作出决定机关(列入)`). A
header that joins a code and a label (`CF_XDR_MC 行政相对人名称`, `CF_XDR_GSZC (工商注册号)`) is matched by
either part, and one with a remark in brackets by the bracketed text
(`行政相对人代码_3(统一社会信用代码)`). A row-number column (`序号`) is ignored. A column the contract
does not know is kept in the raw layer (`raw_<entity>._extra`) and reported, never an error. A
*required* column missing from a file fails that entity only, unless the entity names a fallback
column for it or the source's configuration gives it a constant (`constants` in `sources.toml`).

## Values

Spellings accepted in every entity (the lists are the contract's own constants):

{values}

Codes, digits and dates are NFKC-normalised (full-width `２０２４－０３－０１`, `９１２３…` are read as
ASCII). Money in 双公示 data is in 万元 (ten thousand yuan) and the unit stays in the column name
(`fine_wan_yuan`, `amount_wan_yuan`); an optional amount may be written `0.5万元`, `5000元` (converted:
0.5) or `5,000.00` (in the header's 万元), and one that is no number is accepted as absent with the
flag `amount_unreadable`. Text values lose leading and trailing white space and control characters
(a name that begins with a carriage return), and a text that looks mis-decoded (UTF-8 read once as
Latin-1, Windows-1252 or GBK) is flagged `mojibake`.

## Modes: full and incremental

- **full** — the extract is complete: a key that the extract no longer carries is *retired* (its
  version is ended and kept in history with the reason `retired`); a key whose row was quarantined in
  this extract is not retired.
- **incremental** — the extract carries new and changed records only: they are upserted and nothing
  is retired.

A drop folder is loaded `full` unless told otherwise; a named source sets its mode, per entity if
need be. In either mode a changed row ends the current version (`replaced`) and inserts the new one.

## Reject or flag

Every row ends up in exactly one of three places, and none is dropped silently:

1. **Quarantined** — the row cannot be used at all: its key is empty, a required date, number,
   boolean or month is empty or does not parse, a value lies outside its accepted set, or the same key
   occurs twice in one extract (the last usable row wins). The row is kept in the `quarantine` table
   with its entity, source, row number as a person sees it, a reason code, a Chinese message and all
   its original values, for the data-quality page and for correction.
2. **Accepted with a quality flag** — the row is usable but wrong in a way the indicators measure: a
   USCC or an authority's USCC that fails P3, a resident ID number that fails P4, a placeholder date
   (before `publicity.placeholder_before` or on/after `publicity.placeholder_from`, stored as
   absent), a pair of dates in the wrong order, an empty required text column. It flows into the
   warehouse, counts in I03 and in I04b 合规率, and shows on the data-quality page.
3. **Accepted clean.**

One bad row never fails a load, and a row naming an authority or department that the reference data
does not know is accepted and shown as unmapped. The reason codes and flag codes with their Chinese
wording are defined in `dashboard/core/reasons.py`.

A row that names its subject only by its 营业执照注册号 (older exports) is accepted with the flag
`reg_no_only`; when the registry (`subjects.reg_no`) carries that number its USCC is filled in, and
so is the USCC of a 失信被执行人 named by its 组织机构代码 (characters 9–17 of a USCC), so that court
records link to subjects.

## Real exports are the norm

The canonical names below are what the code calls each column, not what arrives. Files come as the
platform and the departments export them, and the loader is expected to take them as they are:
national 双公示 codes and labels of any version of the standard (with suffixes such as
`行政相对人代码_1(统一社会信用代码)`), the labels of public list exports (失信被执行人, 经营异常名录), a
title line or a two-row merged header above the data, a `序号` column, file names carrying a month
(`行政处罚信息_202406.xlsx`), full-width digits, amounts written `0.5万元`, statuses beyond the
canonical ones (登记状态 `在业`, `迁出`, `停业`; 许可状态 `正常`), `长期` or `2099/12/31` as a licence's
end of validity. When a file *is* a list — a 严重失信 list, an A级纳税人名单, a 公共信用综合评价 result —
a required column that the file itself lacks (the list's name and department, the grade, the
evaluator) comes from the source's configuration rather than from each row. A missing 上报时间 must
never fail an entity: I04c 及时率 then counts only the records that carry one and says how many do not.
Where the tables below do not yet accept what a real export carries, it is the loader and the
contract that must change, never the export. The section "Accepted headers" lists, entity by entity,
every header spelling the loader takes.

## Natural keys and idempotent loads

Each entity has a natural key (below). A row's key and the hash of its typed values decide what a
load does: a new key is inserted, the same key with the same values changes nothing, the same key
with other values replaces the current version (the old one stays in history). Loading the same drop
twice therefore changes nothing.

## Reference data shipped with the project

Not loaded with each drop, but replaceable files in `dashboard/reference/`: departments (code, full
and short name, aliases, the authority USCCs that map records to them, whether they are among the 22
grading departments of 001 (十) and whether they are 双公示 units), districts and counties (P5),
industries (GB/T 4754 门类) with their supervising department, the indicator catalogue (rules §4:
names, units, directions, owners) and the work items of 001. The working-day calendar comes from the
`chinesecalendar` package (`dashboard/core/workdays.py`).

## How to read the entity tables

- **required**: `key` — part of the natural key: an empty value quarantines the row
  (`missing_key`). `yes` — the file must have the column; an empty date, number, boolean or month
  quarantines the row (`missing_required`), an empty text value only flags it (`missing_field`).
  `—` — optional.
- **type**: text, date, month (stored as the month's first day), boolean, integer, decimal. A value
  that does not parse quarantines the row.
- **headers**: every spelling accepted besides the canonical name (Chinese label, 双公示 code, other
  aliases).
- **values / check**: the accepted spellings of an enumeration (`canonical ← other spellings`; any
  other value quarantines the row), the identifier check whose failure flags the row, and whether a
  placeholder date means "absent". A placeholder in an optional date column, or in one marked
  `placeholder date = absent`, is stored as absent and flagged `placeholder_date`; in any other
  required date column it quarantines the row (`bad_date`).
"""


def _code(text: str) -> str:
    return f"`{text}`"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _spellings(words: Iterable[str]) -> str:
    return ", ".join(_code(w) if w else "(empty)" for w in words)


def _values_section() -> str:
    dates = ", ".join(_code(f) for f in contract.DATE_FORMATS)
    months = ", ".join(_code(f) for f in contract.MONTH_FORMATS)
    return "\n".join(
        [
            f"- true: {_spellings(contract.TRUE_WORDS)}; false: {_spellings(contract.FALSE_WORDS)} (any letter case).",
            f"- absent (stored as NULL): {_spellings(contract.ABSENT_WORDS)} (any letter case).",
            f"- dates (strptime formats): {dates}; Excel date cells.",
            f"- months: {months}, or a date (its month).",
        ]
    )


def _enum_text(enum: Mapping[str, str]) -> str:
    """'存续 ← 在业, 开业; 注销' — canonical values in first-seen order with their other spellings."""
    grouped: dict[str, list[str]] = {}
    for spelling, canonical in enum.items():
        others = grouped.setdefault(canonical, [])
        if spelling != canonical:
            others.append(spelling)
    parts = [f"{canonical} ← {', '.join(others)}" if others else canonical for canonical, others in grouped.items()]
    return "; ".join(parts)


def _required_text(entity: Entity, column: Column) -> str:
    if column.name in entity.key:
        return "key"
    return "yes" if column.required else "—"


def _values_text(column: Column, note: str | None) -> str:
    parts = []
    if column.enum:
        parts.append(_enum_text(column.enum))
    flag = contract.check_flag(column)
    if column.check and flag:
        parts.append(f"{CHECK_WORDS[column.check]} (flag `{flag}`)")
    if column.enum_other:
        parts.append(f"any other value = {column.enum_other}")
    if column.placeholder_means_absent:
        parts.append("placeholder date = absent")
    if column.long_term:
        words = "、".join(contract.LONG_TERM_WORDS)
        parts.append(f"long-term ({words}, or a date from publicity.placeholder_from on) = absent, no flag")
    if column.long_term_of:
        parts.append(f"absent = whether {_code(column.long_term_of)} is long-term")
    if note:
        parts.append(note)
    return "; ".join(parts)


def _column_notes(entities: Sequence[Entity], notes: Mapping[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    known = {(e.name, c.name) for e in entities for c in e.columns}
    stale = sorted(set(notes) - known)
    if stale:
        raise ValueError(f"COLUMN_NOTES name columns the contract does not have: {stale}")
    return dict(notes)


def _entity_section(entity: Entity, notes: Mapping[tuple[str, str], str]) -> str:
    lines = [
        f"### `{entity.name}` — {entity.label}",
        "",
        f"- file: `{entity.name}.csv` / `.xlsx` / `.parquet`, or a table or query of a SQL source",
        f"- grain: {entity.grain}",
        f"- key: {' + '.join(_code(k) for k in entity.key)}",
    ]
    if entity.date_order:
        pairs = ", ".join(f"{_code(a)} ≤ {_code(b)}" for a, b in entity.date_order)
        lines.append(f"- date order (a reversed pair flags the row `date_order`): {pairs}")
    if entity.fallbacks:
        fb = ", ".join(f"an empty or missing {_code(col)} takes {_code(src)}" for col, src in entity.fallbacks.items())
        lines.append(f"- fallback: {fb}")
    for col, alt in entity.key_alternates.items():
        lines.append(
            f"- a row without {_code(col)} but with {_code(alt)} is kept (flag `reg_no_only`), keyed by {_code(alt)};"
            f" {_code(col)} is filled from the registry when it carries that number"
        )
    for target, source, status, values in entity.status_dates:
        lines.append(f"- an empty {_code(target)} takes {_code(source)} when {_code(status)} is {'/'.join(values)}")
    if entity.split_identifier:
        lines.append(
            f"- {_code(entity.split_identifier)} is split by its form: a resident ID (masked ones too) →"
            " `party_id_no`, a USCC → `uscc`, a 组织机构代码 → `org_code` (and `uscc` from the registry)"
        )
    lines += [
        "",
        "| column | 中文 | 双公示 code | type | required | other headers | values / check |",
        "|---|---|---|---|---|---|---|",
    ]
    for column in entity.columns:
        others = [h for h in column.headers if h not in (column.name, column.label, column.code)]
        lines.append(
            "| "
            + " | ".join(
                _cell(c)
                for c in (
                    _code(column.name),
                    column.label,
                    _code(column.code) if column.code else "",
                    TYPE_WORDS[column.type],
                    _required_text(entity, column),
                    ", ".join(_code(h) for h in others),
                    _values_text(column, notes.get((entity.name, column.name))),
                )
            )
            + " |"
        )
    return "\n".join(lines)


def accepted_headers_section(entities: Sequence[Entity] = contract.ENTITIES) -> str:
    """The accepted-headers table: per entity, its required and optional columns, each as canonical ·
    code · 中文 label followed by every other header spelling accepted."""

    def spelled(column: Column) -> str:
        parts = [column.name, *([column.code] if column.code else []), column.label]
        others = [h for h in column.headers if h not in parts]
        text = " · ".join(parts)
        return f"{text} ({', '.join(others)})" if others else text

    lines = [
        "## Accepted headers",
        "",
        "Every header spelling the loader maps, entity by entity, written as in the source specification's",
        "table: canonical · 双公示 code · 中文 label (other spellings). Matching also takes the loose forms",
        "described under Headers; `序号` is ignored.",
        "",
        "| entity (file stem) | one row per | key | required columns | optional columns |",
        "|---|---|---|---|---|",
    ]
    for e in entities:
        required = "; ".join(spelled(c) for c in e.columns if c.required)
        optional = "; ".join(spelled(c) for c in e.columns if not c.required) or "—"
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (f"`{e.name}`", e.grain.removeprefix("one row per "), " + ".join(e.key), required, optional)
            )
            + " |"
        )
    return "\n".join(lines)


def contract_markdown(
    entities: Sequence[Entity] = contract.ENTITIES, notes: Mapping[tuple[str, str], str] = COLUMN_NOTES
) -> str:
    """The whole of docs/data-contract.md for `entities`: the policy preamble, a summary table of
    the entities, then one section per entity with its column table."""
    notes = _column_notes(entities, notes)
    summary = [
        "## Entities",
        "",
        f"{len(entities)} entities, in the order a load takes them.",
        "",
        "| entity (file stem) | 中文 | one row per | key | required columns | optional columns |",
        "|---|---|---|---|---|---|",
    ]
    for e in entities:
        required = [c.name for c in e.columns if c.required]
        optional = [c.name for c in e.columns if not c.required]
        summary.append(
            "| "
            + " | ".join(
                _cell(c)
                for c in (
                    f"[`{e.name}`](#{_anchor(f'{e.name} — {e.label}')})",
                    e.label,
                    e.grain.removeprefix("one row per "),
                    " + ".join(e.key),
                    ", ".join(required),
                    ", ".join(optional) or "—",
                )
            )
            + " |"
        )
    sections = [PREAMBLE.format(command=COMMAND, values=_values_section()).rstrip("\n"), "\n".join(summary)]
    sections.append(accepted_headers_section(entities))
    sections += [_entity_section(e, notes) for e in entities]
    return "\n\n".join(sections) + "\n"


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(ch for ch in heading.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def main() -> int:
    """Write the document to stdout as UTF-8, whatever the terminal's locale."""
    sys.stdout.buffer.write(contract_markdown().encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
