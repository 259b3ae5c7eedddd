"""Rule N1 (docs/rules.md): the ranking of responsible departments behind the monthly 通报, on
hand-made frames with the exact order and figures expected."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.rules.ranking import RANKING_COLUMNS, ranking_of

CATALOGUE = pd.DataFrame(
    {
        "indicator_id": ["I03", "I04a", "I04b", "I04c", "I05", "I12"],
        "name": ["错码率", "上报率", "合规率", "及时率", "异议按时处理率", "修复率"],
        "unit": ["pct"] * 6,
    }
)
NAMES = {"a": "甲局", "b": "乙局", "c": "丙局", "d": "丁局"}


def _breakdown(rows: list[tuple[str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["department_code", "value", "status"])


def _counts(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["department_code", "warning_type", "n_open", "n_overdue"])


def _status(rows: list[tuple[str, bool, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["department_code", "holds", "working_days_to_first_action"])


BY_DEPARTMENT = {
    "I03": _breakdown([("a", 0.2, "red"), ("b", 0.0, "green"), ("c", 0.2, "red")]),
    "I04c": _breakdown([("a", 0.9, "green"), ("b", 0.5, "red"), ("c", 0.6, "red"), ("d", 0.95, "green")]),
    "I12": _breakdown([("b", 0.1, "red"), ("d", 0.7, "amber")]),
    "I05": _breakdown([]),
}
COUNTS = _counts([("a", "W1", 3, 2), ("a", "W2", 1, 1), ("b", "W1", 4, 1), ("c", "W3", 2, 0), ("e", "W5", 1, 1)])
STATUS = _status([("a", True, 2.0), ("a", True, 6.0), ("b", True, 1.0), ("b", False, 9.0), ("c", True, None)])


def test_order_red_then_overdue_then_lowest_timeliness_then_code():
    ranking = ranking_of(CATALOGUE, BY_DEPARTMENT, COUNTS, STATUS, NAMES)
    assert list(ranking.columns) == list(RANKING_COLUMNS)
    # a: 1 red, 3 overdue; b: 2 red, 1 overdue; c: 2 red, 0 overdue; d: 0 red; e: warnings only
    assert list(ranking["department_code"]) == ["b", "c", "a", "e", "d"]
    assert list(ranking["rank"]) == [1, 2, 3, 4, 5]
    assert list(ranking["department_name"]) == ["乙局", "丙局", "甲局", "e", "丁局"]


def test_figures_of_each_department():
    ranking = ranking_of(CATALOGUE, BY_DEPARTMENT, COUNTS, STATUS, NAMES).set_index("department_code")
    assert ranking.loc["b", ["n_indicators", "n_red", "n_amber", "n_open", "n_overdue"]].tolist() == [3, 2, 0, 4, 1]
    assert ranking.loc["d", ["n_indicators", "n_red", "n_amber", "n_open", "n_overdue"]].tolist() == [2, 0, 1, 0, 0]
    assert ranking.loc["a", "i04c"] == 0.9 and math.isnan(ranking.loc["a", "i04a"])
    # the median counts only warnings in force: b's resolved warning (9 days) is left out
    assert ranking.loc["a", "median_days_to_first_action"] == 4.0
    assert ranking.loc["b", "median_days_to_first_action"] == 1.0
    assert math.isnan(ranking.loc["c", "median_days_to_first_action"])


def test_lagging_on_names_red_indicators_in_catalogue_order_and_overdue_warnings():
    ranking = ranking_of(CATALOGUE, BY_DEPARTMENT, COUNTS, STATUS, NAMES).set_index("department_code")
    assert ranking.loc["b", "lagging_on"] == "I04c 及时率 50.0%；I12 修复率 10.0%；超期未处置预警 1 条"
    assert ranking.loc["c", "lagging_on"] == "I03 错码率 20.0%；I04c 及时率 60.0%"
    assert ranking.loc["d", "lagging_on"] == ""


def test_timeliness_breaks_a_tie_and_a_missing_rate_ranks_last():
    by_department = {
        "I03": _breakdown([("x", 0.3, "red"), ("y", 0.3, "red"), ("z", 0.3, "red")]),
        "I04c": _breakdown([("x", 0.8, "green"), ("y", 0.4, "red")]),
    }
    ranking = ranking_of(CATALOGUE, by_department, _counts([]), _status([]), {})
    # y has 2 red; x and z 1 red each, no overdue: x's I04c 80% ranks before z, which has none
    assert list(ranking["department_code"]) == ["y", "x", "z"]


def test_nothing_to_rank():
    empty = ranking_of(CATALOGUE, {}, _counts([]), _status([]), NAMES)
    assert empty.empty and list(empty.columns) == list(RANKING_COLUMNS)
