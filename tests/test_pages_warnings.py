"""信用预警: counts and lists shown are the ones worked out by hand on the fixed dataset (not
recomputed with credit_warnings/followup), a follow-up step recorded on the page lands in the
operational store (and the audit log), W1b offers the repair notice, a department user sees only its
own warnings, a deep link opens exactly one warning, the view 截至今日 shows a step recorded today at
once with one state per warning, and the tiles follow the chosen department."""

from __future__ import annotations

import datetime as dt

from dashboard.access import audit
from dashboard.app import ui
from dashboard.rules import followup
from tests.access_kit import make_user
from tests.pages_fixture import MONTH, S1, app, crumbs, metric, no_errors, rows_of, select_row, table, texts

# The nine warnings open at June 2026 on the dataset of tests/pages_fixture.py, by responsible
# department: none has a follow-up step and each is past its 5-working-day deadline by 06-30.
TAX_REASONS = [
    "近6个月受到2次行政处罚（公示期内）",  # W1: S1's 1号 and 2号
    "行政处罚（2026-03-10决定）已满最短公示期，自2026-06-10起可申请信用修复，尚未修复",  # W1b: S1's 1号
]
REASONS = TAX_REASONS + [
    "行政处罚（2026-01-15决定）已满最短公示期，自2026-04-15起可申请信用修复，尚未修复（修复申请中）",  # W1b S2
    "列入专项治理名单「拖欠农民工工资专项治理」（2026-03-01列入）",  # W1c S3, 市住建局
    "行政许可「食品经营许可证」有效期至2026-07-15，剩余不足1个月；列入经营异常名录",  # W2 S4
    "公共信用综合评价为C级（2026-03-01评价，中等以下）",  # W3 S2, 市商务局
    "政府机构（部门）被列为被执行人（鹤岗市中级人民法院，案号(2026)黑04执12号，2026-01-10立案），已被纳入失信被执行人",
    "信易贷逾期未还款（鹤岗农村商业银行，到期日2026-05-31，缓冲期0天）",  # W5 S4: market …
    "信易贷逾期未还款（鹤岗农村商业银行，到期日2026-05-31，缓冲期0天）",  # … and 市银保监局
]
# 责任单位, 预警类型, 预警中, 已处置, 超期未处置, 已解除, 首次处置用时中位数
COUNTS = [
    ["市税务局", "多次行政处罚预警", 1, 0, 1, 0, None],
    ["市税务局", "应修复未修复", 1, 0, 1, 0, None],
    ["市市场监管局", "应修复未修复", 1, 0, 1, 0, None],
    ["市市场监管局", "行政许可到期风险", 1, 0, 1, 0, None],
    ["市市场监管局", "信易贷违约", 1, 0, 1, 0, None],
    ["市住建局", "专项治理名单", 1, 0, 1, 0, None],
    ["市商务局", "综合评价中等以下", 1, 0, 1, 0, None],
    ["中级法院", "政府失信风险", 1, 0, 1, 0, None],
    ["市银保监局", "信易贷违约", 1, 0, 1, 0, None],
]


def _sorted(rows):
    return sorted(rows, key=lambda r: [str(v) for v in r])


def _w1b_id() -> str:
    """The id of the tax bureau's W1b warning (S1's 1号), as the page's list hands it on."""
    at = app("office", page="warnings", params={"month": MONTH, "department": "tax", "type": "W1b"})
    assert len(table(at, "list_tax_W1b_None")) == 1
    select_row(at, "list_tax_W1b_None", 0)
    warning_id = at.query_params["warning"]
    assert warning_id.startswith("W1b-")
    return warning_id


def test_counts_and_list_show_the_datasets_warnings(pages_env):
    at = app("office", page="warnings", params={"month": MONTH})
    no_errors(at)
    assert metric(at, "预警中") == "9"
    assert metric(at, "已处置") == "0"
    assert metric(at, "超期未处置") == "9"
    counts = table(at, "counts_None_None")
    assert list(counts.columns) == [
        "责任单位",
        "预警类型",
        "预警中",
        "已处置",
        "超期未处置",
        "已解除",
        "首次处置用时中位数（工作日）",
    ]
    assert _sorted(rows_of(counts)) == _sorted(COUNTS)
    assert sorted(table(at, "list_None_None_None")["预警原因"]) == sorted(REASONS)


