"""Sessions that survive a reload (issue 12 item 5; README "Sessions"): the session record and its
cookie (dashboard.access.sessions), the two server routes that hand the cookie to the browser
(dashboard.app.session_routes, called as ASGI apps), and the sign-in flow on the Streamlit side
(AppTest, with the browser's cookie put in by hand: AppTest has none). The real browser is in
tests/browser/test_browser_sessions.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from streamlit.testing.v1 import AppTest

from dashboard.access import audit, auth, sessions, users
from dashboard.app import session_routes
from dashboard.core import settings as settings_module
from tests.access_kit import TEST_PASSWORD, make_user, texts_of
from tests.async_kit import run_coroutine

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
KEY = b"k" * 32


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request):
    store = request.getfixturevalue("store")  # isolated settings: the audit key in tmp_path
    return store.engine if request.param == "sqlite" else request.getfixturevalue("pg_engine")


def entries(engine, action=None):
    return [
        (r.user, r.action, json.loads(r.detail))
        for r in audit.search(engine, action=action).sort_values("id").itertuples()
        if r.action in ("sign_in", "sign_out", "session_resumed")
    ]


def signed_in(engine, access, username="tax1", now=T0):
    """A session record with its cookie, as the sign-in form and the route make them."""
    record = sessions.start(engine, username, "password", access, now)
    ticket = sessions.issue_ticket(engine, record.session_id, now)
    cookie = sessions.redeem_ticket(engine, ticket, KEY, now + dt.timedelta(seconds=1))
    assert cookie is not None
    return record, cookie


def stored_rows(engine):
    with engine.connect() as conn:
        return [
            tuple(map(str, row))
            for table in (sessions.user_sessions, sessions.session_tickets)
            for row in conn.execute(select(table))
        ]


# ---- the record and its cookie ------------------------------------------------------------------


def test_a_cookie_names_its_record_by_an_opaque_token_stored_only_as_a_hash(engine, store):
    record, cookie = signed_in(engine, store.access)
    token, mac = cookie.split(".")
    assert len(token) >= 43 and "tax1" not in cookie
    found = sessions.find_by_cookie(engine, cookie, KEY)
    assert found is not None and (found.session_id, found.username, found.is_open) == (record.session_id, "tax1", True)
    with engine.connect() as conn:
        stored = conn.execute(select(sessions.user_sessions.c.token_hash)).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in value or mac in value for row in stored_rows(engine) for value in row)


def test_forged_altered_or_foreign_cookies_name_nothing(engine, store):
    _, cookie = signed_in(engine, store.access)
    token, mac = cookie.split(".")
    for bad in (
        "",
        token,  # unsigned
        f"{token}.{mac[:-1]}A" if mac[-1] != "A" else f"{token}.{mac[:-1]}B",  # altered signature
        f"{token[:-1]}x.{mac}",  # altered token
        sessions.cookie_value(token, b"another key, another deployment"),
        f"{token}.{mac}.extra",
        "税务.局",
    ):
        assert sessions.find_by_cookie(engine, bad, KEY) is None, bad
    assert sessions.find_by_cookie(engine, cookie, KEY) is not None


def test_a_ticket_is_single_use_and_expires(engine, store):
    record = sessions.start(engine, "tax1", "password", store.access, T0)
    ticket = sessions.issue_ticket(engine, record.session_id, T0)
    assert not any(ticket in value for row in stored_rows(engine) for value in row)  # stored hashed
    assert sessions.redeem_ticket(engine, "not-a-ticket", KEY, T0) is None
    first = sessions.redeem_ticket(engine, ticket, KEY, T0 + dt.timedelta(seconds=sessions.TICKET_SECONDS))
    assert first is not None
    assert sessions.redeem_ticket(engine, ticket, KEY, T0 + dt.timedelta(seconds=2)) is None  # spent
    late = sessions.issue_ticket(engine, record.session_id, T0)
    just_late = T0 + dt.timedelta(seconds=sessions.TICKET_SECONDS, microseconds=1)
    assert sessions.redeem_ticket(engine, late, KEY, just_late) is None  # expired (and now spent)
    # a new ticket of the same record replaces the token: the earlier cookie stops working
    second = sessions.redeem_ticket(engine, sessions.issue_ticket(engine, record.session_id, T0), KEY, T0)
    assert second is not None and second != first
    assert sessions.find_by_cookie(engine, first, KEY) is None
    assert sessions.find_by_cookie(engine, second, KEY).session_id == record.session_id


def test_an_ended_record_gets_no_ticket_and_no_cookie(engine, store):
    record = sessions.start(engine, "tax1", "password", store.access, T0)
    ticket = sessions.issue_ticket(engine, record.session_id, T0)
    assert sessions.end(engine, record.session_id, sessions.SIGNED_OUT, T0)
    assert sessions.redeem_ticket(engine, ticket, KEY, T0) is None
    with pytest.raises(ValueError):
        sessions.issue_ticket(engine, record.session_id, T0)


def test_parallel_redemptions_of_one_ticket_give_one_cookie(engine, store):
    record = sessions.start(engine, "tax1", "password", store.access, T0)
    ticket = sessions.issue_ticket(engine, record.session_id, T0)
    barrier = threading.Barrier(8)

    def redeem(_):
        barrier.wait()
        return sessions.redeem_ticket(engine, ticket, KEY, T0)

    with ThreadPoolExecutor(8) as pool:
        cookies = [c for c in pool.map(redeem, range(8)) if c is not None]
    assert len(cookies) == 1
    assert sessions.find_by_cookie(engine, cookies[0], KEY).session_id == record.session_id


def test_idle_timeout_and_absolute_lifetime_are_the_settings(store):
    access = store.access  # idle 30 minutes, lifetime 12 hours
    record = sessions.start(store.engine, "tax1", "password", access, T0)
    idle = dt.timedelta(minutes=access.idle_timeout_minutes)
    assert sessions.expiry(record, access, T0 + idle) is None
    assert sessions.expiry(record, access, T0 + idle + dt.timedelta(seconds=1)) == sessions.IDLE
    # kept active (a run every 20 minutes), it still ends at its lifetime
    now = T0
    while now - T0 < dt.timedelta(hours=access.absolute_session_hours) - dt.timedelta(minutes=20):
        now += dt.timedelta(minutes=20)
        assert sessions.touch(store.engine, record, now)
        record = sessions.get(store.engine, record.session_id)
        assert sessions.expiry(record, access, now) is None
    lifetime_over = T0 + dt.timedelta(hours=access.absolute_session_hours, seconds=1)
    assert sessions.expiry(record, access, lifetime_over) == sessions.LIFETIME
    shorter = dataclasses.replace(access, idle_timeout_minutes=5, absolute_session_hours=0.5)
    fresh = sessions.start(store.engine, "tax1", "password", shorter, T0)
    assert sessions.expiry(fresh, shorter, T0 + dt.timedelta(minutes=5, seconds=1)) == sessions.IDLE
    sessions.touch(store.engine, fresh, T0 + dt.timedelta(minutes=4))
    fresh = sessions.get(store.engine, fresh.session_id)
    assert sessions.expiry(fresh, shorter, T0 + dt.timedelta(minutes=8)) is None
    assert sessions.expiry(fresh, shorter, T0 + dt.timedelta(minutes=31)) == sessions.IDLE
    sessions.touch(store.engine, fresh, T0 + dt.timedelta(minutes=28))
    fresh = sessions.get(store.engine, fresh.session_id)
    assert sessions.expiry(fresh, shorter, T0 + dt.timedelta(minutes=31)) == sessions.LIFETIME


def test_activity_is_written_at_most_once_a_minute(store):
    record = sessions.start(store.engine, "tax1", "password", store.access, T0)
    assert not sessions.touch(store.engine, record, T0 + dt.timedelta(seconds=sessions.TOUCH_SECONDS - 1))
    assert sessions.touch(store.engine, record, T0 + dt.timedelta(seconds=sessions.TOUCH_SECONDS))
    assert sessions.get(store.engine, record.session_id).last_seen_at == T0 + dt.timedelta(seconds=60)


def test_abandoned_sessions_end_at_the_next_sign_in_with_their_reason(store):
    access = store.access
    idle = sessions.start(store.engine, "tax1", "password", access, T0)
    busy = sessions.start(store.engine, "office1", "password", access, T0)
    later = T0 + dt.timedelta(hours=access.absolute_session_hours, minutes=1)
    sessions.touch(store.engine, busy, later - dt.timedelta(minutes=1))
    sessions.start(store.engine, "market1", "password", access, later)
    assert (
        sessions.get(store.engine, idle.session_id).end_reason,
        sessions.get(store.engine, busy.session_id).end_reason,
    ) == (
        sessions.IDLE,
        sessions.LIFETIME,
    )
    assert entries(store.engine, "sign_out") == [
        ("tax1", "sign_out", {"reason": "idle_timeout", "session": idle.session_id, "idle_minutes": 30}),
        ("office1", "sign_out", {"reason": "absolute_timeout", "session": busy.session_id, "session_hours": 12}),
    ]
    assert [r.username for r in sessions.open_sessions(store.engine)] == ["market1"]


def test_sign_out_ends_the_record_once(engine, store):
    record, cookie = signed_in(engine, store.access)
    assert sessions.end(engine, record.session_id, sessions.SIGNED_OUT, T0)
    assert not sessions.end(engine, record.session_id, sessions.IDLE, T0)  # a second tab, a sweep: nothing
    found = sessions.find_by_cookie(engine, cookie, KEY)
    assert (found.is_open, found.end_reason) == (False, "user")
    assert entries(engine, "sign_out") == [("tax1", "sign_out", {"reason": "user", "session": record.session_id})]
    with pytest.raises(ValueError):
        sessions.end(engine, record.session_id, "whatever")


def test_disabling_changing_the_role_or_resetting_the_password_ends_the_users_sessions(engine, store):
    for name in ("tax1", "tax2", "tax3"):
        make_user(engine, name, "department", ["tax"])
    one, _ = signed_in(engine, store.access, "tax1")
    two, _ = signed_in(engine, store.access, "tax1")
    other, _ = signed_in(engine, store.access, "tax2")
    third, _ = signed_in(engine, store.access, "tax3")
    users.set_disabled(engine, "tax1", True, "admin1")
    assert [sessions.get(engine, r.session_id).end_reason for r in (one, two, other)] == [
        "account_disabled",
        "account_disabled",
        None,
    ]
    users.set_disabled(engine, "tax1", False, "admin1")
    assert sessions.get(engine, one.session_id).end_reason == "account_disabled"  # never revived
    users.set_role(engine, "tax2", "department", "admin1", departments=["tax"])  # nothing changes
    assert sessions.get(engine, other.session_id).is_open
    users.set_role(engine, "tax2", "department", "admin1", departments=["market"])
    assert sessions.get(engine, other.session_id).end_reason == "role_changed"
    users.reset_password(engine, "tax3", "admin1", access=store.access)
    assert sessions.get(engine, third.session_id).end_reason == "password_reset"
    ended = [(u, d["reason"], d.get("by")) for u, _, d in entries(engine, "sign_out")]
    assert ended == [
        ("tax1", "account_disabled", "admin1"),
        ("tax1", "account_disabled", "admin1"),
        ("tax2", "role_changed", "admin1"),
        ("tax3", "password_reset", "admin1"),
    ]


def test_the_signing_key_follows_the_audit_key(store, monkeypatch):
    key = sessions.signing_key(store.settings)
    assert key == sessions.signing_key(store.settings) and len(key) == 32
    assert key != audit.keyring(store.settings).current  # derived, not the audit key itself
    monkeypatch.setenv("DASHBOARD_AUDIT_KEY", "r" * 40)
    assert sessions.signing_key(store.settings) != key  # a new audit key: every cookie is refused


def test_route_urls_follow_the_base_url_path():
    assert sessions.route_url("", sessions.START_PATH) == "/_session/start"
    assert sessions.route_url("/credit/", sessions.END_PATH) == "/credit/_session/end"
    assert [r.path for r in session_routes.routes("credit")] == ["/credit/_session/start", "/credit/_session/end"]


# ---- the server routes ------------------------------------------------------------------------


def call(path: str, body: bytes = b"", headers: dict[str, str] | None = None, scheme: str = "http"):
    """One request to the session routes as the ASGI server would make it: (status, headers)."""
    app = Starlette(routes=session_routes.routes(""))
    sent: list[dict] = []
    raw = [(b"host", b"dash.example:8501")] + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": raw,
        "server": ("dash.example", 8501),
        "client": ("127.0.0.1", 50000),
    }

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    run_coroutine(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], [(k.decode(), v.decode()) for k, v in start["headers"]]


PAGE = {"X-Dashboard-Session": "1", "Origin": "http://dash.example:8501", "Sec-Fetch-Site": "same-origin"}


def ticket_body(store, username="tax1"):
    record = sessions.start(store.engine, username, "password", store.access)
    return record, json.dumps({"ticket": sessions.issue_ticket(store.engine, record.session_id)}).encode()


def set_cookie(headers) -> str | None:
    values = [v for k, v in headers if k == "set-cookie" and v.startswith(sessions.COOKIE_NAME + "=")]
    return values[0] if values else None


def test_the_start_route_answers_a_ticket_with_an_httponly_strict_cookie(store):
    record, body = ticket_body(store)
    status, headers = call("/_session/start", body, PAGE)
    header = set_cookie(headers)
    assert status == 204 and header is not None
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"httponly", "samesite", "path"} <= attributes and "secure" not in attributes
    assert "samesite=strict" in header.lower() and "path=/" in header.lower()
    assert not {"expires", "max-age"} & attributes  # a browser-session cookie
    morsel = SimpleCookie(header)[sessions.COOKIE_NAME]
    found = sessions.find_by_cookie(store.engine, morsel.value, sessions.signing_key(store.settings))
    assert found.session_id == record.session_id
    assert dict(headers)["cache-control"] == "no-store"
    assert call("/_session/start", body, PAGE)[0] == 403  # the ticket was spent


def test_the_cookie_is_secure_over_https_behind_the_proxy_or_by_the_setting(store, monkeypatch):
    _, body = ticket_body(store)
    assert "secure" in set_cookie(call("/_session/start", body, PAGE, scheme="https")[1]).lower()
    _, body = ticket_body(store)
    proxied = {**PAGE, "X-Forwarded-Proto": "https"}
    assert "secure" in set_cookie(call("/_session/start", body, proxied)[1]).lower()
    forced = dataclasses.replace(store.settings, access=dataclasses.replace(store.access, secure_cookie=True))
    monkeypatch.setattr(settings_module, "_cached", forced)
    _, body = ticket_body(store)
    assert "secure" in set_cookie(call("/_session/start", body, PAGE)[1]).lower()


def test_the_routes_refuse_requests_the_page_did_not_make(store):
    record, body = ticket_body(store)
    for headers in (
        {},  # a form posted by another site cannot add the header
        {**PAGE, "X-Dashboard-Session": "0"},
        {**PAGE, "Origin": "http://evil.example"},
        {**PAGE, "Sec-Fetch-Site": "cross-site"},
        {**PAGE, "Sec-Fetch-Site": "same-site"},
    ):
        status, headers_out = call("/_session/start", body, headers)
        assert (status, set_cookie(headers_out)) == (403, None), headers
    for bad in (b"", b"not json", b'{"ticket": 7}', b'{"nothing": "x"}', b'{"ticket": "' + b"x" * 2000 + b'"}'):
        assert call("/_session/start", bad, PAGE)[0] == 403
    assert call("/_session/start", body, PAGE)[0] == 204  # the ticket was never spent by the refusals
    assert sessions.get(store.engine, record.session_id).has_token


def test_the_end_route_removes_only_the_cookie_of_a_session_that_is_over(store):
    record, body = ticket_body(store)
    live = SimpleCookie(set_cookie(call("/_session/start", body, PAGE)[1]))[sessions.COOKIE_NAME].value
    sent = {**PAGE, "Cookie": f"{sessions.COOKIE_NAME}={live}"}
    status, headers = call("/_session/end", b"", sent)
    assert (status, set_cookie(headers)) == (204, None)  # a live session keeps its cookie…
    assert sessions.get(store.engine, record.session_id).is_open  # …and is not ended by the route
    assert call("/_session/end", b"", {"Cookie": f"{sessions.COOKIE_NAME}={live}"})[0] == 403
    sessions.end(store.engine, record.session_id, sessions.SIGNED_OUT)
    status, headers = call("/_session/end", b"", sent)
    assert status == 204 and "max-age=0" in set_cookie(headers).lower()
    forged = {**PAGE, "Cookie": f"{sessions.COOKIE_NAME}={'x' * 43}.{'y' * 43}"}
    assert "max-age=0" in set_cookie(call("/_session/end", b"", forged)[1]).lower()  # names nothing: removed


# ---- the sign-in flow in the app (AppTest) --------------------------------------------------------


def probe_script():
    from dashboard.access import auth

    viewer = auth.require_viewer()
    auth.session_cookie_bridge()
    auth.sign_out_button(viewer)
    import streamlit as st

    st.markdown(f"VIEWER {viewer.username}")


def new_tab(monkeypatch, cookie: str | None):
    """A new Streamlit session of a browser holding `cookie` (AppTest has no browser)."""
    monkeypatch.setattr(auth, "_browser_cookie", lambda: cookie)
    return AppTest.from_function(probe_script, default_timeout=30)


def body(at) -> str:
    return "\n".join(texts_of(at))


def sign_in_with_form(at, username="tax1"):
    at.text_input(key="_auth_username").input(username)
    at.text_input(key="_auth_password").input(TEST_PASSWORD)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


def redeem_pending(store, at) -> str:
    """What the page's script does with the pending ticket: post it to /_session/start."""
    pending = at.session_state[auth._COOKIE_KEY]
    cookie = sessions.redeem_ticket(store.engine, pending["ticket"], sessions.signing_key(store.settings))
    assert cookie is not None
    return cookie


