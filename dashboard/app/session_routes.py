"""The two HTTP routes of the session cookie, served beside Streamlit's own (dashboard/app/main.py
hands them to st.App; README "Sessions").

A script run cannot answer with a Set-Cookie header, and a cookie written by the page's JavaScript
could not be HttpOnly. So after a password check the script issues a one-time ticket
(dashboard.access.sessions.issue_ticket) and the page posts it here:

- `POST /_session/start` with `{"ticket": "…"}` → 204 and the cookie (HttpOnly, SameSite=Strict,
  Path=/, no expiry date: it ends with the browser; Secure over https or with settings [access]
  secure_cookie), or 403 for an unknown, spent or expired ticket.
- `POST /_session/end` → 204, the cookie removed when the session it names is over (the script
  ended the record before asking). It never ends a session itself, so it cannot be used to sign
  anybody out, nor remove the cookie of a sign-in made a moment later in another tab.

Both refuse (403) a request the page did not make: it must carry the X-Dashboard-Session header
(another site cannot send it without a CORS preflight, which is never answered), and the Origin
and Sec-Fetch-Site headers, when the browser sends them, must say same origin. Nothing redirects,
so there is no redirect to abuse.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.access import sessions
from dashboard.core.settings import get_settings
from dashboard.store.opstore import get_engine

MAX_BODY_BYTES = 1024


def _same_origin(request: Request) -> bool:
    if request.headers.get(sessions.REQUEST_HEADER) != "1":
        return False
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def is_https(request: Request) -> bool:
    """Whether the browser reached us over https: directly, or through a proxy that says so."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _set_cookie(response: Response, request: Request, value: str | None) -> None:
    secure = get_settings().access.secure_cookie or is_https(request)
    if value is None:
        response.delete_cookie(sessions.COOKIE_NAME, path="/", secure=secure, httponly=True, samesite="strict")
    else:
        response.set_cookie(sessions.COOKIE_NAME, value, path="/", secure=secure, httponly=True, samesite="strict")


def _refused() -> Response:
    return Response(status_code=403, headers={"Cache-Control": "no-store"})


def _redeem(ticket: str) -> str | None:
    settings = get_settings()
    return sessions.redeem_ticket(get_engine(settings), ticket, sessions.signing_key(settings))


def _is_over(cookie: str) -> bool:
    settings = get_settings()
    record = sessions.find_by_cookie(get_engine(settings), cookie, sessions.signing_key(settings))
    return record is None or not record.is_open


async def start(request: Request) -> Response:
    """The cookie for a ticket (single use): 204 with Set-Cookie, else 403."""
    if not _same_origin(request):
        return _refused()
    body = await request.body()
    try:
        ticket = json.loads(body)["ticket"] if len(body) <= MAX_BODY_BYTES else None
    except (ValueError, KeyError, TypeError):
        ticket = None
    if not isinstance(ticket, str):
        return _refused()
    value = await run_in_threadpool(_redeem, ticket)  # the store is synchronous: off the event loop
    if value is None:
        return _refused()
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    _set_cookie(response, request, value)
    return response


async def end(request: Request) -> Response:
    """Remove the cookie once its session is over (204); a live session's cookie is kept."""
    if not _same_origin(request):
        return _refused()
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    cookie = request.cookies.get(sessions.COOKIE_NAME)
    over: bool = await run_in_threadpool(_is_over, cookie) if cookie else False
    if over:
        _set_cookie(response, request, None)
    return response


def routes(base_url_path: str | None = None) -> list[Route]:
    """The routes, under Streamlit's server.baseUrlPath (read from its config when not given)."""
    if base_url_path is None:
        base_url_path = st.get_option("server.baseUrlPath")
    return [
        Route(sessions.route_url(base_url_path, sessions.START_PATH), start, methods=["POST"]),
        Route(sessions.route_url(base_url_path, sessions.END_PATH), end, methods=["POST"]),
    ]
