"""Local accounts, roles and the sign-in check (004 §(五) 12: 明确信息查询使用权限和程序).

Users live in the operational store (table `users`): a role of roles.toml, the department codes a
department user is bound to, a separate personal-data grant, a bcrypt password hash (never the
password, never logged) and optionally the e-mail / OIDC subject that st.login identities map to.
Failed sign-ins are counted per user name; too many within the window (settings [access]) lock the
name for a while. Each password check is reserved in the store before it runs, so parallel attempts
cannot check more passwords than the limit, and every attempt does the same bcrypt work whether the
name exists or not. Every change is written to the audit log.

Demo accounts exist only while the demo data is in use: `ensure_demo_accounts` (called when the
demo drop is live) and `remove_demo_accounts` (called after a load of any other source).

CLI: `python -m dashboard users add|disable|enable|set-role|reset-password|list`.
"""

from __future__ import annotations

import csv
import datetime as dt
import secrets
import string
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import bcrypt
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dashboard.access import audit, sessions
from dashboard.core.dates import as_utc
from dashboard.core.settings import PACKAGE_DIR, REFERENCE_DIR, Access, Settings, get_settings
from dashboard.store import runs
from dashboard.store.opstore import get_engine, metadata

ROLES_FILE = PACKAGE_DIR / "roles.toml"
ROLE_NAMES = ("leader", "office", "department", "admin")
PAGE_KEYS = (
    "cockpit",
    "home",
    "indicators",
    "warnings",
    "departments",
    "subject",
    "grading",
    "data_quality",
    "data_status",
    "admin",
    "feedback",
    "briefing",
    "present",
    "reminders",
)
GRANTS = (
    "export",
    "record_followup",
    "edit_checklist",
    "manage_users",
    "view_audit",
    "load",
    "submit_feedback",
    "review_feedback",
    "edit_briefing",
)
_USERNAME_CHARS = set(string.ascii_lowercase + string.digits + "._-@")

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),  # lower case
    Column("display_name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("departments", Text, nullable=False, default=""),  # comma-separated department codes
    Column("personal_data", Boolean, nullable=False, default=False),
    Column("password_hash", String(128)),  # bcrypt; NULL: OIDC only
    Column("must_change_password", Boolean, nullable=False, default=False),
    Column("email", String(256), index=True),  # lower case
    Column("oidc_subject", String(256), index=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("last_sign_in_at", DateTime(timezone=True)),
)

# One row per user name (as typed, lower case, known or not) with failed or running password checks
# in the current window. `failures` is raised *before* a password is checked, by one conditional
# UPDATE, so parallel attempts can never check more passwords than the limit (issue 11). The
# tables sign_in_failures / sign_in_locks of earlier releases are no longer read.
sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),  # failed or still running checks in the window
    Column("window_started_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
)


class UserError(ValueError):
    """A refused account change; the message is Chinese, for the CLI and the admin page."""


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    pages: frozenset[str]
    grants: frozenset[str]
    sees_all: bool
    personal_data_grantable: bool
    details: bool = False  # detail lists (roles.toml `details`); False: aggregates only


@dataclass(frozen=True)
class UserRecord:
    username: str
    display_name: str
    role: str
    departments: frozenset[str]
    personal_data: bool
    email: str | None
    oidc_subject: str | None
    disabled: bool
    is_demo: bool
    must_change_password: bool
    has_password: bool
    created_at: dt.datetime | None
    last_sign_in_at: dt.datetime | None


@dataclass(frozen=True)
class AuthResult:
    """Outcome of authenticate(): reason is ok | invalid | locked | disabled; password_checked
    says whether the password was compared with a stored hash (a locked name's never is)."""

    ok: bool
    reason: str
    user: UserRecord | None = None
    locked_until: dt.datetime | None = None
    password_checked: bool = False


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    display_name: str
    departments: tuple[str, ...] = ()
    personal_data: bool = False


# One per role (two departments, so that a department user sees another's data is absent). The
# passwords are shown on the sign-in screen in demo mode: they protect nothing but demo data.
DEMO_ACCOUNTS = (
    DemoAccount("demo_leader", "demo-leader", "leader", "市领导（演示）"),
    DemoAccount("demo_office", "demo-office", "office", "市信用办（演示）", personal_data=True),
    DemoAccount("demo_tax", "demo-tax", "department", "市税务局（演示）", ("tax",)),
    DemoAccount("demo_market", "demo-market", "department", "市市场监管局（演示）", ("market",)),
    DemoAccount("demo_admin", "demo-admin", "admin", "系统管理员（演示）"),
)
DEMO_ACTOR = "system:demo"