def test_form_sign_in_opens_a_record_and_asks_the_page_for_its_cookie(store, monkeypatch):
    make_user(store.engine, "tax1", "department", ["tax"])
    at = sign_in_with_form(new_tab(monkeypatch, None).run())
    assert "VIEWER tax1" in body(at)
    sid = at.session_state[auth.SESSION_KEY]["session"]
    record = sessions.get(store.engine, sid)
    assert record.is_open and not record.has_token
    scripts = [h.proto.body for h in at.get("html") if "_session/start" in h.proto.body]
    assert len(scripts) == 1 and at.session_state[auth._COOKIE_KEY]["ticket"] in scripts[0]
    assert entries(store.engine)[-1] == ("tax1", "sign_in", {"method": "password", "session": sid})
    redeem_pending(store, at)
    at.run()  # the record has its cookie: the page is not asked again
    assert auth._COOKIE_KEY not in at.session_state
    assert not [h for h in at.get("html") if "_session/start" in h.proto.body]


def test_a_new_tab_with_the_cookie_resumes_the_session_once(store, monkeypatch):
    make_user(store.engine, "tax1", "department", ["tax"])
    first = sign_in_with_form(new_tab(monkeypatch, None).run())
    cookie = redeem_pending(store, first)
    sid = first.session_state[auth.SESSION_KEY]["session"]
    tab = new_tab(monkeypatch, cookie).run()
    assert "VIEWER tax1" in body(tab) and not tab.text_input
    tab.run()
    tab.run()
    assert [a for _, a, _ in entries(store.engine)] == ["sign_in", "session_resumed"]
    assert entries(store.engine)[-1] == ("tax1", "session_resumed", {"session": sid})
    # a stranger's cookie gets the sign-in screen
    stranger = new_tab(monkeypatch, sessions.cookie_value("x" * 43, sessions.signing_key(store.settings))).run()
    assert "VIEWER" not in body(stranger) and [t.label for t in stranger.text_input] == ["用户名", "密码"]


