"""The ingest layer: read one entity of a drop (CSV, XLSX, Parquet) or of a source database,
map its headers to the contract, validate (quarantine or flag), and upsert raw/stg idempotently.

This module is the contract with the load orchestrator: `EntitySource` in, `EntityResult` out,
`SourceUnavailable` when a database cannot be reached (retry later). See README.md here for
formats, header aliases, quality flags and quarantine reasons.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from dashboard.core import contract
from dashboard.core.reasons import ERR_INTERNAL, FLAG_LABELS, REASON_LABELS
from dashboard.core.settings import Settings, get_settings
from dashboard.load.ingest import checks_sql, pipeline, readers
from dashboard.load.ingest.model import (
    FAILED,
    FILE,
    FULL,
    INCREMENTAL,
    OK,
    SQL,
    EntityResult,
    EntitySource,
    IngestError,
    SourceUnavailable,
)

__all__ = [
    "EntitySource",
    "EntityResult",
    "SourceUnavailable",
    "ingest_entity",
    "find_drop_sources",
    "unknown_drop_files",
    "REASON_LABELS",
    "FLAG_LABELS",
    "FULL",
    "INCREMENTAL",
    "FILE",
    "SQL",
    "OK",
    "FAILED",
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
) -> EntityResult:
    """Load one entity into raw_/stg_<entity> of `con` (read-write, warehouse schema applied).

    mode "full": keys absent from the extract are retired; "incremental": upserts only. Never
    raises for bad data: an unusable source gives status "failed", a Chinese `error`, and no
    change for that entity (rows of a usable source that are bad go to `quarantine`). Raises
    SourceUnavailable when a source database cannot be reached. Call it outside a transaction:
    it commits its own writes atomically."""
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
            extract = readers.read(con, source, Path(tmp), say)
        pipeline.run(con, entity, extract, mode, run_id, result, settings, say)
    except SourceUnavailable:
        raise
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
    stem = path.stem.strip().lower()
    return stem if stem in contract.ENTITY_BY_NAME and path.suffix.lower() in SUFFIX_PREFERENCE else None


def find_drop_sources(drop_dir: Path) -> list[EntitySource]:
    """One file source per entity found in the drop folder (file stem = entity name, any case;
    .csv, .xlsx or .parquet), in contract order. Several files for one entity: the first of
    SUFFIX_PREFERENCE is used and the others are reported by unknown_drop_files."""
    chosen = _chosen_files(drop_dir)
    return [
        EntitySource(entity=e.name, kind=FILE, path=chosen[e.name], label=chosen[e.name].name)
        for e in contract.ENTITIES
        if e.name in chosen
    ]


def unknown_drop_files(drop_dir: Path) -> list[str]:
    """Names of files in the drop that are not loaded (not an entity, unsupported format, or a
    second file for an entity); reported, never an error. Hidden files are not listed."""
    used = {p.name for p in _chosen_files(drop_dir).values()}
    return [p.name for p in readers.iter_drop_files(drop_dir) if p.name not in used]


def _chosen_files(drop_dir: Path) -> dict[str, Path]:
    chosen: dict[str, Path] = {}
    for path in readers.iter_drop_files(drop_dir):
        entity = _entity_of(path)
        if entity is None:
            continue
        current = chosen.get(entity)
        if current is None or (
            SUFFIX_PREFERENCE.index(path.suffix.lower()) < SUFFIX_PREFERENCE.index(current.suffix.lower())
        ):
            chosen[entity] = path
    return chosen