# ---- roles and departments --------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_roles(path: Path = ROLES_FILE) -> dict[str, Role]:
    """roles.toml as Role records; unknown page keys or grants are an error, not silently ignored."""
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    roles = {}
    for name in ROLE_NAMES:
        spec = raw.get(name)
        if spec is None:
            raise ValueError(f"roles file lacks role {name}")
        pages, grants = frozenset(spec.get("pages", ())), frozenset(spec.get("grants", ()))
        if pages - set(PAGE_KEYS) or grants - set(GRANTS):
            raise ValueError(
                f"role {name}: unknown pages {sorted(pages - set(PAGE_KEYS))} or grants {sorted(grants - set(GRANTS))}"
            )
        if spec.get("scope") not in ("all", "departments"):
            raise ValueError(f"role {name}: scope must be 'all' or 'departments'")
        roles[name] = Role(
            name,
            spec["label"],
            pages,
            grants,
            spec["scope"] == "all",
            bool(spec.get("personal_data_grantable", False)),
            details=spec.get("details", False) is True,
        )
    return roles


@lru_cache(maxsize=1)
def department_names() -> dict[str, str]:
    """Department code → short Chinese name, from the reference data."""
    with open(REFERENCE_DIR / "departments.csv", encoding="utf-8", newline="") as handle:
        return {row["department_code"]: row["short_name"] for row in csv.DictReader(handle)}


def _normalise_departments(codes: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for item in codes:
        out.update(c.strip() for c in str(item).split(",") if c.strip())
    unknown = out - set(department_names())
    if unknown:
        raise UserError(f"未知的部门代码：{'、'.join(sorted(unknown))}（见 dashboard/reference/departments.csv）")
    return frozenset(out)


def _check_role(role: str, departments: frozenset[str], personal_data: bool) -> None:
    roles = load_roles()
    if role not in roles:
        raise UserError(f"未知的角色：{role}（可选：{'、'.join(ROLE_NAMES)}）")
    if roles[role].sees_all and departments:
        raise UserError(f"角色“{roles[role].label}”可查看全部部门，不应绑定部门")
    if not roles[role].sees_all and not departments:
        raise UserError(f"角色“{roles[role].label}”必须绑定至少一个部门代码")
    if personal_data and not roles[role].personal_data_grantable:
        raise UserError(f"角色“{roles[role].label}”不能被授予查看个人信息的权限")


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not (2 <= len(name) <= 64) or set(name) - _USERNAME_CHARS:
        raise UserError("用户名须为 2–64 个字符，只能包含小写字母、数字和 . _ - @")
    return name


# ---- passwords ----------------------------------------------------------------------------------


def _check_password(password: str, access: Access) -> bytes:
    data = password.encode("utf-8")
    if len(password) < access.min_password_length:
        raise UserError(f"密码至少需要 {access.min_password_length} 个字符")
    if len(data) > 72:  # bcrypt only reads 72 bytes: refuse rather than silently truncate
        raise UserError("密码不能超过 72 个字节")
    return data


def hash_password(password: str, access: Access) -> str:
    """A bcrypt hash of an acceptable password (length rules of settings [access])."""
    return bcrypt.hashpw(_check_password(password, access), bcrypt.gensalt(access.bcrypt_rounds)).decode("ascii")


def _matches(password: str, hashed: str | None, rounds: int = 12) -> bool:
    data = (password or "").encode("utf-8")
    if hashed is None or len(data) > 72:
        bcrypt.checkpw(b"x", _dummy_hash(rounds))  # same work whether or not the account exists
        return False
    return bcrypt.checkpw(data, hashed.encode("ascii"))


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds))


