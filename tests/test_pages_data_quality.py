"""数据质量: loads, rows, quarantine (with originals, downloadable, formula-neutralised), P7
exclusions, orphans and I03 shown are the ones worked out by hand on the fixed dataset (not
recomputed with quality's functions); department users do not see other departments' quarantined
originals; a deep link opens exactly one quarantine group."""

from __future__ import annotations

from dashboard.app import exports
from tests.pages_fixture import BAD_USCC, MONTH, app, dataset, no_errors, rows_of, select_row, table, texts

# Rows of each entity in tests/pages_fixture.dataset(), in the page's order
ROWS_PER_ENTITY = [
    ("市场主体登记", 8),
    ("行政处罚", 5),
    ("行政许可", 2),
    ("经营异常名录", 1),
    ("被执行人", 1),
    ("严重失信主体名单", 1),
    ("纳税信用等级", 5),
    ("信用评价", 4),
    ("信用修复", 1),
    ("异议处理", 2),
    ("信用承诺", 1),
    ("信易贷", 1),
    ("专项治理名单", 1),
    ("双公示台账", 3),
    ("特定信用信息归集", 6),
    ("城市信用监测得分", 18),
]
# Penalties of the last 12 months: the market regulator's 5号 and 6号 (6号 by 简易程序: not credit
# information, P7), the tax bureau's 1号, 2号 and the natural person's 3号
P7 = [["市市场监管局", 2, 1, 0, 1, 0, 0.5], ["市税务局", 3, 0, 0, 0, 0, 0.0]]


def test_sections_show_the_datasets_figures(pages_env):
    at = app("office", page="data_quality", params={"month": MONTH})
    no_errors(at)
    rows = table(at, "rows_per_entity")
    assert list(zip(rows["数据项"], rows["当前记录数"])) == ROWS_PER_ENTITY
    assert sum(n for _, n in ROWS_PER_ENTITY) == sum(len(r) for r in dataset().values())
    p7 = table(at, "p7")
    assert list(p7.columns) == [
        "责任单位",
        "处罚决定数",
        "简易程序",
        "首违轻微",
        "不纳入信用信息",
        "已撤销",
        "排除占比",
    ]
    assert rows_of(p7) == P7
    assert list(table(at, "uscc_problems")["统一社会信用代码"]) == [BAD_USCC]
    assert list(table(at, "quarantine_summary")["行数"]) == [1]


def test_quarantine_group_shows_originals(pages_env):
    at = app("office", page="data_quality", params={"month": MONTH})
    select_row(at, "quarantine_summary", 0)
    no_errors(at)
    assert at.query_params == {"month": MONTH, "entity": "penalties", "reason": "bad_date"}
    shown = table(at, "quarantine_penalties_bad_date")
    assert list(shown["处罚决定日期"]) == ["2026-13-45"]
    # the original decision number starts with '=': shown as is, neutralised in the download
    assert list(shown["行政处罚决定书文号"]) == ["=鹤税罚〔2026〕9号"]
    assert exports.neutralised(shown)["行政处罚决定书文号"].iloc[0] == "'=鹤税罚〔2026〕9号"


def test_department_user_does_not_see_quarantined_originals(pages_env):
    at = app("tax_user", page="data_quality", params={"month": MONTH, "entity": "penalties", "reason": "bad_date"})
    no_errors(at)
    assert "隔离行可能包含其他责任单位的原始记录，仅市信用办可查看和下载。" in texts(at)
    assert "quarantine_penalties_bad_date" not in [c.key for c in at.container]


def test_i03_row_drills_to_subject(pages_env):
    at = app("office", page="data_quality", params={"month": MONTH})
    select_row(at, "uscc_problems", 0)
    no_errors(at)
    assert at.query_params == {"month": MONTH, "subject": BAD_USCC, "from": "data_quality"}


def test_deep_link_opens_quarantine_group(pages_env):
    params = {"month": MONTH, "entity": "penalties", "reason": "bad_date"}
    at = app("office", page="data_quality", params=params)
    no_errors(at)
    assert at.query_params == params
    assert len(table(at, "quarantine_penalties_bad_date")) == 1