def test_department_and_type_filter_the_list(pages_env):
    at = app("office", page="warnings", params={"month": MONTH, "department": "tax", "type": "W1"})
    no_errors(at)
    got = table(at, "list_tax_W1_None")
    assert list(got["统一社会信用代码"]) == [S1]
    assert list(got["预警原因"]) == ["近6个月受到2次行政处罚（公示期内）"]
    assert [c[0] for c in crumbs(at)] == ["总览", "信用预警", "市税务局"]


def test_recording_a_step_stores_it_and_counts_it(pages_env):
    warning_id = _w1b_id()
    at = app("office", page="warnings", params={"month": MONTH, "warning": warning_id})
    no_errors(at)
    assert "下载信用修复告知书" in [b.label for b in at.download_button]
    form_select = next(s for s in at.selectbox if s.label == "处置环节")
    form_select.set_value("提示约谈")
    at.date_input[0].set_value(dt.date(2026, 6, 28))
    at.text_area[0].input("已电话提示企业申请信用修复")
    at.button[[b.label for b in at.button].index("保存")].click().run()
    no_errors(at)
    steps = followup.steps_for(pages_env.engine, [warning_id])
    assert list(
        steps[["step", "action_date", "note", "user_name", "department_code"]].itertuples(index=False, name=None)
    ) == [("提示约谈", dt.date(2026, 6, 28), "已电话提示企业申请信用修复", "office", "tax")]
    assert "已记录：提示约谈（2026年6月28日）" in texts(at)
    logged = audit.search(pages_env.engine, user="office", action="followup_recorded")
    assert len(logged) == 1 and warning_id in logged["detail"].iloc[0]
    # the page's counts follow the store: the W1b warning of tax is now acted on, nothing else is
    acted = {(r[0], r[1]): r[3] for r in rows_of(table(at, "counts_None_None"))}
    assert acted == {(d, t): int((d, t) == ("市税务局", "应修复未修复")) for d, t, *_ in COUNTS}
    assert metric(at, "已处置") == "1"
    shown_steps = table(at, f"steps_{warning_id}")
    assert list(shown_steps["处置环节"]) == ["提示约谈"]
    assert list(shown_steps["记录人"]) == ["office"]  # the account's display name (here its username)


def test_row_opens_the_warning_and_its_subject(pages_env):
    at = app("office", page="warnings", params={"month": MONTH, "department": "tax", "type": "W1"})
    select_row(at, "list_tax_W1_None", 0)
    no_errors(at)
    assert at.query_params["warning"].startswith("W1-")
    assert "多次行政处罚预警：鹤岗市兴业煤炭有限公司" in texts(at)
    at.button(key="to_subject").click().run()
    no_errors(at)
    assert at.query_params == {"month": MONTH, "subject": S1, "from": "warnings", "department": "tax", "type": "W1"}
    assert [c[0] for c in crumbs(at)] == ["总览", "信用预警", "市税务局", "W1"]


def test_department_user_sees_only_its_warnings(pages_env):
    at = app("tax_user", page="warnings", params={"month": MONTH})
    no_errors(at)
    got = table(at, "list_None_None_None")
    assert set(got["责任单位"]) == {"市税务局"}
    assert sorted(got["预警原因"]) == sorted(TAX_REASONS)
    # a link naming another department shows nothing of it
    other = app("tax_user", page="warnings", params={"month": MONTH, "department": "market"})
    assert "市市场监管局" not in set(table(other, "list_None_None_None")["责任单位"])