def one_time_password() -> str:
    """A random 16-character password from letters and digits that cannot be confused (no 0/O, 1/l/I)."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


# ---- records ------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _record(row: Any) -> UserRecord:
    return UserRecord(
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        departments=frozenset(c for c in (row.departments or "").split(",") if c),
        personal_data=bool(row.personal_data),
        email=row.email,
        oidc_subject=row.oidc_subject,
        disabled=bool(row.disabled),
        is_demo=bool(row.is_demo),
        must_change_password=bool(row.must_change_password),
        has_password=row.password_hash is not None,
        created_at=as_utc(row.created_at),
        last_sign_in_at=as_utc(row.last_sign_in_at),
    )


def get_user(engine: Engine, username: str) -> UserRecord | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == normalise_username(username))).first()
    return None if row is None else _record(row)


def list_users(engine: Engine) -> list[UserRecord]:
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(select(users).order_by(users.c.username))]


def display_names(engine: Engine) -> dict[str, str]:
    """username → display name of every account, for the columns that name who recorded or
    changed something (记录人, 最后操作人): people are shown by name, never by their username."""
    return {u.username: u.display_name for u in list_users(engine)}


def find_by_identity(engine: Engine, subject: str | None = None, email: str | None = None) -> UserRecord | None:
    """The user an OIDC identity maps to: by subject claim first, then by e-mail (case-insensitive)."""
    with engine.connect() as conn:
        if subject:
            row = conn.execute(select(users).where(users.c.oidc_subject == str(subject))).first()
            if row is not None:
                return _record(row)
        if email:
            row = conn.execute(select(users).where(users.c.email == str(email).strip().lower())).first()
            if row is not None:
                return _record(row)
    return None


def _require(engine: Engine, username: str) -> UserRecord:
    user = get_user(engine, username)
    if user is None:
        raise UserError(f"用户不存在：{username}")
    return user


def add_user(
    engine: Engine,
    username: str,
    role: str,
    by: Any,
    *,
    display_name: str | None = None,
    departments: Iterable[str] = (),
    personal_data: bool = False,
    email: str | None = None,
    oidc_subject: str | None = None,
    password: str | None = None,
    must_change_password: bool = True,
    access: Access | None = None,
) -> UserRecord:
    """Create a user (audit: user_added). Without `password` the account can only sign in through
    OIDC (email / oidc_subject). Raises UserError for a taken name, unknown role or department, a
    role/department mismatch, a personal-data grant the role does not allow, or a weak password."""
    access = access or get_settings().access
    name = _check_username(username)
    codes = _normalise_departments(departments)
    _check_role(role, codes, personal_data)
    if password is None and not (email or oidc_subject):
        raise UserError("没有密码的账号须填写电子邮箱或统一身份认证标识（OIDC sub），否则无法登录")
    hashed = None if password is None else hash_password(password, access)
    if get_user(engine, name) is not None:
        raise UserError(f"用户已存在：{name}")
    now = _now()
    with engine.begin() as conn:
        conn.execute(
            insert(users).values(
                username=name,
                display_name=(display_name or name).strip(),
                role=role,
                departments=",".join(sorted(codes)),
                personal_data=personal_data,
                password_hash=hashed,
                must_change_password=bool(hashed and must_change_password),
                email=email.strip().lower() if email else None,
                oidc_subject=oidc_subject or None,
                disabled=False,
                is_demo=False,
                created_at=now,
                updated_at=now,
            )
        )
    audit.record(
        engine,
        by,
        "user_added",
        {
            "username": name,
            "role": role,
            "departments": sorted(codes),
            "personal_data": personal_data,
            "local_password": hashed is not None,
        },
    )
    return _require(engine, name)


def set_role(
    engine: Engine,
    username: str,
    role: str,
    by: Any,
    departments: Iterable[str] | None = None,
    personal_data: bool | None = None,
) -> UserRecord:
    """Change a user's role, departments and/or personal-data grant (audit: role_changed, with the
    before and after). Omitted departments / grant keep their values where the new role allows."""
    user = _require(engine, username)
    codes = user.departments if departments is None else _normalise_departments(departments)
    if departments is None and load_roles().get(role) and load_roles()[role].sees_all:
        codes = frozenset()
    grant = user.personal_data if personal_data is None else personal_data
    if personal_data is None and load_roles().get(role) and not load_roles()[role].personal_data_grantable:
        grant = False
    _check_role(role, codes, grant)
    with engine.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.username == user.username)
            .values(role=role, departments=",".join(sorted(codes)), personal_data=grant, updated_at=_now())
        )
    audit.record(
        engine,
        by,
        "role_changed",
        {
            "username": user.username,
            "before": {"role": user.role, "departments": sorted(user.departments), "personal_data": user.personal_data},
            "after": {"role": role, "departments": sorted(codes), "personal_data": grant},
        },
    )
    if (role, codes, grant) != (user.role, user.departments, user.personal_data):
        # what the user may see has changed: their open sessions end (they sign in again)
        sessions.end_user_sessions(engine, user.username, sessions.ROLE_CHANGED, by=_actor_name(by))
    return _require(engine, user.username)


def set_disabled(engine: Engine, username: str, disabled: bool, by: Any) -> UserRecord:
    """Disable (audit: user_disabled) or re-enable (user_enabled) an account. Disabling ends the
    user's session records at once (dashboard.access.sessions: a reload or a new tab no longer
    gets in); a session open in a tab ends at its next interaction."""
    user = _require(engine, username)
    with engine.begin() as conn:
        conn.execute(
            update(users).where(users.c.username == user.username).values(disabled=disabled, updated_at=_now())
        )
    audit.record(engine, by, "user_disabled" if disabled else "user_enabled", {"username": user.username})
    if disabled:
        sessions.end_user_sessions(engine, user.username, sessions.DISABLED, by=_actor_name(by))
    return _require(engine, user.username)


def reset_password(
    engine: Engine, username: str, by: Any, password: str | None = None, access: Access | None = None
) -> str:
    """Set a new password that must be changed at the next sign-in, lift any lock and end the
    user's open sessions (audit: password_reset, without the password). Returns the password: the
    given one, or a generated one-time password."""
    access = access or get_settings().access
    user = _require(engine, username)
    new = password if password is not None else one_time_password()
    hashed = hash_password(new, access)
    with engine.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.username == user.username)
            .values(password_hash=hashed, must_change_password=True, updated_at=_now())
        )
        conn.execute(delete(sign_in_attempts).where(sign_in_attempts.c.username == user.username))
    audit.record(engine, by, "password_reset", {"username": user.username, "generated": password is None})
    sessions.end_user_sessions(engine, user.username, sessions.PASSWORD_RESET, by=_actor_name(by))
    return new


def change_own_password(engine: Engine, username: str, current: str, new: str, access: Access | None = None) -> None:
    """A signed-in user replaces their password (the one-time one after a reset). Raises UserError
    when the current password is wrong or the new one is unacceptable or unchanged."""
    access = access or get_settings().access
    with engine.connect() as conn:
        hashed = conn.execute(
            select(users.c.password_hash).where(users.c.username == normalise_username(username))
        ).scalar()
    if not _matches(current, hashed, access.bcrypt_rounds):
        raise UserError("当前密码不正确")
    if new == current:
        raise UserError("新密码不能与当前密码相同")
    new_hash = hash_password(new, access)
    with engine.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.username == normalise_username(username))
            .values(password_hash=new_hash, must_change_password=False, updated_at=_now())
        )
    audit.record(engine, username, "password_reset", {"username": normalise_username(username), "self": True})


# ---- sign-in ------------------------------------------------------------------------------------


def _stored_time(engine: Engine, value: dt.datetime) -> dt.datetime:
    # SQLite compares stored timestamps as text written in UTC without a zone.
    return value.astimezone(dt.UTC).replace(tzinfo=None) if engine.dialect.name == "sqlite" else value


def locked_until(engine: Engine, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the lock on this user name ends, or None when it is not locked."""
    now = now or _now()
    with engine.connect() as conn:
        until = conn.execute(
            select(sign_in_attempts.c.locked_until).where(sign_in_attempts.c.username == normalise_username(username))
        ).scalar()
    until = as_utc(until)
    return until if until is not None and until > now else None


