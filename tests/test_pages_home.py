"""本单位工作台 (a department's home): what it lists is worked out by hand on the fixed dataset of
tests/pages_fixture.py, seen by the tax bureau on Monday 2026-06-15 (截至今日), after a load that
added the bureau's second penalty (鹤税罚〔2026〕2号, 2026-05-20) to the data of the load before:

- W1 of 鹤岗市兴业煤炭有限公司 (two penalties in six months) holds from 05-20: due 05-27 (the 5th working
  day after), so 超期未处置; it did not hold on the data before, so it is 新增.
- W1b of the same company (鹤税罚〔2026〕1号 repairable from 06-10, not repaired) holds from 06-10: due
  06-17, in the week of 06-15 to 06-21, so 本周到期; it held before too (not new).
- Red in the department breakdowns at June 2026 (the latest complete month): I05 (the objection of
  06-01 was answered on 06-22, late: 0 of 1) and I12 (neither 1号 nor the natural person's 3号,
  whose minimum publicity ended in the window, was repaired: 0 of 2).
"""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.app import ui
from dashboard.rules import followup
from dashboard.store import snapshots
from tests import pages_fixture
from tests.access_kit import make_user
from tests.pages_fixture import NAMES, S1, app, crumbs, metric, no_errors, rows_of, select_row, table, texts

TODAY = dt.date(2026, 6, 15)
W1_REASON = "近6个月受到2次行政处罚（公示期内）"
W1B_REASON = "行政处罚（2026-03-10决定）已满最短公示期，自2026-06-10起可申请信用修复，尚未修复"


@pytest.fixture
def home_env(pages_env, monkeypatch):
    """pages_env with an earlier snapshot kept (the data before the second tax penalty), today
    2026-06-15, and a tax clerk with a display name."""
    dataset = pages_fixture.dataset()
    earlier = {**dataset, "penalties": [p for p in dataset["penalties"] if p["decision_no"] != "鹤税罚〔2026〕2号"]}
    built = pages_env.snapshot.built_at - dt.timedelta(hours=24)
    snapshot_id = snapshots.new_snapshot_id("before", now=built)
    building = snapshots.paths(pages_env.settings).building_path(snapshot_id)
    with monkeypatch.context() as patch:
        patch.setattr(pages_fixture, "dataset", lambda: earlier)
        pages_fixture.build_warehouse(building)
    snapshots.install(pages_env.settings, building, snapshot_id)
    monkeypatch.setattr(ui, "today", lambda: TODAY)
    make_user(pages_env.engine, "tax_clerk", "department", ("tax",), display_name="王科员")
    pages_env.previous = snapshot_id
    return pages_env


def reasons(frame) -> list[str]:
    return list(frame["预警原因"])


def test_home_lists_new_overdue_due_and_red_for_the_department(home_env):
    at = app("tax_clerk")  # the department's landing page
    no_errors(at)
    assert at.title[0].value == "本单位工作台"
    assert "市税务局 · 截至今日（2026年6月15日）" in texts(at)
    assert at.query_params["month"] == ui.TODAY
    assert [metric(at, m) for m in ("新增预警", "超期未处置", "本周到期", "未达标指标")] == ["1", "1", "1", "2"]

    overdue = table(at, "home_overdue_None")
    assert list(overdue.columns) == [
        "预警类型",
        "主体名称",
        "处置期限",
        "处置状态",
        "最近处置环节",
        "首次出现日期",
        "预警原因",
    ]
    assert rows_of(overdue) == [
        ["多次行政处罚预警", NAMES[S1], dt.date(2026, 5, 27), "超期未处置", None, dt.date(2026, 5, 20), W1_REASON]
    ]
    due = table(at, "home_due_None")
    assert rows_of(due) == [
        ["应修复未修复", NAMES[S1], dt.date(2026, 6, 17), "新产生", None, dt.date(2026, 6, 10), W1B_REASON]
    ]
    assert "本周到期（2026年6月15日至2026年6月21日，1 条）" in texts(at)
    assert reasons(table(at, "home_new_None")) == [W1_REASON]

    links = crumbs(at)
    assert (
        "I05 双公示异议按时处理率：0.0%（目标 ≥ 100.0%）",
        "indicators",
        "month=today&indicator=I05&department=tax",
    ) in links
    assert ("I12 信用修复率：0.0%（目标 ≥ 100.0%）", "indicators", "month=today&indicator=I12&department=tax") in links
    assert ("在信用预警中查看全部超期未处置预警", "warnings", "month=today&status=overdue&department=tax") in links
    assert "未达标指标（2026年6月，2 项）" in texts(at)


def test_without_an_earlier_load_nothing_is_called_new(pages_env, monkeypatch):
    monkeypatch.setattr(ui, "today", lambda: TODAY)
    at = app("tax_user", page="home")
    no_errors(at)
    assert metric(at, "新增预警") == "0"
    assert "没有上一次装载的数据可供比较。" in texts(at)
    assert metric(at, "超期未处置") == "1"


def test_one_click_opens_the_warning_and_a_step_recorded_here_counts_at_once(home_env):
    at = app("tax_clerk", page="home")
    select_row(at, "home_overdue_None", 0)
    no_errors(at)
    warning_id = at.query_params["warning"]
    assert warning_id.startswith("W1-")
    assert "多次行政处罚预警：鹤岗市兴业煤炭有限公司" in texts(at)
    assert "处置状态 超期未处置　处置期限 2026-05-27" in texts(at)
    assert ("在信用预警中查看", "warnings", f"month=today&warning={warning_id}&department=tax&type=W1") in crumbs(at)

    next(s for s in at.selectbox if s.label == "处置环节").set_value("警示约谈")
    at.text_area[0].input("已约谈法定代表人")
    at.button[[b.label for b in at.button].index("保存")].click().run()
    no_errors(at)
    assert "已记录：警示约谈（2026年6月15日）" in texts(at)
    assert [metric(at, m) for m in ("超期未处置", "本周到期")] == ["0", "1"]
    assert "没有超期未处置的预警。" in texts(at)
    assert "处置状态 已处置　最近处置环节 警示约谈" in texts(at)
    assert rows_of(table(at, f"steps_{warning_id}")[["处置环节", "处置说明", "记录人"]]) == [
        ["警示约谈", "已约谈法定代表人", "王科员"]
    ]
    stored = followup.steps_for(home_env.engine, [warning_id])
    assert stored[["step", "action_date", "user_name"]].values.tolist() == [["警示约谈", TODAY, "tax_clerk"]]

    at.button(key="home_close").click().run()
    assert "warning" not in at.query_params


def test_the_office_does_not_get_the_department_home(pages_env):
    at = app("office", page="home", params={"month": "2026-06"})
    no_errors(at)
    assert at.session_state[ui.CONTEXT_KEY].page.key == "cockpit"


def test_a_departments_drill_path_starts_at_its_home(pages_env):
    at = app("tax_user", page="warnings", params={"month": "2026-06", "department": "tax"})
    no_errors(at)
    assert [c[:2] for c in crumbs(at)] == [("本单位工作台", "home"), ("信用预警", "warnings")]