def test_state_filter_lists_overdue_only(pages_env):
    at = app("office", page="warnings", params={"month": MONTH, "status": "overdue"})
    no_errors(at)
    assert len(table(at, "list_None_None_overdue")) == len(REASONS)  # no warning was acted on
    assert set(table(at, "list_None_None_overdue")["处置状态"]) == {"超期未处置"}


def test_deep_link_opens_one_warning(pages_env):
    warning_id = _w1b_id()
    params = {"month": MONTH, "department": "tax", "type": "W1b", "warning": warning_id}
    at = app("office", page="warnings", params=params)
    no_errors(at)
    assert at.query_params == params
    assert "应修复未修复：鹤岗市兴业煤炭有限公司" in texts(at)


def test_a_step_recorded_today_shows_at_once_with_one_state(pages_env, monkeypatch):
    """截至今日 (T = 2026-07-03): both warnings of the tax bureau are past their deadlines (W1: due
    05-27, W1b: due 06-17), so each is 超期未处置 — never also 新产生. A step recorded today moves the
    W1b warning to 已处置 at once, in the tiles, the list and the detail, and the step names its
    recorder by display name; the June month-end view does not count a step dated in July."""
    monkeypatch.setattr(ui, "today", lambda: dt.date(2026, 7, 3))
    make_user(pages_env.engine, "tax_clerk", "department", ("tax",), display_name="王科员")
    at = app("tax_clerk", page="warnings", params={"month": "today"})
    no_errors(at)
    assert at.title[0].value == "信用预警 · 截至今日（2026年7月3日）"
    assert (metric(at, "预警中"), metric(at, "已处置"), metric(at, "超期未处置")) == ("2", "0", "2")
    listed = table(at, "list_None_None_None")
    assert sorted(zip(listed["预警类型"], listed["处置状态"])) == [
        ("多次行政处罚预警", "超期未处置"),
        ("应修复未修复", "超期未处置"),
    ]

    w1b = list(listed["预警类型"]).index("应修复未修复")
    select_row(at, "list_None_None_None", w1b)
    warning_id = at.query_params["warning"]
    assert "处置状态 超期未处置　处置期限 2026-06-17" in texts(at)
    assert at.date_input[0].value == dt.date(2026, 7, 3)  # today by default
    next(s for s in at.selectbox if s.label == "处置环节").set_value("提示约谈")
    at.button[[b.label for b in at.button].index("保存")].click().run()
    no_errors(at)
    assert "已记录：提示约谈（2026年7月3日）" in texts(at)
    assert (metric(at, "预警中"), metric(at, "已处置"), metric(at, "超期未处置")) == ("2", "1", "1")
    listed = table(at, "list_None_None_None")
    assert sorted(zip(listed["预警类型"], listed["处置状态"], listed["最近处置环节"].fillna("—"))) == [
        ("多次行政处罚预警", "超期未处置", "—"),
        ("应修复未修复", "已处置", "提示约谈"),
    ]
    assert "处置状态 已处置　最近处置环节 提示约谈" in texts(at)
    steps = table(at, f"steps_{warning_id}")
    assert rows_of(steps[["处置环节", "记录人"]]) == [["提示约谈", "王科员"]]

    june = app("tax_clerk", page="warnings", params={"month": MONTH})
    assert (metric(june, "已处置"), metric(june, "超期未处置")) == ("0", "2")


def test_tiles_are_the_chosen_departments_with_the_total_beside(pages_env):
    at = app("office", page="warnings", params={"month": MONTH, "department": "tax"})
    no_errors(at)
    assert (metric(at, "预警中"), metric(at, "已处置"), metric(at, "超期未处置")) == ("2", "0", "2")
    shown = texts(at)
    assert "预警处置情况（市税务局）" in shown
    assert "以上为市税务局的预警。全部责任单位合计：预警中 9 条，已处置 0 条，超期未处置 9 条。" in shown
    at = app("office", page="warnings", params={"month": MONTH, "department": "market", "type": "W5"})
    assert (metric(at, "预警中"), metric(at, "超期未处置")) == ("1", "1")
    assert "预警处置情况（市市场监管局、信易贷违约）" in texts(at)
