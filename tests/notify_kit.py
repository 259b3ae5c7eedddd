"""Real local servers on loopback for the reminder tests (registered by tests/conftest.py):

- `robots`: one HTTP server (http.server in a thread) implementing the 企业微信 group robot
  (POST /cgi-bin/webhook/send?key=…) and the 钉钉 custom robot (POST /robot/send?access_token=…&
  timestamp=…&sign=…) as their public docs specify: JSON bodies with msgtype text / markdown, the
  answer {"errcode": …, "errmsg": …}; 钉钉's signature is verified (HMAC-SHA256 of
  "timestamp\\nsecret", base64, timestamp within an hour), a wrong key or signature is refused
  (93000 / 310000), and each robot allows 20 messages a minute (then 45009 / 130101). A test can
  script failures: `robots.plan.append("500" | "ratelimit" | "timeout")` applies to the next request.
- `smtp_server`: aiosmtpd on loopback, keeping every message it receives.
"""

from __future__ import annotations

import base64
import dataclasses
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller

WECOM_KEY = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_TOKEN = "d1b2c3d4e5f6a7b8c9d0"
DINGTALK_SECRET = "SECb6f1c0d2e3a4f5061728394a5b6c7d8e9f00112233445566778899aabbccdd"
PER_MINUTE = 20


class RobotServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), RobotHandler)
        self.plan: deque[str] = deque()
        self.received: list[dict] = []  # accepted messages: kind, payload
        self.requests: list[dict] = []  # every request: kind, query, answer
        self.recent: dict[str, deque[float]] = {"wecom": deque(), "dingtalk": deque()}
        self.lock = threading.Lock()
        self.timeout_sleep = 2.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def texts(self) -> list[str]:
        out = []
        for m in self.received:
            body = m["payload"].get(m["payload"]["msgtype"], {})
            out.append(json.dumps(body, ensure_ascii=False))
        return out


class RobotHandler(BaseHTTPRequestHandler):
    server: RobotServer

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _answer(self, status: int, payload: dict | None = None, text: str = "") -> None:
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if payload is not None else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802 — http.server's naming
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        kind = {"/cgi-bin/webhook/send": "wecom", "/robot/send": "dingtalk"}.get(url.path)
        srv = self.server
        with srv.lock:
            step = srv.plan.popleft() if srv.plan else "ok"
        srv.requests.append({"kind": kind, "query": query, "step": step})
        if kind is None:
            return self._answer(404, text="not found")
        if step == "500":
            return self._answer(500, text="Internal Server Error")
        if step == "timeout":
            time.sleep(srv.timeout_sleep)
            return self._answer(200, {"errcode": 0, "errmsg": "ok"})
        limited = 45009 if kind == "wecom" else 130101
        if step == "ratelimit":
            return self._answer(200, {"errcode": limited, "errmsg": "api freq out of limit"})
        if kind == "wecom" and query.get("key") != WECOM_KEY:
            return self._answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
        if kind == "dingtalk":
            if query.get("access_token") != DINGTALK_TOKEN:
                return self._answer(200, {"errcode": 300001, "errmsg": "token is not exist"})
            try:
                stamp = int(query["timestamp"])
            except (KeyError, ValueError):
                return self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
            expected = base64.b64encode(
                hmac.new(DINGTALK_SECRET.encode(), f"{stamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256).digest()
            ).decode()
            if abs(time.time() * 1000 - stamp) > 3600_000 or query.get("sign") != expected:
                return self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
        try:
            payload = json.loads(raw.decode("utf-8"))
        except ValueError:
            return self._answer(200, {"errcode": 40008, "errmsg": "invalid message type"})
        msgtype = payload.get("msgtype")
        if msgtype not in ("text", "markdown"):
            return self._answer(200, {"errcode": 40008, "errmsg": "invalid message type"})
        if kind == "dingtalk" and msgtype == "markdown" and not payload["markdown"].get("title"):
            return self._answer(200, {"errcode": 40035, "errmsg": "缺少参数 title"})
        now = time.monotonic()
        with srv.lock:
            window = srv.recent[kind]
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= PER_MINUTE:
                return self._answer(200, {"errcode": limited, "errmsg": "send too fast"})
            window.append(now)
            srv.received.append({"kind": kind, "payload": payload})
        return self._answer(200, {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def robots():
    server = RobotServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class _Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's naming
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    with socket.socket() as probe:  # a free port (the controller's ready check cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield SimpleNamespace(host="127.0.0.1", port=port, inbox=inbox)
    controller.stop()


def notify_settings(settings, robots=None, smtp=None, **changes):
    """`settings` with the robots' endpoints and the SMTP server on loopback, no quiet hours, any
    day, fast retries; `changes` override [notify] keys."""
    values = dict(
        quiet_start="00:00",
        quiet_end="00:00",
        working_days_only=False,
        retry_base_seconds=0.01,
        timeout_seconds=1.0,
        public_base_url="http://dashboard.example:8501",
    )
    if robots is not None:
        values.update(
            wecom_webhook_url=f"{robots.base}/cgi-bin/webhook/send", dingtalk_webhook_url=f"{robots.base}/robot/send"
        )
    if smtp is not None:
        values.update(smtp_host=smtp.host, smtp_port=smtp.port)
    values.update(changes)
    return dataclasses.replace(settings, notify=dataclasses.replace(settings.notify, **values))


def settings_text(base_text: str, notify_values: dict) -> str:
    """settings.toml text with [notify] keys replaced (for child processes)."""
    lines = base_text.splitlines()
    out, section = [], None
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
        if section == "[notify]" and "=" in stripped and not stripped.startswith("#"):
            key = stripped.split("=", 1)[0].strip()
            if key in notify_values:
                out.append(f"{key} = {json.dumps(notify_values[key])}")
                continue
        out.append(line)
    return "\n".join(out) + "\n"
