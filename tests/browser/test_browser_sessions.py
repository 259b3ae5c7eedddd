"""Sessions that survive a reload, in a real browser (issue 12 item 5; README "Sessions"): after
signing in, F5 keeps the user signed in on the same page with the same URL, a new tab and a link
from another site open signed in, and the cookie is HttpOnly, SameSite=Strict and holds no user
name; signing out, disabling the user, the idle timeout and the absolute lifetime each bring the
sign-in form back at the next reload. Idle and lifetime are reached by moving the record's times
back in the server's store (nobody waits 30 minutes)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import time

import pytest
from browser_kit import PASSWORD, exceptions, go_to, heading_texts, open_as, settle, shot
from sqlalchemy import update

from dashboard.access import audit, sessions, users
from dashboard.store import opstore

pytestmark = pytest.mark.browser

SIGN_OUT = re.compile("退出登录")


@pytest.fixture(scope="module")
def engine(app_server):
    """The server's operational store (the same SQLite file), for users and records."""
    return opstore.get_engine(app_server.settings)


def add_user(engine, app_server, name: str) -> None:
    if users.get_user(engine, name) is None:
        cheap = dataclasses.replace(app_server.settings.access, bcrypt_rounds=4)
        users.add_user(engine, name, "office", "test", password=PASSWORD, must_change_password=False, access=cheap)


def session_cookie(page, present: bool = True, timeout_s: float = 15) -> dict | None:
    """The browser's session cookie once it is there (present) or gone (not present): the page
    fetches it right after the run that signed in, asynchronously."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = [c for c in page.context.cookies() if c["name"] == sessions.COOKIE_NAME]
        if bool(found) == present or time.monotonic() > deadline:
            assert bool(found) == present, page.context.cookies()
            return found[0] if found else None
        page.wait_for_timeout(100)


def signed_in(page) -> None:
    page.get_by_role("button", name=SIGN_OUT).wait_for()
    settle(page)
    assert page.get_by_label("用户名", exact=True).count() == 0
    assert exceptions(page) == []


def sign_in_form(page) -> None:
    page.get_by_label("用户名", exact=True).wait_for()
    assert page.get_by_role("button", name=SIGN_OUT).count() == 0


def entries(engine, user: str) -> list[tuple[str, dict]]:
    log = audit.search(engine, user=user).sort_values("id")
    return [(r.action, json.loads(r.detail)) for r in log.itertuples()]


def test_reload_and_new_tabs_keep_the_session_until_sign_out(page, app_server, engine, screenshots):
    add_user(engine, app_server, "session1")
    open_as(page, app_server.url, "session1", "监测指标")
    cookie = session_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"] and cookie["expires"] == -1  # over http; gone when the browser closes
    assert "session1" not in cookie["value"]
    url, headings = page.url, heading_texts(page)
    assert "month=" in url and headings

    page.reload()  # F5: the same page, the same URL, still signed in
    signed_in(page)
    assert page.url == url and heading_texts(page) == headings
    shot(page, "session_after_reload")

    tab = page.context.new_page()  # a new tab of the same browser
    try:
        tab.goto(f"{app_server.url}/warnings")
        signed_in(tab)
        assert heading_texts(tab)[0].startswith("信用预警")
        shot(tab, "session_new_tab")
        # a link from another site (a chat, a portal): the page itself arrives without the Strict
        # cookie, but the app's websocket is a same-site request and carries it
        tab.route(
            "http://portal.example/",
            lambda route: route.fulfill(
                content_type="text/html; charset=utf-8",
                body=f'<a id="go" href="{app_server.url}/data_status">驾驶舱</a>',
            ),
        )
        tab.goto("http://portal.example/")
        tab.click("#go")
        signed_in(tab)
        assert heading_texts(tab)[0].startswith("数据状态")
    finally:
        tab.close()

    sid = next(d["session"] for a, d in entries(engine, "session1") if a == "sign_in")
    assert [(a, d) for a, d in entries(engine, "session1") if a == "session_resumed"] == [
        ("session_resumed", {"session": sid})
    ] * 3

    page.get_by_role("button", name=SIGN_OUT).click()
    sign_in_form(page)
    page.get_by_text("已退出登录。").wait_for()
    session_cookie(page, present=False)  # the page had the server remove it
    page.reload()
    sign_in_form(page)
    assert entries(engine, "session1")[-1] == ("sign_out", {"reason": "user", "session": sid})
    assert not sessions.open_sessions(engine, "session1")


def test_disabling_the_user_ends_the_session_at_the_next_reload(page, app_server, engine, screenshots):
    add_user(engine, app_server, "session2")
    open_as(page, app_server.url, "session2")
    session_cookie(page)
    page.reload()
    signed_in(page)
    users.set_disabled(engine, "session2", True, "admin1")
    page.reload()
    sign_in_form(page)
    page.get_by_text("账号已被停用或删除，请联系系统管理员。").wait_for()
    shot(page, "session_ended_disabled")
    session_cookie(page, present=False)
    action, detail = entries(engine, "session2")[-1]
    assert (action, detail["reason"], detail["by"]) == ("sign_out", "account_disabled", "admin1")


@pytest.mark.parametrize("column", ["last_seen_at", "started_at"])
def test_an_idle_or_too_old_session_ends_at_the_next_reload(page, app_server, engine, column):
    name = f"session_{column[:4]}"
    add_user(engine, app_server, name)
    open_as(page, app_server.url, name)
    session_cookie(page)
    access = app_server.settings.access
    if column == "last_seen_at":
        moved = {"last_seen_at": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=access.idle_timeout_minutes + 1)}
        notice, reason = f"超过 {access.idle_timeout_minutes} 分钟未操作，已自动退出，请重新登录。", "idle_timeout"
    else:
        moved = {"started_at": dt.datetime.now(dt.UTC) - dt.timedelta(hours=access.absolute_session_hours, minutes=1)}
        notice = f"本次登录已超过 {access.absolute_session_hours:g} 小时，为保障信息安全，请重新登录。"
        reason = "absolute_timeout"
    stored = {k: v.replace(tzinfo=None) for k, v in moved.items()}  # SQLite keeps UTC without a zone
    with engine.begin() as conn:
        conn.execute(
            update(sessions.user_sessions)
            .where(sessions.user_sessions.c.username == name, sessions.user_sessions.c.ended_at.is_(None))
            .values(**stored)
        )
    page.reload()
    sign_in_form(page)
    page.get_by_text(notice).wait_for()
    action, detail = entries(engine, name)[-1]
    assert (action, detail["reason"]) == ("sign_out", reason)
    go_back_in = page.get_by_label("用户名", exact=True)
    go_back_in.fill(name)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    signed_in(page)  # and signing in again opens a new session
    go_to(page, "数据状态")
