"""The contract between the ingest layer and the load orchestrator: what to read, what came of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

FILE, SQL = "file", "sql"
FULL, INCREMENTAL = "full", "incremental"
OK, FAILED = "ok", "failed"
HELD = "held"  # a full extract held by the shrink guard (dashboard.load.ingest.shrink)


@dataclass(frozen=True)
class SourceOptions:
    """What a named source says about one entity's files (sources.toml, validated there):
    `headers` source header → canonical column (over the contract's spellings); `constants`
    canonical column → value for what the file *is* (a cell of the file, when present and not
    empty, wins); `values` canonical column → {spelling in the file: value}; `files` file-name
    patterns (fnmatch, case ignored) that select the entity's file in a drop."""

    headers: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    files: tuple[str, ...] = ()


NO_OPTIONS = SourceOptions()


@dataclass(frozen=True)
class EntitySource:
    """One entity of a drop (a file) or of a source database (a table or a SELECT).

    `url` may hold a password: it is never shown, logged or stored; `label` is what run records
    and quarantine rows name the source by (a file name, or "db:<table>")."""

    entity: str
    kind: str
    path: Path | None = None
    url: str | None = None
    table: str | None = None
    query: str | None = None
    label: str = ""
    options: SourceOptions = NO_OPTIONS

    def __repr__(self) -> str:  # keeps a URL with credentials out of logs and tracebacks
        return f"EntitySource(entity={self.entity!r}, kind={self.kind!r}, label={self.label!r})"

    @property
    def display_name(self) -> str:
        """How messages name the source: the label, else the file name or "db:<table>"."""
        if self.label:
            return self.label
        if self.path is not None:
            return Path(self.path).name
        return f"db:{self.table}" if self.table else "db:query"


@dataclass
class EntityResult:
    """What one ingest did. rows_accepted = rows_inserted + rows_replaced + rows_unchanged."""

    entity: str
    source: str
    mode: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_flagged: int = 0
    rows_inserted: int = 0
    rows_replaced: int = 0
    rows_retired: int = 0
    rows_unchanged: int = 0
    extra_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # 序号 and the like: neither mapped nor kept
    # The header mapping as applied, for the per-file report (dashboard.load.onboarding): the
    # source's header row as read, canonical column → its index there, required columns it lacks.
    headers: list[str] = field(default_factory=list)
    mapped_columns: dict[str, int] = field(default_factory=dict)
    missing_columns: list[str] = field(default_factory=list)
    status: str = OK
    error: str | None = None


class SourceUnavailable(Exception):
    """A source database cannot be reached; the scheduler retries with backoff."""


class IngestError(Exception):
    """A source that cannot be used at all; the message is the Chinese text shown to people."""
