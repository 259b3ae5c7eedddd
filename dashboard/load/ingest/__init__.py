"""The ingest layer: read one entity of a drop (CSV, XLSX, Parquet) or of a source database,
map its headers to the contract, validate (quarantine or flag), and upsert raw/stg idempotently.

This module is the contract with the load orchestrator: `EntitySource` in, `EntityResult` out,
`SourceUnavailable` when a database cannot be reached (retry later). See README.md here for
formats, header aliases, quality flags and quarantine reasons.
"""

from __future__ import annotations

import fnmatch
import logging
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dashboard.core import contract, reasons
from dashboard.core.reasons import ERR_INTERNAL, FLAG_LABELS, REASON_LABELS
from dashboard.core.settings import Settings, get_settings
from dashboard.load.ingest import checks_sql, pipeline, readers, shrink
from dashboard.load.ingest.model import (
    FAILED,
    FILE,
    FULL,
    HELD,
    INCREMENTAL,
    NO_OPTIONS,
    OK,
    SQL,
    EntityResult,
    EntitySource,
    IngestError,
    SourceOptions,
    SourceUnavailable,
)
from dashboard.store import snapshots

__all__ = [
    "EntitySource",
    "EntityResult",
    "SourceUnavailable",
    "ingest_entity",
    "find_drop_sources",
    "describe_source",
    "SourceReport",
    "SourceOptions",
    "NO_OPTIONS",
    "unknown_drop_files",
    "REASON_LABELS",
    "FLAG_LABELS",
    "FULL",
    "INCREMENTAL",
    "FILE",
    "SQL",
    "OK",
    "FAILED",
    "HELD",
]

log = logging.getLogger(__name__)

# When a drop holds several files for one entity, the first suffix here is used.
SUFFIX_PREFERENCE = (".parquet", ".csv", ".xlsx")


def ingest_entity(
    con: duckdb.DuckDBPyConnection,
    source: EntitySource,
    mode: str,
    run_id: str,
    progress: Callable[[str], None] | None = None,
    settings: Settings | None = None,
    confirm_shrink: bool = False,
) -> EntityResult:
    """Load one entity into raw_/stg_<entity> of `con` (read-write, warehouse schema applied).

    mode "full": keys absent from the extract are retired; "incremental": upserts only. Never
    raises for bad data: an unusable source gives status "failed", a Chinese `error`, and no
    change for that entity (rows of a usable source that are bad go to `quarantine`). Raises
    SourceUnavailable when a source database cannot be reached. Call it outside a transaction:
    it commits its own writes atomically. A full extract that would retire too much of the entity
    (dashboard.load.ingest.shrink) gives status "held" and writes nothing, unless `confirm_shrink`."""
    if source.entity not in contract.ENTITY_BY_NAME:
        raise ValueError(f"unknown entity {source.entity!r}")
    if mode not in (FULL, INCREMENTAL):
        raise ValueError(f"unknown mode {mode!r}")
    entity = contract.ENTITY_BY_NAME[source.entity]
    settings = settings or get_settings()
    say = progress or (lambda message: None)
    result = EntityResult(entity=entity.name, source=source.display_name, mode=mode)
    try:
        pipeline.drop_temp_tables(con)
        checks_sql.install(con)
        say(f"{result.source}：开始读取（{entity.label}）")
        with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
            extract = readers.read(con, source, Path(tmp), say, settings.warehouse.max_field_bytes)
        pipeline.run(con, entity, extract, mode, run_id, result, settings, say, confirm_shrink, source.options)
    except SourceUnavailable:
        raise
    except shrink.ShrinkHeld as exc:
        _fail(result, str(exc))
        result.status, result.rows_read = HELD, exc.shrink.rows_read
    except IngestError as exc:
        _fail(result, str(exc))
    except Exception as exc:  # a failure of one entity must not stop the others; logged in full
        log.exception("ingest of %s from %s failed", entity.name, result.source)
        detail = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        _fail(result, ERR_INTERNAL.format(name=result.source, detail=detail))
    finally:
        pipeline.drop_temp_tables(con)
    if result.status == FAILED:
        say(f"{result.source}：导入失败：{result.error}")
    elif result.status == HELD:
        say(f"{result.source}：待确认：{result.error}")
    return result


def _fail(result: EntityResult, message: str) -> None:
    """Nothing was written: the counts go back to zero, the extra columns found stay reported."""
    for name in (
        "rows_read",
        "rows_accepted",
        "rows_quarantined",
        "rows_flagged",
        "rows_inserted",
        "rows_replaced",
        "rows_retired",
        "rows_unchanged",
    ):
        setattr(result, name, 0)
    result.status, result.error = FAILED, message


def _entity_of(path: Path) -> str | None:
    """The entity a file is named after: its stem is the entity name or its Chinese label."""
    if path.suffix.lower() not in SUFFIX_PREFERENCE:
        return None
    stem = path.stem.strip().lower()
    return stem if stem in contract.ENTITY_BY_NAME else _BY_LABEL.get(path.stem.strip())


_BY_LABEL = {e.label: e.name for e in contract.ENTITIES}


