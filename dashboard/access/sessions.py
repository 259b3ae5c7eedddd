"""Sign-in sessions that survive a reload or a new tab (issue 12, item 5; 004 §(五) 12).

A Streamlit session lives in one websocket, so F5 or a new tab starts a new one. A local sign-in
therefore also creates a **session record** in the operational store (table `user_sessions`), and
the browser holds a cookie that names it:

- The cookie holds only an opaque random token (never the user name), signed with a key derived
  from the audit key (`signing_key`), so a cookie that was not issued here is refused before any
  lookup. The store keeps the sha256 of the token, never the token itself.
- The script cannot set an HttpOnly cookie, so it never sees the token either: after a password
  check it issues a **ticket** (`issue_ticket`: random, stored hashed, single use, valid
  TICKET_SECONDS), the page posts it to the server's `/_session/start` route
  (dashboard.app.session_routes), and `redeem_ticket` mints the token there and answers with the
  cookie.
- A record ends (`end`, audited as `sign_out` with its reason) at sign-out, when its user is
  disabled or their role, departments, personal-data grant or password is changed by an
  administrator (`end_user_sessions`, called by dashboard.access.users), after settings [access]
  idle_timeout_minutes without a script run, and idle or not after absolute_session_hours
  (`expiry`). An ended record is never revived; the next sign-in makes a new one.

Every function takes the engine and the time (`now`, aware UTC), so tests move the clock.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, Engine, String, Table, delete, insert, select, update

from dashboard.access import audit
from dashboard.core.dates import as_utc
from dashboard.core.settings import Access, Settings
from dashboard.store.opstore import metadata

COOKIE_NAME = "dashboard_session"
# A ticket only has to cross from the script's answer to the browser's next request.
TICKET_SECONDS = 30
# last_seen_at is written at most this often (a script run per click would otherwise be a write
# per click); the idle timeout is minutes, so it is measured to within this many seconds.
TOUCH_SECONDS = 60
# Ended records and used tickets are deleted this long after they ended (the audit log keeps the
# history; the table only has to answer "is this cookie's session still on").
KEEP_ENDED_DAYS = 30

# The reasons a record ends, as written to the audit log (`sign_out` entries, detail "reason").
SIGNED_OUT = "user"
IDLE = "idle_timeout"
LIFETIME = "absolute_timeout"
DISABLED = "account_disabled"
ROLE_CHANGED = "role_changed"
PASSWORD_RESET = "password_reset"
END_REASONS = (SIGNED_OUT, IDLE, LIFETIME, DISABLED, ROLE_CHANGED, PASSWORD_RESET)

user_sessions = Table(
    "user_sessions",
    metadata,
    Column("session_id", String(32), primary_key=True),  # random, not a secret (named in the audit log)
    Column("username", String(64), nullable=False, index=True),
    Column("method", String(16), nullable=False),  # password
    Column("token_hash", String(64), unique=True),  # sha256 hex of the cookie's token; NULL until issued
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("end_reason", String(32)),  # one of END_REASONS
)

session_tickets = Table(
    "session_tickets",
    metadata,
    Column("ticket_hash", String(64), primary_key=True),  # sha256 hex of the ticket
    Column("session_id", String(32), nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)


@dataclass(frozen=True)
class SessionRecord:
    session_id: str
    username: str
    method: str
    has_token: bool
    started_at: dt.datetime
    last_seen_at: dt.datetime
    ended_at: dt.datetime | None
    end_reason: str | None

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _stored(engine: Engine, value: dt.datetime) -> dt.datetime:
    # SQLite compares stored timestamps as text written in UTC without a zone.
    return value.astimezone(dt.UTC).replace(tzinfo=None) if engine.dialect.name == "sqlite" else value


def _record(row: Any) -> SessionRecord:
    return SessionRecord(
        session_id=row.session_id,
        username=row.username,
        method=row.method,
        has_token=row.token_hash is not None,
        started_at=as_utc(row.started_at),
        last_seen_at=as_utc(row.last_seen_at),
        ended_at=as_utc(row.ended_at),
        end_reason=row.end_reason,
    )


# ---- the cookie's token -------------------------------------------------------------------------


def signing_key(settings: Settings) -> bytes:
    """The key that signs cookies: HMAC of a fixed label with the audit key in force (settings
    [audit]; generated on first use like the audit log's), so there is no second secret to keep
    and every process of a deployment over one data folder agrees on it. Rotating the audit key
    invalidates every cookie: everyone signs in again."""
    key = audit.keyring(settings, create=True).current
    assert key is not None  # keyring(create=True) generates one when none is configured
    return hmac.new(key, b"dashboard session cookie v1", hashlib.sha256).digest()


def _mac(key: bytes, token: str) -> str:
    mac = hmac.new(key, token.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def cookie_value(token: str, key: bytes) -> str:
    """The cookie for a token: `<token>.<MAC>`, both URL-safe base64."""
    return f"{token}.{_mac(key, token)}"


def token_of(cookie: str | None, key: bytes) -> str | None:
    """The token of a cookie whose signature holds, else None (forged, altered, or signed with a
    retired key)."""
    if not cookie or cookie.count(".") != 1:
        return None
    token, mac = cookie.split(".")
    try:
        token.encode("ascii")
    except UnicodeEncodeError:
        return None
    return token if token and hmac.compare_digest(mac, _mac(key, token)) else None


# ---- records ------------------------------------------------------------------------------------


def new_session_id() -> str:
    """A fresh record id (random; it names the session in the audit log and grants nothing)."""
    return secrets.token_hex(8)


def start(
    engine: Engine,
    username: str,
    method: str,
    access: Access,
    now: dt.datetime | None = None,
    session_id: str | None = None,
) -> SessionRecord:
    """Open a record for a user who has just signed in (the sign_in entry of the audit log is the
    start; pass its `session` id as `session_id`). Open records of anyone that are past their idle
    timeout or lifetime are ended first (`sweep`), so a session that was simply abandoned still
    gets its end in the audit log."""
    now = now or _now()
    sweep(engine, access, now)
    session_id = session_id or new_session_id()
    with engine.begin() as conn:
        conn.execute(
            insert(user_sessions).values(
                session_id=session_id,
                username=username,
                method=method,
                token_hash=None,
                started_at=now,
                last_seen_at=now,
                ended_at=None,
                end_reason=None,
            )
        )
    found = get(engine, session_id)
    assert found is not None
    return found


def get(engine: Engine, session_id: str) -> SessionRecord | None:
    with engine.connect() as conn:
        row = conn.execute(select(user_sessions).where(user_sessions.c.session_id == session_id)).first()
    return None if row is None else _record(row)


def find_by_cookie(engine: Engine, cookie: str | None, key: bytes) -> SessionRecord | None:
    """The record a cookie names (open or ended), or None for an unsigned, unknown or replaced
    token. Looked up by the token's hash: the store never holds the token."""
    token = token_of(cookie, key)
    if token is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(select(user_sessions).where(user_sessions.c.token_hash == _digest(token))).first()
    return None if row is None else _record(row)


def expiry(record: SessionRecord, access: Access, now: dt.datetime) -> str | None:
    """IDLE when the record saw no script run for more than idle_timeout_minutes, LIFETIME when it
    started more than absolute_session_hours ago (however active), else None. Idle is checked
    first: an abandoned session ends as idle even when its lifetime is also over."""
    if now - record.last_seen_at > dt.timedelta(minutes=access.idle_timeout_minutes):
        return IDLE
    if now - record.started_at > dt.timedelta(hours=access.absolute_session_hours):
        return LIFETIME
    return None


def expiry_detail(reason: str, access: Access) -> dict[str, Any]:
    """What the audit entry of an expiry adds to its reason: the setting that ended it."""
    if reason == IDLE:
        return {"idle_minutes": access.idle_timeout_minutes}
    if reason == LIFETIME:
        return {"session_hours": access.absolute_session_hours}
    return {}


def touch(engine: Engine, record: SessionRecord, now: dt.datetime | None = None) -> bool:
    """Note activity on an open record (at most once per TOUCH_SECONDS). Returns whether it wrote."""
    now = now or _now()
    if not record.is_open or now - record.last_seen_at < dt.timedelta(seconds=TOUCH_SECONDS):
        return False
    with engine.begin() as conn:
        conn.execute(
            update(user_sessions)
            .where(user_sessions.c.session_id == record.session_id, user_sessions.c.ended_at.is_(None))
            .values(last_seen_at=now)
        )
    return True


def end(
    engine: Engine,
    session_id: str,
    reason: str,
    now: dt.datetime | None = None,
    detail: Mapping[str, Any] | None = None,
) -> bool:
    """End an open record and record `sign_out` for its user with {"reason", "session", **detail}.
    Only the call that actually ends it writes the entry (a second tab, a race with the server
    route or a later sweep find it ended and record nothing). Returns whether this call ended it."""
    if reason not in END_REASONS:
        raise ValueError(f"unknown session end reason {reason!r}")
    now = now or _now()
    with engine.begin() as conn:
        row = conn.execute(select(user_sessions.c.username).where(user_sessions.c.session_id == session_id)).first()
        ended = conn.execute(
            update(user_sessions)
            .where(user_sessions.c.session_id == session_id, user_sessions.c.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
        ).rowcount
        conn.execute(delete(session_tickets).where(session_tickets.c.session_id == session_id))
    if ended != 1 or row is None:
        return False
    audit.record(engine, row.username, "sign_out", {"reason": reason, "session": session_id, **(detail or {})})
    return True


def end_user_sessions(
    engine: Engine, username: str, reason: str, now: dt.datetime | None = None, by: str | None = None
) -> int:
    """End every open record of a user (an administrator disabled the account or changed its role
    or password: `by` names them in the entries). Returns how many were ended."""
    with engine.connect() as conn:
        ids = list(
            conn.execute(
                select(user_sessions.c.session_id).where(
                    user_sessions.c.username == username, user_sessions.c.ended_at.is_(None)
                )
            ).scalars()
        )
    extra = {"by": by} if by else None
    return sum(end(engine, sid, reason, now, extra) for sid in ids)


def open_sessions(engine: Engine, username: str | None = None) -> list[SessionRecord]:
    """The open records (of one user), oldest first."""
    stmt = select(user_sessions).where(user_sessions.c.ended_at.is_(None))
    if username is not None:
        stmt = stmt.where(user_sessions.c.username == username)
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(stmt.order_by(user_sessions.c.started_at))]


def sweep(engine: Engine, access: Access, now: dt.datetime | None = None) -> int:
    """End the open records past their idle timeout or lifetime (audited with that reason), and
    delete tickets that ran out and records ended more than KEEP_ENDED_DAYS ago. Returns how many
    records it ended."""
    now = now or _now()
    ended = 0
    for record in open_sessions(engine):
        reason = expiry(record, access, now)
        if reason is not None:
            ended += end(engine, record.session_id, reason, now, expiry_detail(reason, access))
    with engine.begin() as conn:
        conn.execute(delete(session_tickets).where(session_tickets.c.expires_at < _stored(engine, now)))
        old = _stored(engine, now - dt.timedelta(days=KEEP_ENDED_DAYS))
        conn.execute(delete(user_sessions).where(user_sessions.c.ended_at < old))
    return ended


# ---- tickets ------------------------------------------------------------------------------------


def issue_ticket(engine: Engine, session_id: str, now: dt.datetime | None = None) -> str:
    """A single-use ticket for an open record's cookie, valid TICKET_SECONDS; only its hash is
    stored. Raises ValueError for an ended or unknown record."""
    now = now or _now()
    record = get(engine, session_id)
    if record is None or not record.is_open:
        raise ValueError("no open session to issue a ticket for")
    ticket = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            insert(session_tickets).values(
                ticket_hash=_digest(ticket),
                session_id=session_id,
                expires_at=now + dt.timedelta(seconds=TICKET_SECONDS),
                used_at=None,
            )
        )
    return ticket


