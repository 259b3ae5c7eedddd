"""The audit log (004 §(五) 12 建立信息查询使用登记和审查制度; 003 §五(三); docs/rules.md P6): an
append-only, MAC-chained record in the operational store of who signed in, viewed a subject's
profile, was shown unmasked personal data, exported how many rows, recorded a follow-up, changed
a setting, a role or a user, and of loads and rollbacks.

Each entry carries the MAC of the one before it: entry_hash = HMAC-SHA256(key, prev_hash +
canonical JSON of (id, at, user, action, detail, rows)). The key never enters the database: it
comes from DASHBOARD_AUDIT_KEY, else `.streamlit/secrets.toml` `audit_key`, else a key file that is
generated (permissions 0600) beside the data on first use (settings [audit] key_file). Without the
key nobody can write an entry that verifies, so a rewrite of the log — an entry deleted and the rest
re-hashed, a forged entry appended — shows. Ids are consecutive from 1, so a deleted entry leaves a
gap; the chain head (last id and MAC) is kept in a one-row table; and every append also writes the
new head to an append-only anchor file outside the database (settings [audit] anchor_file), while
each published snapshot records the head at its seal (meta_audit_head). Cutting off the newest
entries, or wiping the table and its head, therefore contradicts checkpoints kept elsewhere.
This module offers no way to change or remove an entry.

Logs of earlier releases were chained with plain sha256 (no key): verify still checks those
entries with sha256, and the first append of this release writes a marked entry (audit_keyed) from
which the chain continues keyed. A key rotation (`audit rotate-key`) is itself an entry
(audit_key_rotated), MAC'd with the old key and then the new one; retired keys stay available for
verification (DASHBOARD_AUDIT_OLD_KEYS, secrets.toml audit_old_keys, or the earlier lines of the
key file).

Appends are serialised by one writer transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
transaction-scoped advisory lock plus the head row locked FOR UPDATE), so two processes can never
fork the chain.

CLI: `python -m dashboard audit verify` (exit 1 and the problems in Chinese when any),
`python -m dashboard audit rotate-key`, `python -m dashboard audit export [--out FILE] [filters]`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import io
import json
import logging
import os
import re
import secrets
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import BigInteger, Column, DateTime, Engine, Integer, String, Table, Text, insert, select, text, update
from sqlalchemy.engine import Connection

from dashboard.core import spreadsheet
from dashboard.core.dates import local_time_text
from dashboard.core.privacy import mask_id_no
from dashboard.core.settings import PROJECT_DIR, Settings, get_settings
from dashboard.store import snapshots
from dashboard.store.opstore import metadata, settings_of

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
DISPLAY_TZ_NAME = "Asia/Shanghai"
# PostgreSQL advisory-lock key of the audit chain (any constant unique within the opstore database).
_PG_LOCK_KEY = 0x41554449  # "AUDI"

KEY_VARIABLE = "DASHBOARD_AUDIT_KEY"
OLD_KEYS_VARIABLE = "DASHBOARD_AUDIT_OLD_KEYS"
NEW_KEY_VARIABLE = "DASHBOARD_AUDIT_NEW_KEY"
MIN_KEY_LENGTH = 32
# Entries only this module writes: the start of the keyed chain, and a key rotation.
KEYED_ACTION = "audit_keyed"
ROTATED_ACTION = "audit_key_rotated"
CHAIN_USER = "system:audit"

# The closed vocabulary of actions, with the label the admin page and exports show.
ACTION_LABELS: dict[str, str] = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_out": "退出登录",
    "session_resumed": "恢复登录会话",
    "profile_viewed": "查看主体画像",
    "subject_searched": "按法定代表人检索主体",
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
    KEYED_ACTION: "审计日志启用密钥签名",
    ROTATED_ACTION: "审计密钥轮换",
    "feedback_saved": "保存月度工作反馈",
    "feedback_submitted": "提交月度工作反馈",
    "feedback_returned": "退回月度工作反馈",
    "feedback_confirmed": "确认月度工作反馈",
    "briefing_generated": "生成月度通报",
    "briefing_downloaded": "下载月度通报",
    "briefing_narrative_saved": "保存月度通报文字",
    "reminder_contacts_changed": "修改提醒联系人或渠道",
    "reminder_test_sent": "测试发送提醒",
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
    kind: str  # modified | forged | deleted | broken_chain | reordered | head | anchor | snapshot | key
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


def _message(
    prev_hash: str, entry_id: int, at: dt.datetime, user: str, action: str, detail: str, rows: int | None
) -> bytes:
    """What is hashed or MAC'd: prev_hash followed by the canonical JSON of the entry's content."""
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
    return (prev_hash + body).encode("utf-8")


def entry_hash(
    prev_hash: str, entry_id: int, at: dt.datetime, user: str, action: str, detail: str, rows: int | None
) -> str:
    """The unkeyed sha256 chain of earlier releases: sha256 hex of prev_hash + canonical JSON. Only
    entries written before the keyed chain started carry it."""
    return hashlib.sha256(_message(prev_hash, entry_id, at, user, action, detail, rows)).hexdigest()


def entry_mac(
    key: bytes, prev_hash: str, entry_id: int, at: dt.datetime, user: str, action: str, detail: str, rows: int | None
) -> str:
    """HMAC-SHA256 hex of prev_hash + canonical JSON of the entry, with the audit key."""
    return hmac.new(key, _message(prev_hash, entry_id, at, user, action, detail, rows), hashlib.sha256).hexdigest()


def rotation_mac(old_key: bytes, new_key: bytes, message: bytes) -> str:
    """A rotation entry is MAC'd with both keys: HMAC(new, HMAC(old, message)), so only a holder of
    the key in force can hand the chain over to a new one."""
    inner = hmac.new(old_key, message, hashlib.sha256).hexdigest().encode("ascii")
    return hmac.new(new_key, inner, hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short public name of a key (recorded in rotation entries); reveals nothing of the key."""
    return hashlib.sha256(b"dashboard-audit-key-id:" + key).hexdigest()[:16]


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


