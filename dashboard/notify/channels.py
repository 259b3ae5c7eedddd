"""Sending one message on one channel, and what the channel answered.

- 企业微信 group robot (企业微信开发者中心《群机器人配置说明》): POST JSON to the webhook
  `<notify.wecom_webhook_url>?key=<key>`, `{"msgtype": "markdown", "markdown": {"content": …}}`;
  the answer is JSON `{"errcode": 0, "errmsg": "ok"}`; errcode 45009 means the robot's limit of
  20 messages a minute was hit.
- 钉钉 custom robot (钉钉开放平台《自定义机器人发送群消息》《自定义机器人安全设置》): POST JSON to
  `<notify.dingtalk_webhook_url>?access_token=<token>&timestamp=<ms>&sign=<sign>`, where sign is
  urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))); body
  `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`; errcode 0 is ok, 130101 means the
  limit of 20 messages a minute was hit (the robot is then throttled for 10 minutes).
- E-mail over SMTP (STARTTLS when `notify.smtp_starttls`), signed in with `notify.smtp_user` and
  the password from DASHBOARD_SMTP_PASSWORD.

A send never raises for a channel's failure: it returns an `Answer` saying whether it was
delivered, whether trying again may help (HTTP 5xx, a timeout, a rate limit) and the channel's
answer as text for the delivery log — which never contains the secret (the URL is not logged).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from dashboard.core.settings import Notify
from dashboard.notify.outbox import DINGTALK, EMAIL, SMTP_PASSWORD_ENV, WECOM

WECOM_RATE_LIMITED = 45009
DINGTALK_RATE_LIMITED = 130101
ANSWER_LIMIT = 500  # characters of a channel's answer kept in the log


@dataclass(frozen=True)
class Message:
    """One reminder as sent: a short title and a markdown body that ends with the link."""

    title: str
    body: str


@dataclass(frozen=True)
class Answer:
    delivered: bool
    retryable: bool
    text: str
    rate_limited: bool = False


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's signature of a request: base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret
    (not yet URL-encoded)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _post_json(url: str, payload: Mapping[str, object], timeout: float) -> tuple[int, str]:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 — http(s) from settings
            return int(response.status), response.read(64_000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(64_000).decode("utf-8", "replace") if exc.fp else ""


def _robot_answer(status: int, body: str, rate_limit_code: int) -> Answer:
    text = f"HTTP {status} {body}"[:ANSWER_LIMIT]
    if status >= 500 or status == 429:
        return Answer(False, True, text, rate_limited=status == 429)
    if status != 200:
        return Answer(False, False, text)
    try:
        errcode = int(json.loads(body).get("errcode", -1))
    except (ValueError, AttributeError):
        return Answer(False, True, text)
    if errcode == 0:
        return Answer(True, False, text)
    if errcode == rate_limit_code:
        return Answer(False, True, text, rate_limited=True)
    return Answer(False, False, text)


def _robot_call(url: str, payload: Mapping[str, object], timeout: float, rate_limit_code: int) -> Answer:
    try:
        status, body = _post_json(url, payload, timeout)
    except TimeoutError:
        return Answer(False, True, f"超时：{timeout:g} 秒内没有应答")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return Answer(False, True, f"超时：{timeout:g} 秒内没有应答")
        return Answer(False, True, f"无法连接：{reason}"[:ANSWER_LIMIT])
    except (ConnectionError, OSError) as exc:
        return Answer(False, True, f"连接中断：{exc.__class__.__name__}"[:ANSWER_LIMIT])
    return _robot_answer(status, body, rate_limit_code)


def send_wecom(settings: Notify, secret: Mapping[str, str], message: Message) -> Answer:
    url = f"{settings.wecom_webhook_url}?{urllib.parse.urlencode({'key': secret['key']})}"
    payload = {"msgtype": "markdown", "markdown": {"content": f"**{message.title}**\n{message.body}"}}
    return _robot_call(url, payload, settings.timeout_seconds, WECOM_RATE_LIMITED)


def send_dingtalk(settings: Notify, secret: Mapping[str, str], message: Message, now: float | None = None) -> Answer:
    timestamp = int((time.time() if now is None else now) * 1000)
    query = urllib.parse.urlencode(
        {
            "access_token": secret["access_token"],
            "timestamp": str(timestamp),
            "sign": dingtalk_sign(secret["secret"], timestamp),
        }
    )
    payload = {
        "msgtype": "markdown",
        "markdown": {"title": message.title, "text": f"#### {message.title}\n{message.body}"},
    }
    return _robot_call(
        f"{settings.dingtalk_webhook_url}?{query}", payload, settings.timeout_seconds, DINGTALK_RATE_LIMITED
    )


def send_email(
    settings: Notify, recipients: tuple[str, ...], message: Message, env: Mapping[str, str] | None = None
) -> Answer:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = settings.mail_from
    mail["To"] = ", ".join(recipients)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=settings.mail_from.rsplit("@", 1)[-1] or "localhost")
    mail.set_content(message.body, charset="utf-8")
    password = (os.environ if env is None else env).get(SMTP_PASSWORD_ENV, "")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, password)
            refused = smtp.send_message(mail)
    except TimeoutError:
        return Answer(False, True, f"超时：{settings.timeout_seconds:g} 秒内没有应答")
    except smtplib.SMTPRecipientsRefused as exc:
        return Answer(False, False, f"收件人被拒绝：{', '.join(exc.recipients)}"[:ANSWER_LIMIT])
    except smtplib.SMTPResponseException as exc:
        detail = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return Answer(False, exc.smtp_code < 500, f"SMTP {exc.smtp_code} {detail}"[:ANSWER_LIMIT])
    except (smtplib.SMTPException, OSError) as exc:
        return Answer(False, True, f"邮件服务器错误：{exc.__class__.__name__} {exc}"[:ANSWER_LIMIT])
    if refused:
        return Answer(True, False, f"部分收件人被拒绝：{', '.join(refused)}"[:ANSWER_LIMIT])
    return Answer(True, False, f"SMTP 250 已投递 {len(recipients)} 个收件人")


def send(
    settings: Notify,
    kind: str,
    secret: Mapping[str, str] | None,
    recipients: tuple[str, ...],
    message: Message,
    env: Mapping[str, str] | None = None,
) -> Answer:
    """Send one message on a channel of `kind` (wecom | dingtalk | email)."""
    if kind == WECOM:
        assert secret is not None
        return send_wecom(settings, secret, message)
    if kind == DINGTALK:
        assert secret is not None
        return send_dingtalk(settings, secret, message)
    if kind == EMAIL:
        return send_email(settings, recipients, message, env)
    return Answer(False, False, f"未知的渠道类型：{kind}")