def redeem_ticket(engine: Engine, ticket: str, key: bytes, now: dt.datetime | None = None) -> str | None:
    """Exchange a ticket for the cookie of its record: the ticket is spent by one conditional
    UPDATE (of parallel redemptions exactly one wins), then a fresh token is minted and its hash
    stored on the record (a previous token of the record stops working). Returns the cookie
    value, or None when the ticket is unknown, spent, expired or its record has ended."""
    now = now or _now()
    if not ticket or len(ticket) > 128:
        return None
    hashed = _digest(ticket)
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        spent = conn.execute(
            update(session_tickets)
            .where(session_tickets.c.ticket_hash == hashed, session_tickets.c.used_at.is_(None))
            .values(used_at=now)
        ).rowcount
        if spent != 1:
            return None
        row = conn.execute(select(session_tickets).where(session_tickets.c.ticket_hash == hashed)).first()
        if row is None or as_utc(row.expires_at) < now:
            return None
        bound = conn.execute(
            update(user_sessions)
            .where(user_sessions.c.session_id == row.session_id, user_sessions.c.ended_at.is_(None))
            .values(token_hash=_digest(token))
        ).rowcount
    return cookie_value(token, key) if bound == 1 else None


# ---- the server's routes (served by dashboard.app.session_routes; named here for the page) ------

START_PATH = "_session/start"  # POST {"ticket": …}: the cookie for a ticket
END_PATH = "_session/end"  # POST: the cookie removed, once its session is over
# A header the page's own requests carry: a page of another site cannot send it without a CORS
# preflight, which these routes never answer.
REQUEST_HEADER = "X-Dashboard-Session"


def route_url(base_url_path: str | None, path: str) -> str:
    """The absolute path of a route under Streamlit's server.baseUrlPath (e.g. /_session/start,
    or /credit/_session/start behind a prefix)."""
    base = (base_url_path or "").strip("/")
    return f"/{base}/{path}" if base else f"/{path}"
