"""The audit log (004 §(五) 12 建立信息查询使用登记和审查制度; 003 §五(三); docs/rules.md P6): an
append-only, hash-chained record in the operational store of who signed in, viewed a subject's
profile, was shown unmasked personal data, exported how many rows, recorded a follow-up, changed
a setting, a role or a user, and of loads and rollbacks.

Each entry carries the hash of the one before it: entry_hash = sha256(prev_hash + canonical JSON
of (id, at, user, action, detail, rows)). Ids are consecutive from 1, so a deleted entry leaves a
gap, a modified one no longer matches its hash, and a re-ordered one breaks the chain; the chain
head (last id and hash) is kept in a one-row table so that cutting off the newest entries shows too.
This module offers no way to change or remove an entry.

Appends are serialised by one writer transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
transaction-scoped advisory lock plus the head row locked FOR UPDATE), so two processes can never
fork the chain.

CLI: `python -m dashboard audit verify` (exit 1 and the problems in Chinese when any),
`python -m dashboard audit export [--out FILE.csv|FILE.xlsx] [filters]`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import BigInteger, Column, DateTime, Engine, Integer, String, Table, Text, insert, select, text, update
from sqlalchemy.engine import Connection

from dashboard.core.dates import local_time_text
from dashboard.core.privacy import mask_id_no
from dashboard.store.opstore import metadata

GENESIS_HASH = "0" * 64
DISPLAY_TZ_NAME = "Asia/Shanghai"
# PostgreSQL advisory-lock key of the audit chain (any constant unique within the opstore database).
_PG_LOCK_KEY = 0x41554449  # "AUDI"

# The closed vocabulary of actions, with the label the admin page and exports show.
ACTION_LABELS: dict[str, str] = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_out": "退出登录",
    "profile_viewed": "查看主体信用档案",
    "personal_data_shown": "显示未脱敏个人信息",
    "export": "导出/下载",
    "followup_recorded": "记录预警处置",
    "settings_changed": "修改设置",
    "role_changed": "修改角色或权限",
    "user_added": "新增用户",
    "user_disabled": "停用用户",
    "user_enabled": "启用用户",
    "password_reset": "重置密码",
    "load": "数据装载",
    "rollback": "快照回退",
    "access_denied": "越权访问被拒绝",
}
ACTIONS = tuple(ACTION_LABELS)

audit_log = Table(
    "audit_log",
    metadata,
    # Assigned by the writer (head + 1), never by the database: a gap means a deleted entry.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),  # UTC
    Column("username", String(128), nullable=False),
    Column("action", String(32), nullable=False, index=True),
    Column("detail", Text, nullable=False),  # canonical JSON
    Column("rows", BigInteger),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("last_id", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

# A resident ID number (GB 11643) inside free text: logs are masked too (P6).
_ID_NO = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


@dataclass(frozen=True)
class Entry:
    id: int
    at: dt.datetime
    user: str
    action: str
    detail: str
    rows: int | None
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class Problem:
    """One finding of verify(); `message` is the Chinese text the CLI and the admin page show."""

    entry_id: int | None
    kind: str  # modified | deleted | broken_chain | reordered | head
    message: str

    def __str__(self) -> str:
        return self.message


# ---- hashing ----------------------------------------------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _at_text(value: dt.datetime) -> str:
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    prev_hash: str, entry_id: int, at: dt.datetime, user: str, action: str, detail: str, rows: int | None
) -> str:
    """sha256 hex of prev_hash followed by the canonical JSON of the entry's content."""
    body = _canonical(
        {
            "id": int(entry_id),
            "at": _at_text(at),
            "user": user,
            "action": action,
            "detail": detail,
            "rows": None if rows is None else int(rows),
        }
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _mask_text(value: str) -> str:
    return _ID_NO.sub(lambda m: mask_id_no(m.group(0)), value)


def _scrub(value: Any) -> Any:
    """Resident ID numbers anywhere in the detail are masked: the log itself is no leak (P6)."""
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, Mapping):
        return {str(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_scrub(v) for v in (sorted(value, key=str) if isinstance(value, (set, frozenset)) else value)]
    return value


def detail_text(detail: Mapping[str, Any] | str | None) -> str:
    """The stored form of a detail: canonical JSON (a plain string is stored as a JSON string)."""
    return _canonical(_scrub({} if detail is None else detail))


# ---- writing ----------------------------------------------------------------------------------


def _user_name(viewer_or_username: Any) -> str:
    if isinstance(viewer_or_username, str):
        return viewer_or_username
    name = getattr(viewer_or_username, "username", None)
    if not name:
        raise TypeError("audit.record needs a user name or an object with .username")
    return str(name)


def _begin_writer(conn: Connection) -> None:
    """Take the chain's writer lock for the rest of this transaction."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        # pysqlite opens transactions lazily and deferred; an explicit IMMEDIATE begin takes the
        # write lock before the head is read, so two processes cannot both read the same head.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def _read_head(conn: Connection) -> tuple[int, str, bool]:
    stmt = select(audit_head.c.last_id, audit_head.c.last_hash).where(audit_head.c.id == 1)
    if conn.dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        return 0, GENESIS_HASH, False
    return int(row.last_id), str(row.last_hash), True


def _last_at(conn: Connection, last_id: int) -> dt.datetime | None:
    if not last_id:
        return None
    value = conn.execute(select(audit_log.c.at).where(audit_log.c.id == last_id)).scalar()
    return None if value is None else _utc(value)


def record(
    engine: Engine,
    viewer_or_username: Any,
    action: str,
    detail: Mapping[str, Any] | str | None = None,
    rows: int | None = None,
) -> Entry:
    """Append one entry and return it. `viewer_or_username` is a Viewer (anything with .username)
    or a user name (e.g. 'cli:root'); `action` one of ACTIONS; `detail` a dict or a short text
    (resident ID numbers in it are masked). Raises ValueError for an unknown action."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    user = _user_name(viewer_or_username)
    body = detail_text(detail)
    with engine.connect() as conn:
        try:
            _begin_writer(conn)
            last_id, last_hash, has_head = _read_head(conn)
            now = dt.datetime.now(dt.UTC)
            previous_at = _last_at(conn, last_id)
            # Never earlier than the entry before: the order of the log is the order of time.
            at = max(now, previous_at) if previous_at else now
            entry_id = last_id + 1
            digest = entry_hash(last_hash, entry_id, at, user, action, body, rows)
            conn.execute(
                insert(audit_log).values(
                    id=entry_id,
                    at=at,
                    username=user,
                    action=action,
                    detail=body,
                    rows=rows,
                    prev_hash=last_hash,
                    entry_hash=digest,
                )
            )
            if has_head:
                conn.execute(update(audit_head).where(audit_head.c.id == 1).values(last_id=entry_id, last_hash=digest))
            else:
                conn.execute(insert(audit_head).values(id=1, last_id=entry_id, last_hash=digest))
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return Entry(entry_id, at, user, action, body, rows, last_hash, digest)


# ---- reading and verifying --------------------------------------------------------------------


def _entries(conn: Connection, batch: int = 5000) -> Iterator[Entry]:
    last = 0
    while True:
        rows = conn.execute(select(audit_log).where(audit_log.c.id > last).order_by(audit_log.c.id).limit(batch)).all()
        for r in rows:
            yield Entry(
                int(r.id),
                _utc(r.at),
                r.username,
                r.action,
                r.detail,
                None if r.rows is None else int(r.rows),
                r.prev_hash,
                r.entry_hash,
            )
        if len(rows) < batch:
            return
        last = int(rows[-1].id)


def verify(engine: Engine) -> list[Problem]:
    """Every problem of the chain, in id order (empty when intact): a modified entry (its hash no
    longer matches its content), a deleted entry (a gap in the ids, or fewer entries than the head
    records), a re-ordered entry (its prev_hash is not the hash of the entry before it, or its time
    is earlier than the one before), a head that does not match the last entry."""
    problems: list[Problem] = []
    with engine.connect() as conn:
        head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
        expected_id, previous_hash, previous_at = 1, GENESIS_HASH, None
        last: Entry | None = None
        for e in _entries(conn):
            if e.id != expected_id:
                missing = e.id - expected_id
                span = f"第 {expected_id} 条" if missing == 1 else f"第 {expected_id}–{e.id - 1} 条"
                problems.append(Problem(e.id, "deleted", f"缺少{span}审计记录（{missing} 条已被删除）"))
            recomputed = entry_hash(e.prev_hash, e.id, e.at, e.user, e.action, e.detail, e.rows)
            if recomputed != e.entry_hash:
                problems.append(Problem(e.id, "modified", f"第 {e.id} 条审计记录的内容被修改（哈希值不符）"))
            if e.id == expected_id and e.prev_hash != previous_hash:
                problems.append(
                    Problem(
                        e.id, "broken_chain", f"第 {e.id} 条审计记录与前一条的哈希链断裂（记录被修改、替换或调换顺序）"
                    )
                )
            if previous_at is not None and e.at < previous_at:
                problems.append(Problem(e.id, "reordered", f"第 {e.id} 条审计记录的时间早于前一条（顺序被改动）"))
            expected_id, previous_hash, previous_at, last = e.id + 1, e.entry_hash, e.at, e
        if head is None:
            if last is not None:
                problems.append(Problem(None, "head", "审计链头记录缺失（链头表被删除或清空）"))
        else:
            if last is None or int(head.last_id) > last.id:
                have = 0 if last is None else last.id
                problems.append(
                    Problem(
                        None,
                        "deleted",
                        f"缺少第 {have + 1}–{int(head.last_id)} 条审计记录（末尾 "
                        f"{int(head.last_id) - have} 条已被删除）",
                    )
                )
            elif int(head.last_id) < last.id or head.last_hash != last.entry_hash:
                problems.append(Problem(last.id, "head", "审计链头与最后一条记录不符（链头或末尾记录被改动）"))
    return problems


def search(
    engine: Engine,
    user: str | None = None,
    action: str | None = None,
    since: dt.datetime | dt.date | None = None,
    until: dt.datetime | dt.date | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Entries, newest first, filtered by exact user name, action, and time: `since` inclusive,
    `until` exclusive (a date means that day's midnight in Beijing time, so until=date+1 day
    includes the whole day). Columns: id, at (UTC, tz-aware), user, action, action_label, detail,
    rows, entry_hash."""
    stmt = select(audit_log).order_by(audit_log.c.id.desc())
    if user:
        stmt = stmt.where(audit_log.c.username == user)
    if action:
        stmt = stmt.where(audit_log.c.action == action)
    naive = engine.dialect.name == "sqlite"
    if since is not None:
        stmt = stmt.where(audit_log.c.at >= _bound(since, naive))
    if until is not None:
        stmt = stmt.where(audit_log.c.at < _bound(until, naive))
    if limit:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(
        [
            (
                int(r.id),
                _utc(r.at),
                r.username,
                r.action,
                ACTION_LABELS.get(r.action, r.action),
                r.detail,
                None if r.rows is None else int(r.rows),
                r.entry_hash,
            )
            for r in rows
        ],
        columns=["id", "at", "user", "action", "action_label", "detail", "rows", "entry_hash"],
    )
    frame["rows"] = frame["rows"].astype("Int64")
    return frame


def _bound(value: dt.datetime | dt.date, naive: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=ZoneInfo(DISPLAY_TZ_NAME))
    else:
        stamp = dt.datetime.combine(value, dt.time(), tzinfo=ZoneInfo(DISPLAY_TZ_NAME))
    # Stored values are UTC; SQLite compares them as naive text, so bind naive UTC there.
    utc = stamp.astimezone(dt.UTC)
    return utc.replace(tzinfo=None) if naive else utc


EXPORT_COLUMNS = {
    "id": "序号",
    "at_local": "时间（北京时间）",
    "user": "用户",
    "action_label": "操作",
    "detail": "详情",
    "rows": "行数",
    "entry_hash": "记录哈希",
}


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """search() results with Chinese headers and Beijing time, for the admin page and exports."""
    out = frame.assign(at_local=[local_time_text(v) for v in frame["at"]])
    return out[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)


def export_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """A display_frame() as CSV (UTF-8 with BOM, for office spreadsheet software) or XLSX bytes."""
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
            frame.to_excel(writer, index=False, sheet_name="审计日志")
        return buffer.getvalue()
    raise ValueError(f"unknown export format {fmt!r}")


# ---- command line -----------------------------------------------------------------------------


def cli_user() -> str:
    """How command-line actions are attributed in the log: the operating-system account."""
    try:
        name = getpass.getuser()
    except Exception:  # no passwd entry (containers): still attributed to the command line
        name = "unknown"
    return f"cli:{name}"