def _pattern_entity(path: Path, configured: Mapping[str, SourceOptions]) -> str | None:
    """The entity whose configured file-name patterns (fnmatch, case ignored) match the file."""
    if path.suffix.lower() not in SUFFIX_PREFERENCE:
        return None
    name = path.name.casefold()
    for entity in contract.ENTITY_BY_NAME:
        options = configured.get(entity)
        if options and any(fnmatch.fnmatchcase(name, pattern.casefold()) for pattern in options.files):
            return entity
    return None


def find_drop_sources(drop_dir: Path, configured: Mapping[str, SourceOptions] | None = None) -> list[EntitySource]:
    """One file source per entity found in the drop folder, in contract order: a file named after
    the entity (stem = entity name or its Chinese label, any case; .csv, .xlsx or .parquet), or
    one matching the file-name patterns `configured` for it (sources.toml, e.g.
    `行政处罚信息_*.xlsx`). Several files for one entity: a file named after it beats a pattern
    match, then the first of SUFFIX_PREFERENCE, then the last name (the latest period of
    `…_202406`); the others are reported by unknown_drop_files. Each source carries the entity's
    configured options."""
    configured = configured or {}
    chosen = _chosen_files(drop_dir, configured)
    return [
        EntitySource(
            entity=e.name,
            kind=FILE,
            path=chosen[e.name],
            label=chosen[e.name].name,
            options=configured.get(e.name, NO_OPTIONS),
        )
        for e in contract.ENTITIES
        if e.name in chosen
    ]


def unknown_drop_files(drop_dir: Path, configured: Mapping[str, SourceOptions] | None = None) -> list[str]:
    """Names of files in the drop that are not loaded (not an entity, unsupported format, or a
    second file for an entity); reported, never an error. Hidden files are not listed."""
    used = {p.name for p in _chosen_files(drop_dir, configured or {}).values()}
    return [p.name for p in readers.iter_drop_files(drop_dir) if p.name not in used]


def _chosen_files(drop_dir: Path, configured: Mapping[str, SourceOptions]) -> dict[str, Path]:
    ranked: dict[str, tuple[tuple[int, int, str], Path]] = {}
    for path in readers.iter_drop_files(drop_dir):
        entity, by_name = _entity_of(path), True
        if entity is None:
            entity, by_name = _pattern_entity(path, configured), False
        if entity is None:
            continue
        # smaller ranks first; the name inverted so that the last name wins among equals
        rank = (0 if by_name else 1, SUFFIX_PREFERENCE.index(path.suffix.lower()), _inverted(path.name))
        if entity not in ranked or rank < ranked[entity][0]:
            ranked[entity] = (rank, path)
    return {entity: path for entity, (_, path) in ranked.items()}


def _inverted(name: str) -> str:
    """A string that sorts in the reverse order of `name` (for "the last name wins")."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in name) + chr(0x10FFFF)


@dataclass
class SourceReport:
    """How one source maps onto the contract, read without loading (the onboarding view and the
    `check` dry run): which header went to which column, which were not recognised or ignored,
    which required columns are missing (and which the source's constants supply), and, when the
    entity cannot load, why — all in Chinese where people read it."""

    entity: str
    entity_label: str
    source: str
    headers: list[str] = field(default_factory=list)
    mapped: list[tuple[str, str, str]] = field(default_factory=list)  # (header, column, 中文标签)
    unknown: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)  # 中文标签（column）
    constants: dict[str, str] = field(default_factory=dict)
    rows: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def describe_source(source: EntitySource, settings: Settings | None = None) -> SourceReport:
    """Read `source` (in a private in-memory database, exactly as a load reads it: title rows,
    merged headers, encodings) and report how its headers map; nothing is written anywhere.
    Never raises for bad data: an unreadable source has `error` set. Raises SourceUnavailable
    when a source database cannot be reached."""
    settings = settings or get_settings()
    entity = contract.ENTITY_BY_NAME[source.entity]
    report = SourceReport(entity.name, entity.label, source.display_name, constants=dict(source.options.constants))
    con = snapshots.connect_for_load(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="describe-") as tmp:
            extract = readers.read(con, source, Path(tmp), lambda message: None, settings.warehouse.max_field_bytes)
        report.headers = list(extract.headers)
        mapping = pipeline.map_headers(entity, extract.headers, source.options.headers)
        by_index = {i: name for name, i in mapping.columns.items()}
        report.mapped = [
            (mapping.original_keys[i], name, entity.column(name).label) for i, name in sorted(by_index.items())
        ]
        report.unknown = [h for h, _ in mapping.extras]
        report.ignored = [h for h, _ in mapping.ignored]
        missing = pipeline.missing_required(entity, mapping, source.options)
        report.missing_required = [reasons.column_label(c.label, c.name) for c in missing]
        report.rows = pipeline.source_rows(con)
        if missing:
            report.error = reasons.ERR_MISSING_COLUMNS.format(columns="、".join(report.missing_required))
    except SourceUnavailable:
        raise
    except IngestError as exc:
        report.error = str(exc)
    finally:
        con.close()
    return report
