"""责任单位: the scorecard and the 通报 ranking shown are the ones worked out by hand on the fixed
dataset (not recomputed with the functions the page calls), rows drill to the department's
indicator and warnings, and a deep link opens exactly one department."""

from __future__ import annotations

from tests.pages_fixture import MONTH, app, metric, no_errors, rows_of, select_row, table

# The ranking at June 2026, worked out on the dataset of tests/pages_fixture.py. Order: more red
# indicators first, then more overdue warnings, then the lower I04c. None of the nine open warnings
# has a follow-up step and every one is past its 5-working-day deadline by 06-30, so all are overdue.
RANKED = [
    "排名",
    "责任单位",
    "考核指标数",
    "未达标指标",
    "临界指标",
    "上报率",
    "合规率",
    "及时率",
    "异议按时处理率",
    "预警中",
    "超期未处置",
    "首次处置用时中位数（工作日）",
]
NO_RATES = [None] * 4
RANKING_TOP = [
    # market: red I03 (1 错码 of its 7 records), I04c (1 of 2 on time), I12 (5号 not repaired), I15a–c
    # (S6 listed, none removed); green I04a (2 reported / 1 declared), I04b, I05 (YY-1 on time), I10a.
    # Warnings: W1b of S2, W2 and W5 of S4.
    [1, "市市场监管局", 10, 6, 0, 2.0, 1.0, 0.5, 1.0, 3, 3, None],
    # tax: red I05 (YY-2 answered late), I12 (1号 and the natural person's 3号 not repaired); 3 of 3
    # reported on time against 1 + 2 declared. Warnings: W1 and W1b of S1.
    [2, "市税务局", 9, 2, 0, 1.0, 1.0, 1.0, 0.0, 2, 2, None],
    [3, "市商务局", 1, 1, 0, *NO_RATES, 1, 1, None],  # I10a: no grading of its own; W3 of S2 (C grade)
    [4, "市住建局", 1, 1, 0, *NO_RATES, 1, 1, None],  # I10a; W1c of S3 (campaign list)
]
# 18 departments whose only indicator is I10a (red: no grading of their own) and without warnings
ONLY_I10A = {
    "市农业农村局",
    "市民政局",
    "市煤管局",
    "市文体广旅局",
    "鹤岗海关",
    "市发改委",
    "市生态环境局",
    "市应急局",
    "市消防队",
    "市林草局",
    "市卫健委",
    "市人社局",
    "市医保局",
    "市邮管局",
    "市公安局",
    "市交通运输局",
    "市城管局",
    "市水务局",
}
RANKING_BOTTOM = [
    [23, "中级法院", 0, 0, 0, *NO_RATES, 1, 1, None],  # W4: the town government, dishonest debtor
    [24, "市银保监局", 0, 0, 0, *NO_RATES, 1, 1, None],  # W5 of S4's overdue loan
    [25, "市委编办", 1, 0, 0, *NO_RATES, 0, 0, None],  # I03 of the government body's record: no error
]
# The market regulator's scorecard: indicators it answers for (I10b at city level), actual values
MARKET_CARD = [
    ("I03", "14.3%"),
    ("I04a", "200.0%"),
    ("I04b", "100.0%"),
    ("I04c", "50.0%"),
    ("I05", "100.0%"),
    ("I10a", "100.0%"),
    ("I10b", "80.0%"),
    ("I12", "0.0%"),
    ("I15a", "20.0%"),
    ("I15b", "20.0%"),
    ("I15c", "0.0%"),
]


def test_ranking_shows_the_departments_in_order(pages_env):
    at = app("office", page="departments", params={"month": MONTH})
    no_errors(at)
    shown = table(at, "ranking")
    rows = rows_of(shown[RANKED])
    assert len(rows) == 25
    assert rows[:4] == RANKING_TOP
    assert rows[-3:] == RANKING_BOTTOM
    assert [r[0] for r in rows[4:22]] == list(range(5, 23))
    assert {r[1] for r in rows[4:22]} == ONLY_I10A
    assert all(r[2:] == [1, 1, 0, *NO_RATES, 0, 0, None] for r in rows[4:22])
    # the market regulator lags most on this dataset: late 双公示 (I04c 50%) and open warnings
    assert "I04c 双公示及时率 50.0%" in shown["主要差距"].iloc[0]
    assert shown["主要差距"].iloc[1] == "I05 双公示异议按时处理率 0.0%；I12 信用修复率 0.0%；超期未处置预警 2 条"
    assert "下载 Excel" in [b.label for b in at.download_button]


def test_scorecard_shows_the_market_regulators_figures(pages_env):
    at = app("office", page="departments", params={"month": MONTH, "department": "market"})
    no_errors(at)
    assert metric(at, "I04c 双公示及时率") == "50.0%"
    assert metric(at, "预警中") == "3"
    assert metric(at, "超期未处置") == "3"
    card = table(at, "card_market")
    assert list(zip(card["指标编号"], card["实际值"])) == MARKET_CARD


def test_scorecard_rows_drill_on(pages_env):
    at = app("office", page="departments", params={"month": MONTH, "department": "market"})
    select_row(at, "card_market", [i for i, _ in MARKET_CARD].index("I04c"))
    no_errors(at)
    assert at.query_params == {"month": MONTH, "indicator": "I04c", "department": "market"}
    assert at.title[0].value == "I04c 双公示及时率"

    at = app("office", page="departments", params={"month": MONTH, "department": "market"})
    select_row(at, "follow_market", 1)  # W1b
    no_errors(at)
    assert at.query_params == {"month": MONTH, "department": "market", "type": "W1b"}


def test_ranking_row_selects_department(pages_env):
    at = app("office", page="departments", params={"month": MONTH})
    select_row(at, "ranking", 1)
    no_errors(at)
    assert at.query_params["department"] == "tax"
    assert at.header[0].value == "市税务局"


def test_deep_link_opens_one_department(pages_env):
    at = app("office", page="departments", params={"month": "2026-05", "department": "tax"})
    no_errors(at)
    assert at.query_params == {"month": "2026-05", "department": "tax"}
    assert at.header[0].value == "市税务局"
    assert at.title[0].value == "责任单位 · 2026年5月"


def test_department_users_cannot_open_the_page(pages_env):
    # roles.toml: departments do not see the ranking of other departments; the link falls back
    at = app("tax_user", page="departments", params={"month": MONTH})
    assert "责任单位 · 2026年6月" not in [t.value for t in at.title]