def test_sign_out_in_one_tab_ends_the_others_and_the_cookie_is_removed(store, monkeypatch):
    make_user(store.engine, "tax1", "department", ["tax"])
    first = sign_in_with_form(new_tab(monkeypatch, None).run())
    cookie = redeem_pending(store, first)
    second = new_tab(monkeypatch, cookie).run()
    first.session_state["_param_department"] = "tax"  # a filter the user chose
    next(b for b in first.sidebar.button if b.label == "退出登录").click()
    first.run()
    assert "VIEWER" not in body(first) and "已退出登录。" in body(first)
    assert "_param_department" not in first.session_state  # nothing of theirs for the next user
    assert [h for h in first.get("html") if "_session/end" in h.proto.body]  # the page removes the cookie
    second.run()
    assert "VIEWER" not in body(second) and "已退出登录。" in body(second)
    assert "VIEWER" not in body(new_tab(monkeypatch, cookie).run())  # a reload after sign-out
    sid = first.session_state.get(auth.SESSION_KEY)
    assert sid is None
    assert [a for _, a, _ in entries(store.engine)] == ["sign_in", "session_resumed", "sign_out"]


@pytest.mark.parametrize("why", ["idle", "lifetime", "disabled"])
def test_a_resumed_session_ends_when_idle_past_its_lifetime_or_disabled(store, monkeypatch, why):
    make_user(store.engine, "tax1", "department", ["tax"])
    first = sign_in_with_form(new_tab(monkeypatch, None).run())
    cookie = redeem_pending(store, first)
    access = store.access
    now = dt.datetime.now(dt.UTC)
    if why == "idle":
        later = now + dt.timedelta(minutes=access.idle_timeout_minutes, seconds=61)
        notice, detail = "超过 30 分钟未操作，已自动退出，请重新登录。", {"idle_minutes": 30}
    elif why == "lifetime":
        later = now + dt.timedelta(hours=access.absolute_session_hours, seconds=1)
        # active all along: another tab noted activity a minute ago
        sessions.touch(
            store.engine,
            sessions.get(store.engine, first.session_state[auth.SESSION_KEY]["session"]),
            later - dt.timedelta(minutes=1),
        )
        notice, detail = "本次登录已超过 12 小时，为保障信息安全，请重新登录。", {"session_hours": 12}
    else:
        later = now
        users.set_disabled(store.engine, "tax1", True, "admin1")
        notice, detail = "账号已被停用或删除，请联系系统管理员。", {"by": "admin1"}
    monkeypatch.setattr(auth, "_now", lambda: later)
    tab = new_tab(monkeypatch, cookie).run()  # a reload
    assert "VIEWER" not in body(tab) and notice in body(tab)
    assert [h for h in tab.get("html") if "_session/end" in h.proto.body]
    reason = {"idle": "idle_timeout", "lifetime": "absolute_timeout", "disabled": "account_disabled"}[why]
    sid = first.session_state[auth.SESSION_KEY]["session"]
    assert entries(store.engine, "sign_out") == [("tax1", "sign_out", {"reason": reason, "session": sid, **detail})]
    first.run()  # the tab that signed in ends too, without a second entry
    assert "VIEWER" not in body(first) and len(entries(store.engine, "sign_out")) == 1


def test_served_without_the_routes_the_page_stops_asking_after_a_few_tickets(store, monkeypatch):
    make_user(store.engine, "tax1", "department", ["tax"])
    at = sign_in_with_form(new_tab(monkeypatch, None).run())
    start = dt.datetime.now(dt.UTC)
    tickets = {at.session_state[auth._COOKIE_KEY]["ticket"]}
    for step in range(1, 6):  # nobody redeems them (AppTest serves no routes)
        later = start + dt.timedelta(seconds=step * sessions.TICKET_SECONDS)
        monkeypatch.setattr(auth, "_now", lambda later=later: later)
        at.run()
        tickets.add(at.session_state[auth._COOKIE_KEY]["ticket"])
    assert len(tickets) == auth.MAX_TICKETS
    assert "VIEWER tax1" in body(at)  # the session itself goes on, for this Streamlit session
    assert not [h for h in at.get("html") if "_session/start" in h.proto.body]
