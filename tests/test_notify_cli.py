"""Reminders end to end, in real child processes (`python -m dashboard load`, `schedule --once`,
`remind`), against the robot endpoints and the SMTP server of tests/notify_kit.py on loopback:
loading the same drop twice sends each reminder once; two schedulers running at once send each
reminder once; no message carries personal data or a subject."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys

from cryptography.fernet import Fernet
from loadkit import cli, isolate, uscc, write_csv
from notify_kit import DINGTALK_SECRET, DINGTALK_TOKEN, WECOM_KEY, settings_text
from test_notify import personal_data_in

from dashboard.core import settings as settings_module
from dashboard.core.identifiers import make_resident_id
from dashboard.core.settings import DEFAULT_SETTINGS_FILE, PROJECT_DIR, Settings
from dashboard.notify import outbox
from dashboard.store import opstore

TAX_USCC = "11230400112300147B"
PERSON_ID = make_resident_id("230402", dt.date(1980, 5, 17), "123")
PERSON_NAME = "张三丰"
COMPANY = "鹤岗市兴业煤炭有限公司"


def drop(folder):
    """Two tax penalties of one company within six months (W1, routed to 市税务局), and one of a
    natural person (whose name and ID number must never reach a message)."""
    s1, s2 = uscc(1), uscc(2)
    write_csv(
        folder / "subjects.csv",
        ("uscc", "name", "status", "established_date"),
        [(s1, COMPANY, "存续", "2015-03-01"), (s2, "鹤岗市向阳商贸有限公司", "存续", "2018-05-10")],
    )
    header = (
        "decision_no",
        "party_name",
        "party_category",
        "uscc",
        "party_id_no",
        "penalty_kinds",
        "decision_date",
        "authority",
        "authority_uscc",
    )
    org = "法人及非法人组织"
    tax = "国家税务总局鹤岗市税务局"
    write_csv(
        folder / "penalties.csv",
        header,
        [
            ("鹤税罚〔2026〕1号", COMPANY, org, s1, "", "罚款", "2026-08-10", tax, TAX_USCC),
            ("鹤税罚〔2026〕2号", COMPANY, org, s1, "", "罚款", "2026-10-15", tax, TAX_USCC),
            ("鹤税罚〔2026〕3号", PERSON_NAME, "自然人", "", PERSON_ID, "罚款", "2026-10-20", tax, TAX_USCC),
            ("鹤税罚〔2026〕4号", "鹤岗市向阳商贸有限公司", org, s2, "", "罚款", "2026-11-20", tax, TAX_USCC),
        ],
    )
    return folder


def setup(monkeypatch, tmp_path, robots, smtp_server):
    settings = isolate(monkeypatch, tmp_path)
    custom = tmp_path / "settings.toml"
    custom.write_text(
        settings_text(
            DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8"),
            {
                "wecom_webhook_url": f"{robots.base}/cgi-bin/webhook/send",
                "dingtalk_webhook_url": f"{robots.base}/robot/send",
                "smtp_host": smtp_server.host,
                "smtp_port": smtp_server.port,
                "quiet_start": "00:00",
                "quiet_end": "00:00",
                "working_days_only": False,
                "overdue_time": "00:00",
                "retry_base_seconds": 0.01,
            },
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("DASHBOARD_SETTINGS", str(custom))
    monkeypatch.setenv(outbox.KEY_ENV, Fernet.generate_key().decode())
    monkeypatch.setattr(settings_module, "_cached", None)
    opstore.dispose_all()
    settings = Settings.load()
    engine = opstore.get_engine(settings)
    outbox.save_channel(engine, "tax", outbox.WECOM, "税务局信用工作群", "office", webhook=WECOM_KEY)
    outbox.save_channel(engine, "tax", outbox.EMAIL, "税务局专人邮箱", "office", recipients="xy@tax.example")
    outbox.save_channel(
        engine,
        "credit_office",
        outbox.DINGTALK,
        "信用办钉钉群",
        "office",
        webhook=DINGTALK_TOKEN,
        signing_secret=DINGTALK_SECRET,
    )
    outbox.add_contact(engine, "tax", "王小明", "13812345678", "xy@tax.example", "office")
    return dataclasses.replace(settings), engine


def sent_bodies(robots, smtp_server) -> list[str]:
    return robots.texts() + [m["Subject"] + "\n" + m.get_content() for m in smtp_server.inbox.messages]


def keys_sent(engine) -> list[str]:
    log = outbox.delivery_log(engine, outcome="sent")
    return sorted(
        f"{r}|{d}|{p}|{c}"
        for r, d, p, c in zip(log["rule"], log["department_code"], log["period"], log["channel_kind"])
    )


def assert_clean(texts):
    blob = "\n".join(texts)
    assert personal_data_in(texts) == []
    for secret in (PERSON_NAME, PERSON_ID, "13812345678", "王小明", COMPANY, "有限公司", uscc(1)):
        assert secret not in blob


def test_loading_the_same_drop_twice_sends_each_reminder_once(monkeypatch, tmp_path, robots, smtp_server):
    _, engine = setup(monkeypatch, tmp_path, robots, smtp_server)
    folder = drop(tmp_path / "drop")

    first = cli("load", str(folder))
    assert first.returncode == 0, first.stderr
    after_first = len(robots.received) + len(smtp_server.inbox.messages)
    assert {m["kind"] for m in robots.received} == {"wecom", "dingtalk"}
    r1 = [t for t in robots.texts() if "新增预警" in t]
    assert any("市税务局新增预警 1 条" in t and "多次行政处罚预警：1 条" in t for t in r1), r1
    assert any("全市新增预警" in t for t in r1)
    assert any("department=tax" in t and "month=2026-10" in t for t in r1)
    assert len(smtp_server.inbox.messages) >= 1

    second = cli("load", str(folder))
    assert second.returncode == 0, second.stderr
    assert len(robots.received) + len(smtp_server.inbox.messages) == after_first
    sent = keys_sent(engine)
    assert len(sent) == len(set(sent))
    assert_clean(sent_bodies(robots, smtp_server))


def test_two_schedulers_at_once_send_each_reminder_once(monkeypatch, tmp_path, robots, smtp_server):
    _, engine = setup(monkeypatch, tmp_path, robots, smtp_server)
    drop(tmp_path / "incoming")
    (tmp_path / "sources.toml").write_text(
        '[sources.platform_drop]\nkind = "drop"\npath = "incoming"\nmode = "full"\n'
        'schedule = { cron = "30 2 * * *", retries = 0, backoff_seconds = 1 }\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "dashboard", "schedule", "--once"]
    procs = [
        subprocess.Popen(
            command, cwd=PROJECT_DIR, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    sent = keys_sent(engine)
    assert sent, outputs
    assert len(sent) == len(set(sent))  # each (rule, department, period) once per channel
    assert {k.split("|")[0] for k in sent} >= {"R1", "R2"}
    per_channel = {}
    for text in robots.texts():
        per_channel[text] = per_channel.get(text, 0) + 1
    assert max(per_channel.values()) == 1
    # a later run (a restart, cron again) sends nothing new
    again = cli("remind")
    assert again.returncode == 0, again.stderr
    assert keys_sent(engine) == sent
    assert_clean(sent_bodies(robots, smtp_server))