# ---- the key and the files beside the store ---------------------------------------------------


class AuditKeyError(RuntimeError):
    """The audit key cannot be used; the message is Chinese, for the CLI and the server log."""


@dataclass(frozen=True)
class KeyRing:
    """The key in force (None when none is configured and none may be generated), where it comes
    from (Chinese, for verify's report), and every known key by id — the retired ones included,
    to verify entries written before a rotation."""

    current: bytes | None
    source: str
    keys: Mapping[str, bytes] = field(default_factory=dict)
    key_file: Path | None = None
    from_file: bool = False

    @property
    def current_id(self) -> str | None:
        return None if self.current is None else key_id(self.current)


def _settings_for(engine: Engine) -> Settings:
    return settings_of(engine) or get_settings()


def _beside_data(settings: Settings, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else settings.data_dir / path


def anchor_path(settings: Settings) -> Path:
    """The anchor file (settings [audit] anchor_file; relative: inside the data folder)."""
    return _beside_data(settings, settings.audit.anchor_file)


def key_file_path(settings: Settings) -> Path:
    """Where a generated key lives (settings [audit] key_file; relative: inside the data folder)."""
    return _beside_data(settings, settings.audit.key_file)


def _secrets_file() -> Path | None:
    # Where Streamlit reads st.secrets from: the working folder's .streamlit/, else the project's.
    for folder in (Path.cwd(), PROJECT_DIR):
        path = folder / ".streamlit" / "secrets.toml"
        if path.is_file():
            return path
    return None


def _mtime(path: Path | None) -> float | None:
    try:
        return None if path is None else path.stat().st_mtime_ns
    except OSError:
        return None


def _split_keys(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k for k in re.split(r"[\s,]+", value) if k]
    if isinstance(value, Sequence):
        return [str(k).strip() for k in value if str(k).strip()]
    return []


def _read_key_file(path: Path) -> list[str]:
    """The keys of a key file, one a line, oldest first (the last one is in force)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise AuditKeyError(f"无法读取审计密钥文件 {path}：{exc.strerror or exc}（请检查文件权限）") from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _write_private(path: Path, text_value: str, replace: bool) -> bool:
    """Write a file readable by its owner only (0600), atomically. When not `replace`, an existing
    file wins (another process generated the key first): returns whether this call wrote it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, text_value.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # creates the name only if nobody else did
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _check_key(value: str, where: str) -> bytes:
    if len(value) < MIN_KEY_LENGTH:
        raise AuditKeyError(
            f"{where}中的审计密钥太短：至少需要 {MIN_KEY_LENGTH} 个字符"
            "（可用 python -c 'import secrets; print(secrets.token_hex(32))' 生成）"
        )
    return value.encode("utf-8")


@lru_cache(maxsize=16)
def _keyring(
    key_file: Path,
    _file_mtime: float | None,
    env_key: str,
    env_old: str,
    secrets_path: Path | None,
    _secrets_mtime: float | None,
) -> KeyRing:
    try:
        stored = tomllib.loads(secrets_path.read_text(encoding="utf-8")) if secrets_path else {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AuditKeyError(f"无法读取 {secrets_path}：{exc}") from exc
    keys: dict[str, bytes] = {}
    for value in _split_keys(env_old) + _split_keys(stored.get("audit_old_keys", [])) + _read_key_file(key_file):
        if len(value) >= MIN_KEY_LENGTH:
            keys[key_id(value.encode("utf-8"))] = value.encode("utf-8")
    file_keys = _read_key_file(key_file)
    if env_key:
        current, source, from_file = _check_key(env_key, f"环境变量 {KEY_VARIABLE} "), f"环境变量 {KEY_VARIABLE}", False
    elif stored.get("audit_key"):
        where = f"{secrets_path} 的 audit_key"
        current, source, from_file = _check_key(str(stored["audit_key"]), where), where, False
    elif file_keys:
        current, source, from_file = _check_key(file_keys[-1], f"密钥文件 {key_file} "), f"密钥文件 {key_file}", True
    else:
        return KeyRing(None, "未配置审计密钥", keys, key_file, False)
    keys[key_id(current)] = current
    return KeyRing(current, source, keys, key_file, from_file)


def keyring(settings: Settings, create: bool = False) -> KeyRing:
    """The audit keys: DASHBOARD_AUDIT_KEY, else secrets.toml `audit_key`, else the last line of the
    key file. With none of them and `create` (an append), a random key is generated into the key
    file with permissions 0600 and a warning is logged: the log is MAC'd from the first entry on
    without any setup, and `audit verify` names where the key came from. Raises AuditKeyError for a
    key shorter than 32 characters or an unreadable file."""
    path = key_file_path(settings)
    secrets_path = _secrets_file()

    def load() -> KeyRing:
        return _keyring(
            path,
            _mtime(path),
            os.environ.get(KEY_VARIABLE, "").strip(),
            os.environ.get(OLD_KEYS_VARIABLE, ""),
            secrets_path,
            _mtime(secrets_path),
        )

    ring = load()
    if ring.current is None and create:
        try:
            generated = _write_private(path, secrets.token_hex(32) + "\n", replace=False)
        except OSError as exc:
            raise AuditKeyError(
                f"未配置审计密钥，且无法生成密钥文件 {path}：{exc.strerror or exc}。"
                f"请设置环境变量 {KEY_VARIABLE}，或让该目录可写"
            ) from exc
        if generated:
            logger.warning(
                "未配置审计密钥（%s 或 secrets.toml audit_key）：已生成密钥文件 %s（权限 0600）", KEY_VARIABLE, path
            )
        ring = load()
    return ring


def _append_anchors(settings: Settings, entries: Sequence[Entry]) -> None:
    """Append (time, id, MAC) of each new entry to the anchor file, after the commit (an anchor
    never names an entry that was rolled back). A failure to write is logged, never raised: the
    entry itself is safe in the store."""
    path = anchor_path(settings)
    lines = "".join(f"{_at_text(e.at)}\t{e.id}\t{e.entry_hash}\n" for e in entries)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, lines.encode("ascii"))  # one write with O_APPEND: lines never interleave
        finally:
            os.close(fd)
    except OSError as exc:
        logger.error("无法写入审计锚点文件 %s：%s", path, exc)


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


def _entry_of(row: Any) -> Entry:
    return Entry(
        int(row.id),
        _utc(row.at),
        row.username,
        row.action,
        row.detail,
        None if row.rows is None else int(row.rows),
        row.prev_hash,
        row.entry_hash,
    )


def _last_entry(conn: Connection, last_id: int) -> Entry | None:
    if not last_id:
        return None
    row = conn.execute(select(audit_log).where(audit_log.c.id == last_id)).first()
    return None if row is None else _entry_of(row)


def _is_plain(e: Entry) -> bool:
    return hmac.compare_digest(entry_hash(e.prev_hash, e.id, e.at, e.user, e.action, e.detail, e.rows), e.entry_hash)


def _key_in_force(last: Entry, ring: KeyRing) -> bytes | None:
    """The key the entry after `last` must be MAC'd with, if it is among the known keys: the new key
    of a rotation entry, else the key that MAC'd `last`."""
    if last.action == ROTATED_ACTION:
        return ring.keys.get(str(_json_field(last.detail, "new_key_id")))
    for candidate in ring.keys.values():
        mac = entry_mac(candidate, last.prev_hash, last.id, last.at, last.user, last.action, last.detail, last.rows)
        if hmac.compare_digest(mac, last.entry_hash):
            return candidate
    return None


def head(engine: Engine) -> tuple[int, str]:
    """The chain head: last entry id and its MAC (0 and the genesis value for an empty log)."""
    with engine.connect() as conn:
        row = conn.execute(select(audit_head.c.last_id, audit_head.c.last_hash).where(audit_head.c.id == 1)).first()
    return (0, GENESIS_HASH) if row is None else (int(row.last_id), str(row.last_hash))


def record(
    engine: Engine,
    viewer_or_username: Any,
    action: str,
    detail: Mapping[str, Any] | str | None = None,
    rows: int | None = None,
) -> Entry:
    """Append one entry and return it. `viewer_or_username` is a Viewer (anything with .username)
    or a user name (e.g. 'cli:root'); `action` one of ACTIONS; `detail` a dict or a short text
    (resident ID numbers in it are masked). Raises ValueError for an unknown action (and for the
    chain's own actions, which only this module writes)."""
    if action not in ACTION_LABELS or action in (KEYED_ACTION, ROTATED_ACTION):
        raise ValueError(f"unknown audit action {action!r}")
    return _append(engine, _user_name(viewer_or_username), action, detail_text(detail), rows)


def _append(engine: Engine, user: str, action: str, body: str, rows: int | None, rotate_to: str | None = None) -> Entry:
    """Write one entry under the writer lock (preceded by the audit_keyed marker when the chain so
    far is unkeyed), then its anchor line. With `rotate_to` (a new key), the entry is MAC'd with
    the key in force and the new one, and the key file is switched before the commit."""
    settings = _settings_for(engine)
    written: list[Entry] = []
    switched: tuple[Path, str] | None = None  # the key file before a rotation, restored on failure
    with engine.connect() as conn:
        try:
            _begin_writer(conn)
            # Read inside the lock: a rotation commits together with its new key file.
            ring = keyring(settings, create=True)
            key = ring.current
            assert key is not None  # keyring(create=True) generates one when none is configured
            last_id, last_hash, has_head = _read_head(conn)
            last = _last_entry(conn, last_id)
            at = dt.datetime.now(dt.UTC)
            # Never earlier than the entry before: the order of the log is the order of time.
            at = max(at, last.at) if last is not None else at
            if last is not None and _is_plain(last):
                marker = detail_text(
                    {
                        "scheme": "hmac-sha256",
                        "key_id": ring.current_id,
                        "unkeyed_entries": last_id,
                        "unkeyed_head": last_hash,
                    }
                )
                written.append(_insert(conn, key, last_id + 1, at, CHAIN_USER, KEYED_ACTION, marker, None, last_hash))
                last_id, last_hash = written[-1].id, written[-1].entry_hash
            elif last is not None and (in_force := _key_in_force(last, ring)) not in (None, key):
                # The configured key changed while the one in force is still known (e.g. from the
                # generated file to DASHBOARD_AUDIT_KEY): recorded as a rotation, MAC'd with both.
                handover = detail_text(
                    {"old_key_id": key_id(in_force), "new_key_id": ring.current_id, "automatic": True}
                )
                written.append(
                    _insert(conn, in_force, last_id + 1, at, CHAIN_USER, ROTATED_ACTION, handover, None, last_hash, key)
                )
                last_id, last_hash = written[-1].id, written[-1].entry_hash
            new_key = None if rotate_to is None else _check_key(rotate_to, "新")
            written.append(_insert(conn, key, last_id + 1, at, user, action, body, rows, last_hash, new_key))
            entry = written[-1]
            if has_head:
                conn.execute(
                    update(audit_head).where(audit_head.c.id == 1).values(last_id=entry.id, last_hash=entry.entry_hash)
                )
            else:
                conn.execute(insert(audit_head).values(id=1, last_id=entry.id, last_hash=entry.entry_hash))
            if new_key is not None and ring.from_file and ring.key_file is not None:
                switched = (ring.key_file, ring.key_file.read_text(encoding="utf-8"))
                _switch_key_file(ring, rotate_to or "")
            conn.commit()
        except BaseException:
            conn.rollback()
            if switched is not None:
                _write_private(switched[0], switched[1], replace=True)
            raise
    _append_anchors(settings, written)
    return written[-1]


def _insert(
    conn: Connection,
    key: bytes,
    entry_id: int,
    at: dt.datetime,
    user: str,
    action: str,
    body: str,
    rows: int | None,
    prev: str,
    new_key: bytes | None = None,
) -> Entry:
    if new_key is None:
        digest = entry_mac(key, prev, entry_id, at, user, action, body, rows)
    else:
        digest = rotation_mac(key, new_key, _message(prev, entry_id, at, user, action, body, rows))
    conn.execute(
        insert(audit_log).values(
            id=entry_id,
            at=at,
            username=user,
            action=action,
            detail=body,
            rows=rows,
            prev_hash=prev,
            entry_hash=digest,
        )
    )
    return Entry(entry_id, at, user, action, body, rows, prev, digest)


def _switch_key_file(ring: KeyRing, new_key: str) -> None:
    """A rotation of a file-held key: the new key becomes the file's last line (the retired ones
    stay above it, for verification). A key from the environment or secrets.toml is not touched."""
    if not ring.from_file or ring.key_file is None:
        return
    kept = _read_key_file(ring.key_file)
    _write_private(ring.key_file, "\n".join([*kept, new_key]) + "\n", replace=True)


def rotate_key(engine: Engine, by: str, new_key: str | None = None) -> tuple[Entry, str, KeyRing]:
    """Hand the chain over to a new key: an audit_key_rotated entry MAC'd with the key in force and
    the new one. A file-held key is rotated in the file (new key generated unless given); a key
    from the environment or secrets.toml needs the new key given (DASHBOARD_AUDIT_NEW_KEY), and the
    caller must then configure it and keep the old one among the retired keys. Returns the entry,
    the new key and the key ring before the rotation. Raises AuditKeyError."""
    settings = _settings_for(engine)
    ring = keyring(settings, create=True)
    if new_key is None:
        if not ring.from_file:
            raise AuditKeyError(
                f"审计密钥来自{ring.source}：请先把新密钥放入环境变量 {NEW_KEY_VARIABLE}，再运行 audit rotate-key"
            )
        new_key = secrets.token_hex(32)
    assert ring.current is not None
    fresh = _check_key(new_key, f"环境变量 {NEW_KEY_VARIABLE} ")
    if key_id(fresh) in ring.keys:
        raise AuditKeyError("新密钥与当前或已退役的审计密钥相同，请换一个新密钥")
    detail = detail_text({"old_key_id": ring.current_id, "new_key_id": key_id(fresh), "key_source": ring.source})
    entry = _append(engine, by, ROTATED_ACTION, detail, None, rotate_to=new_key)
    _keyring.cache_clear()
    return entry, new_key, ring


# ---- reading and verifying --------------------------------------------------------------------


def _entries(conn: Connection, batch: int = 5000) -> Iterator[Entry]:
    last = 0
    while True:
        rows = conn.execute(select(audit_log).where(audit_log.c.id > last).order_by(audit_log.c.id).limit(batch)).all()
        yield from (_entry_of(r) for r in rows)
        if len(rows) < batch:
            return
        last = int(rows[-1].id)


@dataclass
class Report:
    """What verify_report() found: the problems (empty when intact) and what was checked."""

    problems: list[Problem]
    entries: int = 0
    unkeyed_entries: int = 0  # sha256-chained entries written before the keyed chain started
    keyed_from: int | None = None
    anchors_checked: int = 0
    snapshots_checked: int = 0
    key_source: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_chain(conn: Connection, ring: KeyRing, report: Report) -> Entry | None:
    """The entries in id order: gaps, content against hash or MAC, links, time order. Returns the
    last entry."""
    problems = report.problems
    expected_id, previous_hash, previous_at = 1, GENESIS_HASH, None
    last: Entry | None = None
    era_key: bytes | None = None  # None: the unkeyed start (sha256), before the first keyed entry
    era_lost = False  # a rotation to a key that is not configured: MACs after it cannot be checked
    for e in _entries(conn):
        report.entries += 1
        if e.id != expected_id:
            missing = e.id - expected_id
            span = f"第 {expected_id} 条" if missing == 1 else f"第 {expected_id}–{e.id - 1} 条"
            problems.append(Problem(e.id, "deleted", f"缺少{span}审计记录（{missing} 条已被删除）"))
        message = _message(e.prev_hash, e.id, e.at, e.user, e.action, e.detail, e.rows)
        if era_lost:
            pass
        elif era_key is None:
            found = next(
                (
                    k
                    for k in ring.keys.values()
                    if hmac.compare_digest(
                        entry_mac(k, e.prev_hash, e.id, e.at, e.user, e.action, e.detail, e.rows), e.entry_hash
                    )
                ),
                None,
            )
            if found is not None:
                era_key, report.keyed_from = found, e.id
                if report.unkeyed_entries and e.action != KEYED_ACTION:
                    # An upgraded log continues from a marked entry; keyed entries after unmarked
                    # plain ones mean the plain ones were written (or rewritten) without the key.
                    problems.append(
                        Problem(
                            e.id,
                            "forged",
                            f"第 {e.id} 条之前的 {report.unkeyed_entries} 条审计记录没有密钥签名，且其后没有启用密钥的标记：记录被改写",
                        )
                    )
            elif _is_plain(e):
                report.unkeyed_entries += 1
            else:
                problems.append(Problem(e.id, "modified", f"第 {e.id} 条审计记录的内容被修改（哈希值不符）"))
        elif e.action == ROTATED_ACTION:
            new_id = str(_json_field(e.detail, "new_key_id"))
            new = ring.keys.get(new_id)
            if new is None:
                era_lost = True
                problems.append(
                    Problem(
                        e.id, "key", f"第 {e.id} 条记录把审计密钥轮换为 {new_id}，但未配置该密钥：其后的签名无法校验"
                    )
                )
            elif hmac.compare_digest(rotation_mac(era_key, new, message), e.entry_hash):
                era_key = new
            else:
                problems.append(Problem(e.id, "modified", f"第 {e.id} 条审计记录（密钥轮换）的签名不符：被修改或伪造"))
        elif not hmac.compare_digest(hmac.new(era_key, message, hashlib.sha256).hexdigest(), e.entry_hash):
            if _is_plain(e):
                problems.append(
                    Problem(
                        e.id,
                        "forged",
                        f"第 {e.id} 条审计记录没有有效的密钥签名（出现在已签名的记录之后：伪造、追加或重写）",
                    )
                )
            else:
                problems.append(Problem(e.id, "modified", f"第 {e.id} 条审计记录的内容被修改（签名不符）"))
        if e.id == expected_id and e.prev_hash != previous_hash:
            problems.append(
                Problem(e.id, "broken_chain", f"第 {e.id} 条审计记录与前一条的哈希链断裂（记录被修改、替换或调换顺序）")
            )
        if previous_at is not None and e.at < previous_at:
            problems.append(Problem(e.id, "reordered", f"第 {e.id} 条审计记录的时间早于前一条（顺序被改动）"))
        expected_id, previous_hash, previous_at, last = e.id + 1, e.entry_hash, e.at, e
    if report.keyed_from is None and report.entries > report.unkeyed_entries:
        problems.append(
            Problem(
                None,
                "key",
                f"没有一条审计记录能用已配置的密钥（{ring.source}）验证：密钥配置有误、密钥文件丢失，或记录被整体伪造",
            )
        )
    return last


def _json_field(detail: str, name: str) -> Any:
    try:
        value = json.loads(detail)
    except ValueError:
        return None
    return value.get(name) if isinstance(value, dict) else None


def _check_head(conn: Connection, last: Entry | None, problems: list[Problem]) -> None:
    row = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
    if row is None:
        if last is not None:
            problems.append(Problem(None, "head", "审计链头记录缺失（链头表被删除或清空）"))
    elif last is None or int(row.last_id) > last.id:
        have = 0 if last is None else last.id
        problems.append(
            Problem(
                None,
                "deleted",
                f"缺少第 {have + 1}–{int(row.last_id)} 条审计记录（末尾 {int(row.last_id) - have} 条已被删除）",
            )
        )
    elif int(row.last_id) < last.id or row.last_hash != last.entry_hash:
        problems.append(Problem(last.id, "head", "审计链头与最后一条记录不符（链头或末尾记录被改动）"))


def _stored_macs(conn: Connection, ids: set[int]) -> dict[int, str]:
    found = conn.execute(select(audit_log.c.id, audit_log.c.entry_hash).where(audit_log.c.id.in_(sorted(ids))))
    return {int(r.id): str(r.entry_hash) for r in found}


def _checkpoints_against(
    conn: Connection, checkpoints: list[tuple[int, str]], missing: list[int], rewritten: list[int]
) -> None:
    stored = _stored_macs(conn, {i for i, _ in checkpoints})
    for entry_id, mac in checkpoints:
        if entry_id not in stored:
            missing.append(entry_id)
        elif not hmac.compare_digest(stored[entry_id], mac):
            rewritten.append(entry_id)


def _check_anchors(
    conn: Connection, path: Path, last: Entry | None, report: Report, expected: bool, batch: int = 2000
) -> None:
    """Every line of the anchor file names an entry that must still exist with the same MAC: the
    newest lines catch a cut tail or a wiped table, any line a rewrite. Read in batches, so a
    long file needs no memory. `expected`: checkpoints must exist (a snapshot recorded a head)."""
    if not path.is_file():
        if report.keyed_from is not None or expected:
            report.problems.append(
                Problem(None, "anchor", f"审计锚点文件 {path} 不存在：无法核对链头（文件被删除或移动）")
            )
        return
    missing: list[int] = []
    rewritten: list[int] = []
    malformed = 0
    pending: list[tuple[int, str]] = []
    with open(path, encoding="ascii", errors="replace") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or not parts[1].isdigit() or not re.fullmatch(r"[0-9a-f]{64}", parts[2]):
                malformed += 1
                continue
            pending.append((int(parts[1]), parts[2]))
            report.anchors_checked += 1
            if len(pending) >= batch:
                _checkpoints_against(conn, pending, missing, rewritten)
                pending = []
    if pending:
        _checkpoints_against(conn, pending, missing, rewritten)
    if missing:
        report.problems.append(
            Problem(
                max(missing),
                "anchor",
                f"锚点文件记录过第 {min(missing)}–{max(missing)} 条中的 {len(missing)} 条审计记录，数据库中已不存在"
                f"（现有 {0 if last is None else last.id} 条）：末尾记录被截断、记录被删除或整表被清空",
            )
        )
    if rewritten:
        shown = "、".join(str(i) for i in sorted(rewritten)[:5]) + ("…" if len(rewritten) > 5 else "")
        report.problems.append(
            Problem(
                min(rewritten),
                "anchor",
                f"第 {shown} 条审计记录（共 {len(rewritten)} 条）与锚点文件记录的签名不符：记录被重写",
            )
        )
    if malformed:
        report.problems.append(Problem(None, "anchor", f"锚点文件 {path} 有 {malformed} 行格式不正确（文件被改动）"))


def _snapshot_heads(settings: Settings) -> list[tuple[str, int, str]]:
    heads = []
    for info in snapshots.list_snapshots(settings):
        try:
            found = snapshots.audit_head_of(info.path)
        except Exception as exc:  # noqa: BLE001 — a snapshot that cannot be read is reported, not fatal
            logger.warning("无法读取快照 %s 记录的审计链头：%s", info.snapshot_id, exc)
            continue
        if found is not None:
            heads.append((info.snapshot_id, *found))
    return heads


def _check_snapshots(conn: Connection, heads: list[tuple[str, int, str]], report: Report) -> None:
    """The head each kept snapshot recorded when it was sealed must still be in the chain."""
    if not heads:
        return
    stored = _stored_macs(conn, {i for _, i, _ in heads})
    for snapshot_id, entry_id, mac in heads:
        report.snapshots_checked += 1
        if entry_id not in stored:
            report.problems.append(
                Problem(
                    entry_id,
                    "snapshot",
                    f"数据快照 {snapshot_id} 记录的审计链头为第 {entry_id} 条，数据库中已不存在（记录被截断或清空）",
                )
            )
        elif not hmac.compare_digest(stored[entry_id], mac):
            report.problems.append(
                Problem(
                    entry_id,
                    "snapshot",
                    f"数据快照 {snapshot_id} 记录的第 {entry_id} 条审计记录签名与数据库不符（记录被重写）",
                )
            )


def verify_report(engine: Engine) -> Report:
    """Check the whole log: every entry against its hash or MAC (the key ring of keyring()), the
    links and the ids, the head table, the anchor file and the heads the kept snapshots recorded.
    Problems come in that order; see Report for what was checked."""
    settings = _settings_for(engine)
    ring = keyring(settings)
    report = Report(problems=[], key_source=ring.source)
    heads = _snapshot_heads(settings)
    with engine.connect() as conn:
        last = _check_chain(conn, ring, report)
        _check_head(conn, last, report.problems)
        _check_anchors(conn, anchor_path(settings), last, report, expected=bool(heads))
        _check_snapshots(conn, heads, report)
    return report


def verify(engine: Engine) -> list[Problem]:
    """Every problem of the log, in the order of verify_report() (empty when intact): a modified or
    forged entry (hash or MAC does not match), a deleted entry (a gap in the ids, or fewer entries
    than the head, the anchor file or a snapshot records), a re-ordered entry (its prev_hash is not
    the MAC of the entry before it, or its time is earlier), a head that does not match the last
    entry."""
    return verify_report(engine).problems


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
    """A display_frame() as CSV (UTF-8 with BOM, for office spreadsheet software) or XLSX bytes;
    a user name or detail that reads as a formula is neutralised (dashboard.core.spreadsheet)."""
    if fmt == "csv":
        return spreadsheet.csv_bytes(frame)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        options = {"options": {"strings_to_formulas": False, "strings_to_urls": False}}
        with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs=options) as writer:
            spreadsheet.neutralised(frame).to_excel(writer, index=False, sheet_name="审计日志")
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
