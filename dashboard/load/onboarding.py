"""The onboarding report: per file of a load, which headers mapped to which column, which were not
recognised, which required columns were missing and why an entity failed — so that a city's office
can fix a source's configuration without reading logs.

A load records one `dashboard.store.runs.FileReport` per file (or database table) it took, and one
per file of the drop that is no entity, in the operational store (`record_reports`, called by the
load orchestrator); the 数据状态 page shows the last load's. `check` is the dry run behind
`python -m dashboard check DROP`: the same ingest into a throwaway warehouse in a temporary folder,
so its reports are exactly what a load would record, while nothing is written to the warehouse or to
the operational store.
"""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlalchemy import Engine

from dashboard.core import contract
from dashboard.core.settings import Settings
from dashboard.load.ingest import (
    FAILED,
    FULL,
    EntityResult,
    EntitySource,
    SourceUnavailable,
    find_drop_sources,
    ingest_entity,
    unknown_drop_files,
)
from dashboard.load.sources import SourcesError, load_sources
from dashboard.store import runs, schema, snapshots

CHECK_RUN_ID = "check"  # the run id of a dry run's throwaway warehouse; never recorded
SUGGESTION_CUTOFF = 0.6  # difflib ratio from which an unrecognised header names a probable column


def _suggestions(entity: contract.Entity, unknown: Sequence[str], mapped: set[str]) -> dict[str, str]:
    """Unrecognised header → the column it probably means: the closest spelling (label, alias,
    code) of a column not mapped yet, when close enough. A hint for the configuration, never applied."""
    spellings = {s: c for s, c in contract.header_map(entity).items() if c not in mapped}
    out = {}
    for header in unknown:
        close = difflib.get_close_matches(contract.normalize_header(header), list(spellings), 1, SUGGESTION_CUTOFF)
        if close:
            out[header] = spellings[close[0]]
    return out


def file_report(
    source: EntitySource, result: EntityResult, quarantined: Mapping[str, int] | None = None
) -> runs.FileReport:
    """The report of one ingested source, from its EntityResult (the mapping the ingest applied)."""
    entity = contract.ENTITY_BY_NAME[source.entity]
    by_index = {i: c for c, i in result.mapped_columns.items()}
    headers: list[tuple[str, str | None]] = []
    ignored: list[str] = []
    ignored_names = set(result.ignored_columns)
    for i, text in enumerate(result.headers):
        shown = str(text).replace("\ufeff", "").strip() or f"第{i + 1}列"
        headers.append((shown, by_index.get(i)))
        if i not in by_index and shown in ignored_names:
            ignored.append(shown)
    mapped = set(result.mapped_columns)
    constants = sorted(source.options.constants)
    missing = list(result.missing_columns)
    covered = mapped | set(missing) | set(constants)
    optional = [
        c.name
        for c in entity.columns
        if c.name not in covered and entity.fallbacks.get(c.name) not in mapped and not c.required
    ]
    unknown = [h for h, c in headers if c is None and h not in ignored]
    return runs.FileReport(
        file=source.display_name,
        entity=entity.name,
        status=result.status,
        headers=headers,
        ignored_headers=ignored,
        missing_required=missing,
        missing_optional=optional,
        constants=constants,
        suggestions=_suggestions(entity, unknown, mapped),
        error=result.error,
        rows_read=result.rows_read,
        rows_accepted=result.rows_accepted,
        rows_quarantined=result.rows_quarantined,
        rows_flagged=result.rows_flagged,
        quarantined=dict(quarantined or {}),
    )


def ignored_file_report(name: str) -> runs.FileReport:
    """A file of the drop that is no entity (or a second file of one): reported, not loaded."""
    return runs.FileReport(file=name, entity=None, status=runs.IGNORED)


def quarantine_counts(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, dict[str, int]]:
    """Entity → quarantine reason code → rows quarantined by this run (a row may have two reasons)."""
    rows = con.execute(
        "SELECT entity, reason_code, count(*) FROM quarantine WHERE run_id = $run_id GROUP BY entity, reason_code "
        "ORDER BY entity, reason_code",
        {"run_id": run_id},
    ).fetchall()
    out: dict[str, dict[str, int]] = {}
    for entity, code, n in rows:
        out.setdefault(entity, {})[code] = int(n)
    return out


def build_reports(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    sources: Sequence[EntitySource],
    results: Sequence[EntityResult],
    ignored_files: Sequence[str] = (),
) -> list[runs.FileReport]:
    """One report per ingested source (in the order taken), then one per ignored file."""
    quarantined = quarantine_counts(con, run_id)
    reports = [file_report(s, r, quarantined.get(s.entity)) for s, r in zip(sources, results, strict=True)]
    return reports + [ignored_file_report(name) for name in ignored_files]


def record_reports(
    engine: Engine,
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    sources: Sequence[EntitySource],
    results: Sequence[EntityResult],
    ignored_files: Sequence[str] = (),
) -> None:
    """Keep a load's per-file reports in the operational store, for the 数据状态 page."""
    runs.record_file_reports(engine, run_id, build_reports(con, run_id, sources, results, ignored_files))


# ---- the dry run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckOutcome:
    """What `check` found: the target as given and one report per file."""

    target: str
    reports: list[runs.FileReport]

    @property
    def ok(self) -> bool:
        """Every entity file would load (files that are no entity do not count)."""
        return all(r.status == runs.OK for r in self.reports if r.entity is not None) and any(
            r.entity is not None for r in self.reports
        )


def _resolve(target: str, env: Mapping[str, str] | None) -> tuple[list[EntitySource], list[str]]:
    """The sources a load of `target` would take (a drop folder, or a source of sources.toml), and
    the drop's files that are no entity — resolved as dashboard.load.loading.load_target does."""
    folder = Path(target)
    if folder.is_dir():
        return find_drop_sources(folder), unknown_drop_files(folder)
    configured = load_sources(env=env)
    if target in configured:
        config = configured[target]
        ignored = (
            unknown_drop_files(config.path) if config.kind == "drop" and config.path and config.path.is_dir() else []
        )
        return list(config.entity_sources(env)), ignored
    raise SourcesError(f"{target} 既不是目录，也不是 sources.toml 中配置的数据源")


def check(settings: Settings, target: str, env: Mapping[str, str] | None = None) -> CheckOutcome:
    """Dry run of a load of `target`: every source is read, mapped and validated exactly as a load
    would (dashboard.load.ingest), into a throwaway warehouse in a temporary folder that is deleted
    afterwards. Nothing is written to the warehouse, its snapshots or the operational store; no
    lock is taken. Raises SourcesError when the target is neither a folder nor a named source."""
    sources, ignored = _resolve(target, env)
    with tempfile.TemporaryDirectory(prefix="dashboard-check-") as tmp:
        # It spills into its own temporary folder: a dry run leaves nothing in the data folder.
        con = snapshots.connect_for_load(settings, Path(tmp) / "check.duckdb", spill_to=Path(tmp) / "spill")
        try:
            schema.create_warehouse(con)
            schema.load_reference(con)
            results = []
            for source in sources:
                try:
                    result = ingest_entity(con, source, FULL, CHECK_RUN_ID, settings=settings)
                except SourceUnavailable as exc:
                    result = EntityResult(source.entity, source.display_name, FULL, status=FAILED, error=str(exc))
                results.append(result)
            reports = build_reports(con, CHECK_RUN_ID, sources, results, ignored)
        finally:
            con.close()
    return CheckOutcome(target, reports)
