"""Rule N0 (docs/rules.md): the monthly feedback — due date, timeliness on both sides of every
boundary, the status flow with its history, and a department's scope — on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import create_engine

from dashboard.core.scope import Scope
from dashboard.core.settings import Feedback, get_settings
from dashboard.rules import feedback
from dashboard.rules.feedback import FeedbackAccessError

CST = dt.timezone(dt.timedelta(hours=8))
NOV = dt.date(2026, 11, 30)
OFFICE = Scope.all()
TAX = Scope.of("tax")
MARKET = Scope.of("market")
CONTENT = {
    "indicators": [{"indicator_id": "I14", "done": "开展纳税信用修复辅导 3 场", "blockers": ""}],
    "warnings": [{"warning_type": "W3", "n_handled": "4", "how": "约谈 4 户"}],
    "problems": "部分企业联系不上",
    "next_steps": "下月完成剩余约谈",
}


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment in China's time zone (deadlines end at 24:00 local)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    yield engine
    engine.dispose()


def test_due_date_is_the_20th_of_the_next_month_even_on_a_weekend():
    # 2026-12-20 is a Sunday: the date stands (a deadline is a date)
    assert dt.date(2026, 12, 20).isoweekday() == 7
    assert feedback.due_date(NOV) == dt.date(2026, 12, 20)
    assert feedback.due_date("2026-12") == dt.date(2027, 1, 20)
    assert feedback.missing_after(NOV) == dt.date(2026, 12, 31)
    later = dataclasses.replace(get_settings(), feedback=Feedback(due_day=31))
    assert feedback.due_date("2027-01", later) == dt.date(2027, 2, 28)  # clamped to February


def test_timeliness_on_both_sides_of_each_boundary():
    due = dt.date(2026, 12, 20)
    t = feedback.timeliness
    assert t(NOV, at(due, 23, 59), due) == feedback.ON_TIME  # 23:59 local on the due day
    assert t(NOV, at(due + dt.timedelta(days=1), 0, 1), due) == feedback.LATE
    # 2026-12-20 16:30 UTC is already 12-21 00:30 in China: late
    assert t(NOV, dt.datetime(2026, 12, 20, 16, 30, tzinfo=dt.UTC), due) == feedback.LATE
    assert t(NOV, at(dt.date(2026, 12, 31)), due) == feedback.LATE
    assert t(NOV, at(dt.date(2027, 1, 1)), dt.date(2027, 1, 1)) == feedback.MISSING  # none by the end of M+1
    assert t(NOV, None, due) == feedback.PENDING
    assert t(NOV, None, due + dt.timedelta(days=1)) == feedback.OVERDUE
    assert t(NOV, None, dt.date(2026, 12, 31)) == feedback.OVERDUE
    assert t(NOV, None, dt.date(2027, 1, 1)) == feedback.MISSING


def test_departments_owing_and_indicators_owned():
    counts = pd.DataFrame(
        {"department_code": ["court", "credit_office", None], "warning_type": ["W4", "W1", "W1"], "n_open": [2, 0, 3]}
    )
    owing = feedback.departments_owing(counts)
    assert "court" in owing and "tax" in owing and "education" in owing  # '*' = every 双公示 unit
    assert "credit_office" not in owing  # no indicator, no warning in force
    assert feedback.indicators_owned("tax") == [
        "I02a",
        "I04a",
        "I04b",
        "I04c",
        "I05",
        "I08a",
        "I08b",
        "I10a",
        "I10b",
        "I12",
        "I14",
        "I15a",
        "I15b",
        "I15c",
    ]
    assert feedback.indicators_owned("court") == ["I12", "I15a", "I15b", "I15c", "I19"]


def _flow(engine):
    feedback.save_draft(engine, "tax", NOV, {"problems": "草稿"}, "tax1", TAX, at=at(dt.date(2026, 12, 10)))
    report = feedback.report_of(engine, "tax", NOV, TAX)
    assert report is not None and report["status"] == feedback.DRAFT and report["first_submitted_at"] is None
    feedback.submit(engine, "tax", NOV, CONTENT, "tax1", TAX, at=at(dt.date(2026, 12, 18)))
    with pytest.raises(ValueError, match="当前为“已提交”"):
        feedback.save_draft(engine, "tax", NOV, CONTENT, "tax1", TAX)
    feedback.return_report(engine, "tax", NOV, "请补充W3处置方式", "office1", OFFICE, at=at(dt.date(2026, 12, 19)))
    # editing a returned report keeps it 已退回 until it is submitted again
    feedback.save_draft(engine, "tax", NOV, CONTENT, "tax1", TAX, at=at(dt.date(2026, 12, 22)))
    assert feedback.report_of(engine, "tax", NOV, TAX)["status"] == feedback.RETURNED
    feedback.submit(engine, "tax", NOV, CONTENT, "tax1", TAX, at=at(dt.date(2026, 12, 23)))
    feedback.confirm(engine, "tax", NOV, "office1", OFFICE, at=at(dt.date(2026, 12, 24)))
    report = feedback.report_of(engine, "tax", NOV, OFFICE)
    assert report["status"] == feedback.CONFIRMED
    assert report["first_submitted_at"] == at(dt.date(2026, 12, 18)).astimezone(dt.UTC)
    assert report["submitted_at"] == at(dt.date(2026, 12, 23)).astimezone(dt.UTC)
    assert report["content"]["warnings"] == [{"warning_type": "W3", "n_handled": 4, "how": "约谈 4 户"}]
    with pytest.raises(ValueError, match="当前为“已确认”"):
        feedback.return_report(engine, "tax", NOV, "再改", "office1", OFFICE)
    hist = feedback.history(engine, "tax", NOV, TAX)
    assert hist[["status", "user_name"]].values.tolist() == [
        ["草稿", "tax1"],
        ["已提交", "tax1"],
        ["已退回", "office1"],
        ["已退回", "tax1"],
        ["已提交", "tax1"],
        ["已确认", "office1"],
    ]
    assert hist["comment"].tolist()[2] == "请补充W3处置方式"

    # the board, seen on 2026-12-25: tax on time (first submission 12-18, though confirmed after
    # a return), market late, court not yet, education nothing at all
    feedback.submit(engine, "market", NOV, CONTENT, "m1", MARKET, at=at(dt.date(2026, 12, 21), 9))
    feedback.save_draft(engine, "court", NOV, {"problems": "x"}, "c1", Scope.of("court"))
    board = feedback.feedback_board(
        engine, NOV, ["tax", "market", "court", "education"], today=dt.date(2026, 12, 25)
    ).set_index("department_code")
    assert board.loc["tax", ["status", "timeliness", "days_late"]].tolist() == ["已确认", "按时报送", 0]
    assert board.loc["market", ["status", "timeliness", "days_late"]].tolist() == ["已提交", "逾期报送", 1]
    assert board.loc["court", ["status", "timeliness", "days_late"]].tolist() == ["草稿", "逾期未报", 5]
    assert board.loc["education", ["status", "timeliness"]].tolist() == ["未填报", "逾期未报"]
    assert pd.isna(board.loc["education", "updated_by"])
    assert board.loc["market", "first_submitted_date"] == dt.date(2026, 12, 21)
    assert feedback.late_or_missing(board.reset_index()) == {"market", "court", "education"}
    on_new_year = feedback.feedback_board(engine, NOV, ["court", "tax"], today=dt.date(2027, 1, 1))
    assert on_new_year["timeliness"].tolist() == ["未报送", "按时报送"]
    # a department's board holds only its own row
    assert feedback.feedback_board(engine, NOV, ["tax", "market"], scope=TAX)["department_code"].tolist() == ["tax"]


def test_status_flow_history_and_board_in_sqlite(engine):
    _flow(engine)


@pytest.mark.postgres
def test_status_flow_history_and_board_in_postgresql(pg_schema):
    _flow(pg_schema.engine)


def test_a_department_sees_and_edits_only_its_own(engine):
    feedback.submit(engine, "tax", NOV, CONTENT, "tax1", TAX)
    with pytest.raises(FeedbackAccessError, match="无权查看"):
        feedback.report_of(engine, "tax", NOV, MARKET)
    with pytest.raises(FeedbackAccessError, match="无权查看"):
        feedback.history(engine, "tax", NOV, MARKET)
    with pytest.raises(FeedbackAccessError, match="无权查看"):
        feedback.save_draft(engine, "tax", NOV, CONTENT, "m1", MARKET)
    with pytest.raises(FeedbackAccessError, match="只有市信用办"):
        feedback.confirm(engine, "tax", NOV, "tax1", TAX)
    with pytest.raises(FeedbackAccessError, match="只有市信用办"):
        feedback.return_report(engine, "tax", NOV, "x", "tax1", TAX)
    assert feedback.reports_of_month(engine, NOV, MARKET).empty
    assert feedback.reports_of_month(engine, NOV, OFFICE)["department_code"].tolist() == ["tax"]
    assert feedback.report_of(engine, "tax", NOV, TAX)["status"] == feedback.SUBMITTED  # nothing changed


def test_bad_input_gets_a_chinese_message_and_changes_nothing(engine):
    with pytest.raises(ValueError, match="反馈内容为空"):
        feedback.submit(engine, "tax", NOV, {"problems": "  "}, "tax1", TAX)
    with pytest.raises(ValueError, match="须为不小于0的整数"):
        feedback.save_draft(engine, "tax", NOV, {"warnings": [{"warning_type": "W1", "n_handled": -1}]}, "tax1", TAX)
    with pytest.raises(ValueError, match="须为整数"):
        feedback.save_draft(engine, "tax", NOV, {"warnings": [{"warning_type": "W1", "n_handled": "三"}]}, "tax1", TAX)
    with pytest.raises(ValueError, match="未知的预警类型"):
        feedback.save_draft(engine, "tax", NOV, {"warnings": [{"warning_type": "W9"}]}, "tax1", TAX)
    with pytest.raises(ValueError, match="退回时须写明"):
        feedback.return_report(engine, "tax", NOV, " ", "office1", OFFICE)
    with pytest.raises(ValueError, match="当前为“未填报”"):
        feedback.confirm(engine, "tax", NOV, "office1", OFFICE)
    assert feedback.report_of(engine, "tax", NOV, TAX) is None
    assert feedback.history(engine, "tax", NOV, TAX).empty
