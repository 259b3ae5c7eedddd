"""月度反馈 (N0) under AppTest on the fixed dataset (June 2026, due 2026-07-20): a department fills
in and submits its own report, the office returns it and confirms it, the board shows who is on
time, late or missing, and every change is in the history and the audit log."""

from __future__ import annotations

import datetime as dt
import json

from dashboard.access import audit
from dashboard.core.scope import Scope
from dashboard.rules import feedback
from tests.pages_fixture import AS_OF, MONTH, app, no_errors, table, texts

CST = dt.timezone(dt.timedelta(hours=8))


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_a_department_submits_its_report(pages_env):
    at = app("tax_user", page="feedback", params={"month": MONTH})
    no_errors(at)
    shown = texts(at)
    assert "市税务局 · 2026年6月工作反馈" in shown and "未填报" in shown
    assert "反馈情况" not in shown  # no board for a department
    areas = {a.key: a for a in at.text_area}
    key = "fb_tax_2026-06"
    assert f"{key}_done_I14" in areas  # an indicator the tax bureau answers for
    areas[f"{key}_done_I14"].input("开展纳税信用修复辅导 3 场")
    areas[f"{key}_next"].input("下月完成剩余约谈")
    next(b for b in at.button if b.label == "提交市信用办").click()
    at.run()
    no_errors(at)
    assert "已提交市信用办。" in texts(at)
    report = feedback.report_of(pages_env.engine, "tax", AS_OF, Scope.all())
    assert report["status"] == "已提交" and report["updated_by"] == "tax_user"
    assert {"indicator_id": "I14", "done": "开展纳税信用修复辅导 3 场", "blockers": ""} in report["content"][
        "indicators"
    ]
    assert report["content"]["next_steps"] == "下月完成剩余约谈"
    entries = audit.search(pages_env.engine, user="tax_user", action="feedback_submitted")
    assert [json.loads(d) for d in entries["detail"]] == [{"department": "tax", "month": "2026-06"}]
    # once submitted, the form is gone: the report is shown read-only
    assert not [a for a in at.text_area if a.key.startswith(key)]


def test_an_empty_submission_is_refused_and_kept_as_draft(pages_env):
    at = app("tax_user", page="feedback", params={"month": MONTH})
    next(b for b in at.button if b.label == "提交市信用办").click()
    at.run()
    assert any("反馈内容为空" in e.value and "已保存为草稿" in e.value for e in at.error)
    assert feedback.report_of(pages_env.engine, "tax", AS_OF, Scope.all())["status"] == "草稿"


def test_the_office_returns_then_confirms(pages_env):
    feedback.submit(pages_env.engine, "tax", AS_OF, {"problems": "联系难"}, "tax_user", Scope.of("tax"))
    at = app("office", page="feedback", params={"month": MONTH, "department": "tax"})
    no_errors(at)
    assert "联系难" in texts(at)
    _button(at, "退回修改").click()
    at.run()
    assert any("退回时须写明退回原因" in e.value for e in at.error)
    next(t for t in at.text_input if t.key == "fb_reason_tax").input("请补充处置方式")
    _button(at, "退回修改").click()
    at.run()
    no_errors(at)
    assert feedback.report_of(pages_env.engine, "tax", AS_OF, Scope.all())["status"] == "已退回"
    # the department sees why, edits and submits again
    dep = app("tax_user", page="feedback", params={"month": MONTH})
    assert "市信用办退回修改：请补充处置方式" in texts(dep)
    next(a for a in dep.text_area if a.key == "fb_tax_2026-06_problems").input("联系难，已上门送达")
    next(b for b in dep.button if b.label == "提交市信用办").click()
    dep.run()
    no_errors(dep)
    at = app("office", page="feedback", params={"month": MONTH, "department": "tax"})
    _button(at, "确认").click()
    at.run()
    no_errors(at)
    assert "已确认。" in texts(at)
    history = feedback.history(pages_env.engine, "tax", AS_OF, Scope.all())
    assert history["status"].tolist() == ["已提交", "已退回", "已提交", "已确认"]
    assert history["user_name"].tolist() == ["tax_user", "office", "tax_user", "office"]
    actions = audit.search(pages_env.engine, user="office")["action"].tolist()
    assert "feedback_returned" in actions and "feedback_confirmed" in actions


def test_the_board_shows_on_time_late_and_missing(pages_env):
    engine = pages_env.engine
    on_time = dt.datetime(2026, 7, 20, 23, 30, tzinfo=CST)  # the last half hour of the due day
    late = dt.datetime(2026, 7, 21, 0, 10, tzinfo=CST)
    feedback.submit(engine, "tax", AS_OF, {"problems": "a"}, "t", Scope.of("tax"), at=on_time)
    feedback.submit(engine, "market", AS_OF, {"problems": "b"}, "m", Scope.of("market"), at=late)
    at = app("office", page="feedback", params={"month": MONTH})
    no_errors(at)
    board = table(at, "feedback_board").set_index("责任单位")
    assert board.loc["市税务局", ["反馈状态", "报送情况", "逾期天数"]].tolist() == ["已提交", "按时报送", 0]
    assert board.loc["市市场监管局", ["反馈状态", "报送情况", "逾期天数"]].tolist() == ["已提交", "逾期报送", 1]
    # every other department owing feedback has none, and June's feedback is past the end of July
    others = board.drop(index=["市税务局", "市市场监管局"])
    assert set(others["反馈状态"]) == {"未填报"} and set(others["报送情况"]) == {"未报送"}
    assert len(board) == len(feedback.departments_owing(None)) or len(board) > len(others)
    shown = texts(at)
    assert "按时报送 1" in shown and "逾期报送 1" in shown
    # the board's Excel download is offered to the office
    assert any(b.label == "下载 Excel" for b in at.get("download_button"))
