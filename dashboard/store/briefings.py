"""Kept briefing files (issue 13 item 5): every generated 通报 (.docx, .pdf) and deck (.pptx) is kept
in a folder beside the warehouse (`<data_dir>/briefings/<YYYY-MM>/`) and recorded in the operational
store (table `briefing_files`) with its month, the snapshot it was computed on, who generated it and
when, so the 月度通报 page can list and offer every version again.

Files are written once and never changed: a regeneration is a new file and a new record. The
caller records generation and every download in the audit log (the store does not import access).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import weakref
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import BigInteger, Column, Date, DateTime, Engine, Integer, String, Table, Text, insert, select

from dashboard.core.dates import as_utc, month_end
from dashboard.core.settings import Settings, get_settings
from dashboard.store.opstore import metadata

# What a kept file is, with the label the page shows.
KIND_LABELS = {"docx": "通报（Word）", "pdf": "通报（PDF）", "pptx": "汇报演示稿（PPT）"}
KINDS = tuple(KIND_LABELS)
MIME_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

briefing_files = Table(
    "briefing_files",
    metadata,
    Column("file_id", Integer, primary_key=True, autoincrement=True),
    Column("month", Date, nullable=False, index=True),  # month-end of the month reported on
    Column("snapshot_id", String(64), nullable=False),
    Column("kind", String(8), nullable=False),  # one of KINDS
    Column("file_name", String(255), nullable=False),  # the name offered for download
    Column("path", Text, nullable=False),  # relative to the briefings folder
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("generated_by", String(128), nullable=False),  # user name, or 'system:schedule'
    Column("created_at", DateTime(timezone=True), nullable=False),
)

FILE_COLUMNS = [
    "file_id",
    "month",
    "snapshot_id",
    "kind",
    "file_name",
    "path",
    "size_bytes",
    "sha256",
    "generated_by",
    "created_at",
]


@dataclass(frozen=True)
class KeptFile:
    file_id: int
    month: dt.date
    snapshot_id: str
    kind: str
    file_name: str
    path: Path  # absolute
    size_bytes: int
    sha256: str
    generated_by: str
    created_at: dt.datetime


_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def _ensure_table(engine: Engine) -> None:
    if engine not in _ready:
        briefing_files.create(engine, checkfirst=True)
        _ready.add(engine)


def briefings_dir(settings: Settings | None = None) -> Path:
    """The folder of kept files, beside the warehouse."""
    return (settings or get_settings()).data_dir / "briefings"


_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")


def _safe_name(file_name: str) -> str:
    name = _UNSAFE.sub("_", Path(file_name).name).strip(" .")
    if not name:
        raise ValueError("文件名不能为空。")
    return name


def keep_file(
    engine: Engine,
    month: dt.date,
    snapshot_id: str,
    kind: str,
    file_name: str,
    data: bytes,
    generated_by: str,
    settings: Settings | None = None,
    at: dt.datetime | None = None,
) -> KeptFile:
    """Write `data` into the briefings folder (written to a temporary name, fsynced and renamed,
    so a half-written file is never listed) and record it; returns the record."""
    if kind not in KINDS:
        raise ValueError(f"未知的通报文件类型：{kind}（可选 {'、'.join(KINDS)}）")
    if not generated_by or not generated_by.strip():
        raise ValueError("须记录生成人。")
    _ensure_table(engine)
    month = month_end(month)
    at = as_utc(at).astimezone(dt.UTC) if at is not None else dt.datetime.now(dt.UTC)
    name = _safe_name(file_name)
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(f"{month:%Y-%m}") / f"{at:%Y%m%dT%H%M%S%f}_{digest[:8]}_{name}"
    target = briefings_dir(settings) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with open(partial, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    partial.replace(target)
    with engine.begin() as conn:
        result = conn.execute(
            insert(briefing_files).values(
                month=month,
                snapshot_id=snapshot_id,
                kind=kind,
                file_name=name,
                path=relative.as_posix(),
                size_bytes=len(data),
                sha256=digest,
                generated_by=generated_by.strip(),
                created_at=at,
            )
        )
        key = result.inserted_primary_key
        assert key is not None  # a single-row INSERT reports the key it created
    return KeptFile(int(key[0]), month, snapshot_id, kind, name, target, len(data), digest, generated_by.strip(), at)


def kept_files(engine: Engine, month: dt.date | None = None) -> pd.DataFrame:
    """Kept files, newest first (FILE_COLUMNS; created_at in UTC), of one month or all."""
    _ensure_table(engine)
    query = select(*[briefing_files.c[c] for c in FILE_COLUMNS]).order_by(
        briefing_files.c.created_at.desc(), briefing_files.c.file_id.desc()
    )
    if month is not None:
        query = query.where(briefing_files.c.month == month_end(month))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for r in rows:
        r["created_at"] = as_utc(r["created_at"])
    return pd.DataFrame(rows, columns=FILE_COLUMNS)


def months_with_files(engine: Engine) -> list[dt.date]:
    """Month-ends that have kept files, newest first."""
    _ensure_table(engine)
    with engine.connect() as conn:
        months = conn.execute(select(briefing_files.c.month).distinct()).scalars().all()
    return sorted(months, reverse=True)


def read_kept(engine: Engine, file_id: int, settings: Settings | None = None) -> tuple[KeptFile, bytes]:
    """A kept file's record and bytes. Raises KeyError for an unknown id and ValueError (Chinese)
    when the file on disk is gone or no longer matches its checksum."""
    _ensure_table(engine)
    with engine.connect() as conn:
        row = conn.execute(select(briefing_files).where(briefing_files.c.file_id == int(file_id))).first()
    if row is None:
        raise KeyError(file_id)
    path = briefings_dir(settings) / row.path
    if not path.is_file():
        raise ValueError(f"通报文件已不在保存目录中：{row.file_name}")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise ValueError(f"通报文件与生成时的校验值不一致，可能已被改动：{row.file_name}")
    kept = KeptFile(
        int(row.file_id),
        row.month,
        row.snapshot_id,
        row.kind,
        row.file_name,
        path,
        int(row.size_bytes),
        row.sha256,
        row.generated_by,
        as_utc(row.created_at),
    )
    return kept, data


def has_files_for(engine: Engine, month: dt.date, snapshot_id: str) -> bool:
    """Whether files of `month` computed on `snapshot_id` are kept already (the scheduled
    generation after a load makes the draft once per month and snapshot)."""
    _ensure_table(engine)
    with engine.connect() as conn:
        found = conn.execute(
            select(briefing_files.c.file_id)
            .where((briefing_files.c.month == month_end(month)) & (briefing_files.c.snapshot_id == snapshot_id))
            .limit(1)
        ).first()
    return found is not None