def _insert_ignoring_duplicate(conn: Connection, table: Table, **values: Any) -> None:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL (a savepoint elsewhere)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        conn.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())
    elif dialect == "postgresql":
        conn.execute(postgresql_insert(table).values(**values).on_conflict_do_nothing())
    else:  # pragma: no cover — the store runs on SQLite or PostgreSQL
        try:
            with conn.begin_nested():
                conn.execute(insert(table).values(**values))
        except IntegrityError:
            pass


def _reserve_check(engine: Engine, name: str, access: Access, now: dt.datetime) -> bool:
    """Count one password check against the name *before* it runs: one conditional UPDATE raises
    `failures` only while it is below max_failed_sign_ins (a window or lock that has run out
    starts again at 1). The row is locked by the UPDATE, so of any number of parallel attempts (in
    threads or processes, SQLite or PostgreSQL) at most the limit are let through. Returns whether
    this attempt may check its password."""
    t = sign_in_attempts
    at = _stored_time(engine, now)
    since = _stored_time(engine, now - dt.timedelta(minutes=access.failure_window_minutes))
    expired = or_(t.c.window_started_at < since, and_(t.c.locked_until.is_not(None), t.c.locked_until <= at))
    with engine.begin() as conn:
        _insert_ignoring_duplicate(conn, t, username=name, failures=0, window_started_at=at, locked_until=None)
        taken = conn.execute(
            update(t)
            .where(
                t.c.username == name,
                or_(t.c.locked_until.is_(None), t.c.locked_until <= at),
                or_(t.c.failures < access.max_failed_sign_ins, expired),
            )
            .values(
                failures=case((expired, 1), else_=t.c.failures + 1),
                window_started_at=case((expired, at), else_=t.c.window_started_at),
                locked_until=case((expired, None), else_=t.c.locked_until),
            )
        ).rowcount
    return taken == 1


