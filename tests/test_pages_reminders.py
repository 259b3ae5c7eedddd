"""The 提醒设置 page (AppTest): the office edits a department's contacts and channels (secrets shown
masked only), sends a test message to the robot on loopback, reads and filters the delivery log;
a department user may not open it but sees the reminders its department got on 信用预警."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from notify_kit import WECOM_KEY, notify_settings
from pages_fixture import app, no_errors, texts

from dashboard.access import audit
from dashboard.core import settings as settings_module
from dashboard.notify import dispatch, events, outbox


@pytest.fixture
def env(pages_env, robots, monkeypatch):
    monkeypatch.setenv(outbox.KEY_ENV, Fernet.generate_key().decode())
    monkeypatch.setattr(settings_module, "_cached", notify_settings(pages_env.settings, robots))
    return pages_env


def widget(items, label):
    found = [w for w in items if w.label == label]
    assert found, f"no widget {label!r}: {[w.label for w in items]}"
    return found[0]


def click(at, label):
    widget(at.button, label).click()
    return at.run()


def everything(at) -> str:
    shown = [texts(at)]
    for frame in at.dataframe:
        shown.append(frame.value.to_csv(index=False))
    return "\n".join(shown)


def test_office_adds_a_contact_and_a_robot_sends_a_test_and_reads_the_log(env, robots):
    at = app("office", "reminders", {"department": "tax"})
    no_errors(at)
    assert "市税务局 · 信用工作专人" in texts(at)

    widget(at.text_input, "姓名").input("王小明")
    widget(at.text_input, "联系电话").input("138 1234 5678")
    widget(at.text_input, "电子邮箱").input("wxm@tax.example")
    at = click(at, "保存专人")
    no_errors(at)
    assert "已新增 市税务局 的专人" in texts(at)
    contacts = at.dataframe[0].value
    assert contacts[["姓名", "联系电话"]].values.tolist() == [["王小明", "13812345678"]]

    widget(at.selectbox, "渠道类型").set_value(outbox.WECOM)
    widget(at.text_input, "名称（如：信用工作群）").input("税务局信用工作群")
    widget(at.text_input, "机器人 Webhook 地址或其密钥（企业微信 key、钉钉 access_token 的值）").input(
        f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}"
    )
    at = click(at, "保存渠道")
    no_errors(at)
    channels = at.dataframe[1].value
    assert channels[["渠道", "名称", "接收地址/密钥"]].values.tolist() == [
        ["企业微信群机器人", "税务局信用工作群", "****5aaa"]
    ]
    assert WECOM_KEY not in everything(at)

    at = click(at, "测试发送")
    no_errors(at)
    assert any("测试消息已发送" in s.value for s in at.success)
    assert len(robots.received) == 1 and "测试" in robots.received[0]["payload"]["markdown"]["content"]

    log = at.dataframe[2].value
    assert log[["提醒", "责任单位", "渠道", "结果"]].values.tolist() == [
        ["测试发送", "市税务局", "企业微信群机器人", "已发送"]
    ]
    assert '"errcode": 0' in log["渠道应答"].iloc[0]
    assert {b.label for b in at.get("download_button")} >= {"下载 Excel", "下载 CSV"}
    widget(at.selectbox, "结果").set_value(outbox.OUTCOME_FAILED)
    at.run()
    assert at.dataframe[2].value.empty
    assert WECOM_KEY not in everything(at)
    changes = audit.search(env.engine, action="reminder_contacts_changed")
    assert len(changes) == 2 and all(WECOM_KEY not in d for d in changes["detail"])


def test_bad_input_shows_a_chinese_message_and_stores_nothing(env):
    at = app("office", "reminders", {"department": "tax"})
    widget(at.selectbox, "渠道类型").set_value(outbox.EMAIL)
    widget(at.text_area, "收件人电子邮箱（电子邮件渠道，逗号或换行分隔）").input("wxm at tax")
    at = click(at, "保存渠道")
    assert any("电子邮箱地址格式不正确" in e.value for e in at.error)
    assert outbox.channels_of(env.engine) == []


def test_a_department_user_cannot_open_the_page_but_sees_its_reminders(env, robots):
    at = app("tax_user", "reminders")  # roles.toml: not a department's page; the link falls back
    assert "提醒设置" not in [t.value for t in at.title]

    outbox.save_channel(env.engine, "tax", outbox.WECOM, "群", "office", webhook=WECOM_KEY)
    outbox.save_channel(env.engine, "market", outbox.WECOM, "群", "office", webhook=WECOM_KEY)
    settings = settings_module.get_settings()
    link = events.page_link(settings, events.WARNINGS_PATH, month="2026-06", department="tax")
    mine = events.Event("R2", "tax", "2026-07-01", "【超期提醒】市税务局2 条预警超期未处置", f"[查看]({link})", link)
    other = events.Event("R2", "market", "2026-07-01", "【超期提醒】市市场监管局1 条预警超期未处置", "x", "y")
    report = dispatch.Report()
    dispatch.queue(env.engine, settings, [mine, other], dispatch.utc_now(), report)
    dispatch.deliver_due(env.engine, settings, report)
    assert report.sent == 2

    at = app("tax_user", "warnings", {"month": "2026-06"})
    no_errors(at)
    recent = [f.value for f in at.dataframe if "提醒" in f.value.columns]
    assert len(recent) == 1
    assert recent[0][["提醒", "内容"]].values.tolist() == [["预警超期未处置", "【超期提醒】市税务局2 条预警超期未处置"]]
    assert recent[0]["链接"].iloc[0].endswith("/warnings?month=2026-06&department=tax")
    office = app("office", "warnings", {"month": "2026-06"})
    assert not [f for f in office.dataframe if "提醒" in f.value.columns]