def _lock_if_at_limit(engine: Engine, name: str, access: Access, now: dt.datetime) -> dt.datetime | None:
    """After a failed check: lock the name when its reserved checks reached the limit. Returns the
    lock's end when this failure set it."""
    t = sign_in_attempts
    until = now + dt.timedelta(minutes=access.lockout_minutes)
    at = _stored_time(engine, now)
    with engine.begin() as conn:
        locked = conn.execute(
            update(t)
            .where(
                t.c.username == name,
                t.c.failures >= access.max_failed_sign_ins,
                or_(t.c.locked_until.is_(None), t.c.locked_until <= at),
            )
            .values(locked_until=_stored_time(engine, until))
        ).rowcount
    return until if locked else None


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    access: Access | None = None,
    now: dt.datetime | None = None,
    session: str | None = None,
) -> AuthResult:
    """Check a local sign-in and record it in the audit log (sign_in, or sign_in_failed with the
    reason). Every attempt does the same work — one bcrypt check of the configured cost, against a
    dummy hash for an unknown name, a name without a password or a locked name — so the time of the
    answer does not tell which names exist (issue 11). Each check is reserved in the operational
    store before it runs (`_reserve_check`): at most settings [access] max_failed_sign_ins checks
    per name within failure_window_minutes, however many attempts arrive at once; the failure
    that reaches the limit locks the name for lockout_minutes, and a locked name is refused
    without its password being checked. A disabled account is reported as such only when the
    password was right. `session` (the id of the session record the caller opens on success,
    dashboard.access.sessions) is named in the sign_in entry, which is the session's start."""
    access = access or get_settings().access
    now = now or _now()
    name = normalise_username(username)[:64]
    if not _reserve_check(engine, name, access, now):
        _matches(password, None, access.bcrypt_rounds)  # the same work as a real check
        audit.record(engine, name or "?", "sign_in_failed", {"reason": "locked", "method": "password"})
        return AuthResult(False, "locked", locked_until=locked_until(engine, name, now))
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == name)).first()
    # Always one bcrypt check: _matches runs it against a dummy hash when there is no stored one.
    matched = _matches(password, None if row is None else row.password_hash, access.bcrypt_rounds)
    if not matched:
        until = _lock_if_at_limit(engine, name, access, now)
        audit.record(
            engine,
            name or "?",
            "sign_in_failed",
            {
                "reason": "unknown_user" if row is None else "wrong_password",
                "method": "password",
                "locked": until is not None,
            },
        )
        return AuthResult(False, "locked" if until else "invalid", locked_until=until, password_checked=True)
    assert row is not None  # only a stored hash can match
    user = _record(row)
    if user.disabled:
        audit.record(engine, name, "sign_in_failed", {"reason": "disabled", "method": "password"})
        return AuthResult(False, "disabled", user, password_checked=True)
    with engine.begin() as conn:
        conn.execute(delete(sign_in_attempts).where(sign_in_attempts.c.username == name))
        conn.execute(update(users).where(users.c.username == name).values(last_sign_in_at=now))
    audit.record(engine, name, "sign_in", {"method": "password", **({"session": session} if session else {})})
    return AuthResult(True, "ok", user, password_checked=True)


def _actor_name(by: Any) -> str:
    """The name an audit entry gives an actor passed as a user name or a Viewer."""
    return by if isinstance(by, str) else str(getattr(by, "username", by))


def mark_signed_in(engine: Engine, username: str) -> None:
    """Note the time of a sign-in made elsewhere (OIDC)."""
    with engine.begin() as conn:
        conn.execute(
            update(users).where(users.c.username == normalise_username(username)).values(last_sign_in_at=_now())
        )


# ---- demo accounts ------------------------------------------------------------------------------


def ensure_demo_accounts(engine: Engine, access: Access | None = None) -> list[DemoAccount]:
    """Create (or re-enable, and reset to the shown password) the demo accounts of DEMO_ACCOUNTS;
    call only while the demo data is live. A real account with a demo name is left alone."""
    access = access or get_settings().access
    ready = []
    now = _now()
    for account in DEMO_ACCOUNTS:
        with engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == account.username)).first()
        if row is not None and not row.is_demo:
            continue
        values = dict(
            display_name=account.display_name,
            role=account.role,
            departments=",".join(account.departments),
            personal_data=account.personal_data,
            must_change_password=False,
            disabled=False,
            is_demo=True,
            updated_at=now,
        )
        if row is None:
            hashed = bcrypt.hashpw(account.password.encode("utf-8"), bcrypt.gensalt(access.bcrypt_rounds))
            with engine.begin() as conn:
                conn.execute(
                    insert(users).values(
                        username=account.username, password_hash=hashed.decode("ascii"), created_at=now, **values
                    )
                )
            audit.record(
                engine,
                DEMO_ACTOR,
                "user_added",
                {
                    "username": account.username,
                    "role": account.role,
                    "departments": list(account.departments),
                    "personal_data": account.personal_data,
                    "demo": True,
                },
            )
        else:
            if not _matches(account.password, row.password_hash, access.bcrypt_rounds):
                values["password_hash"] = bcrypt.hashpw(
                    account.password.encode("utf-8"), bcrypt.gensalt(access.bcrypt_rounds)
                ).decode("ascii")
            with engine.begin() as conn:
                conn.execute(update(users).where(users.c.username == account.username).values(**values))
        ready.append(account)
    return ready


def remove_demo_accounts(engine: Engine) -> list[str]:
    """Delete every demo account (the data they were for is no longer live); audit: user_disabled."""
    with engine.begin() as conn:
        names = list(
            conn.execute(select(users.c.username).where(users.c.is_demo.is_(True)).order_by(users.c.username)).scalars()
        )
        if names:
            conn.execute(delete(users).where(users.c.username.in_(names)))
            conn.execute(delete(sign_in_attempts).where(sign_in_attempts.c.username.in_(names)))
    if names:
        audit.record(engine, DEMO_ACTOR, "user_disabled", {"removed_demo_accounts": names})
        for name in names:
            sessions.end_user_sessions(engine, name, sessions.DISABLED, by=DEMO_ACTOR)
    return names


def active_demo_accounts(engine: Engine) -> list[DemoAccount]:
    """The demo accounts that can sign in now (empty unless the demo data is in use)."""
    with engine.connect() as conn:
        live = set(
            conn.execute(
                select(users.c.username).where(users.c.is_demo.is_(True), users.c.disabled.is_(False))
            ).scalars()
        )
    return [a for a in DEMO_ACCOUNTS if a.username in live]


def is_demo_source(settings: Settings, source: str | None) -> bool:
    """Whether a load source (as recorded in load_runs) is the generated demo drop."""
    if not source:
        return False
    try:
        return Path(source).resolve() == settings.demo_drop_dir.resolve()
    except (OSError, ValueError):
        return False


def sync_demo_accounts(settings: Settings, snapshot_id: str | None) -> list[DemoAccount]:
    """Demo accounts when the live snapshot was built from the demo drop, none otherwise (called
    at start by `serve`). Returns the demo accounts that can sign in."""
    engine = get_engine(settings)
    run = runs.run_producing(engine, snapshot_id) if snapshot_id else None
    if run is not None and is_demo_source(settings, run.source):
        return ensure_demo_accounts(engine, settings.access)
    remove_demo_accounts(engine)
    return []


def after_load(settings: Settings, outcome: Any) -> None:
    """Access hooks after a load run (dashboard.load.loading): the `load` audit entry, and the demo
    accounts removed once data other than the demo drop has been published."""
    engine = get_engine(settings)
    audit.record(
        engine,
        audit.cli_user(),
        "load",
        {
            "run_id": outcome.run_id,
            "source": str(outcome.source),
            "status": outcome.status,
            "snapshot_id": outcome.snapshot_id,
            "error": outcome.error,
        },
        rows=outcome.rows_read,
    )
    if outcome.snapshot_id and not is_demo_source(settings, outcome.source):
        remove_demo_accounts(engine)


def has_users(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(users)).scalar_one() > 0
