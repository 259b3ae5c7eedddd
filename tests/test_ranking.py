"""Rule N1 (docs/rules.md): the ranking of responsible departments behind the monthly 通报, on
hand-made frames with the exact order and figures expected."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd

from dashboard.core.scope import Scope
from dashboard.core.settings import Naming, get_settings
from dashboard.rules import feedback, indicators
from dashboard.rules.ranking import NAMED_COLUMNS, RANKING_COLUMNS, named_departments, named_of, ranking_of
from dashboard.rules.warning_summary import median_days_by_department
from tests.pages_fixture import rows_of

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
    ranking = ranking_of(CATALOGUE, BY_DEPARTMENT, COUNTS, median_days_by_department(STATUS), NAMES)
    assert list(ranking.columns) == list(RANKING_COLUMNS)
    # a: 1 red, 3 overdue; b: 2 red, 1 overdue; c: 2 red, 0 overdue; d: 0 red; e: warnings only
    assert list(ranking["department_code"]) == ["b", "c", "a", "e", "d"]
    assert list(ranking["rank"]) == [1, 2, 3, 4, 5]
    assert list(ranking["department_name"]) == ["乙局", "丙局", "甲局", "e", "丁局"]


def test_figures_of_each_department():
    ranking = ranking_of(CATALOGUE, BY_DEPARTMENT, COUNTS, median_days_by_department(STATUS), NAMES).set_index(
        "department_code"
    )
    assert ranking.loc["b", ["n_indicators", "n_red", "n_amber", "n_open", "n_overdue"]].tolist() == [3, 2, 0, 4, 1]
    assert ranking.loc["d", ["n_indicators", "n_red", "n_amber", "n_open", "n_overdue"]].tolist() == [2, 0, 1, 0, 0]
    assert ranking.loc["a", "i04c"] == 0.9 and math.isnan(ranking.loc["a", "i04a"])
    # the median counts only warnings in force: b's resolved warning (9 days) is left out
    assert ranking.loc["a", "median_days_to_first_action"] == 4.0
    assert ranking.loc["b", "median_days_to_first_action"] == 1.0
    assert math.isnan(ranking.loc["c", "median_days_to_first_action"])


def test_lagging_on_names_red_indicators_in_catalogue_order_and_overdue_warnings():
    ranking = ranking_of(CATALOGUE, BY_DEPARTMENT, COUNTS, median_days_by_department(STATUS), NAMES).set_index(
        "department_code"
    )
    assert ranking.loc["b", "lagging_on"] == "I04c 及时率 50.0%；I12 修复率 10.0%；超期未处置预警 1 条"
    assert ranking.loc["c", "lagging_on"] == "I03 错码率 20.0%；I04c 及时率 60.0%"
    assert ranking.loc["d", "lagging_on"] == ""


def test_timeliness_breaks_a_tie_and_a_missing_rate_ranks_last():
    by_department = {
        "I03": _breakdown([("x", 0.3, "red"), ("y", 0.3, "red"), ("z", 0.3, "red")]),
        "I04c": _breakdown([("x", 0.8, "green"), ("y", 0.4, "red")]),
    }
    ranking = ranking_of(CATALOGUE, by_department, _counts([]), median_days_by_department(_status([])), {})
    # y has 2 red; x and z 1 red each, no overdue: x's I04c 80% ranks before z, which has none
    assert list(ranking["department_code"]) == ["y", "x", "z"]


def test_nothing_to_rank():
    empty = ranking_of(CATALOGUE, {}, _counts([]), median_days_by_department(_status([])), NAMES)
    assert empty.empty and list(empty.columns) == list(RANKING_COLUMNS)


# ---- N1: the departments named in the 通报 -------------------------------------------------------

N1_CATALOGUE = pd.DataFrame(
    {
        "indicator_id": ["I03", "I04c", "I10a", "I14"],
        "name": ["错码率", "双公示及时率", "分级分类监管部门覆盖率", "A级纳税人占比"],
        "unit": ["pct"] * 4,
        "direction": ["lower", "higher", "higher", "higher"],
        "breakdowns": [["department"], ["department"], ["department"], ["district"]],
        "responsible_departments": [["a", "e"], ["*"], ["a", "f", "g"], ["tax"]],
    }
)


def _by_department(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "department_code", "value", "status"])


def _city(rows: list[tuple[str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "value", "status"])


N1_NOW = _by_department(
    [
        ("I04c", "a", 0.5, "red"),  # worse than 0.6: (a)
        ("I04c", "b", 0.5, "red"),  # unchanged: not worse
        ("I04c", "c", 0.4, "red"),  # no value the month before: not worse
        ("I04c", "d", 0.99, "green"),
        ("I03", "a", 0.2, "red"),  # lower is better, down from 0.3: better
        ("I03", "e", 0.3, "red"),  # up from 0.1: (a)
        ("I10a", "a", 0.0, "red"),  # no grading result: (d), not (a) again
        ("I10a", "f", 0.0, "red"),
        ("I10a", "g", 1.0, "green"),
        ("I04c", None, 0.1, "red"),  # records of no known department: nobody's
    ]
)
N1_BEFORE = _by_department(
    [
        ("I04c", "a", 0.6, "red"),
        ("I04c", "b", 0.5, "red"),
        ("I03", "a", 0.3, "red"),
        ("I03", "e", 0.1, "red"),
        ("I10a", "a", 1.0, "green"),
        ("I10a", "f", 0.0, "red"),
    ]
)
N1_COUNTS = pd.DataFrame(
    [
        ("b", "W1", 6, 3, 2),  # b: 5 of 10 overdue — exactly the share and the minimum: (b)
        ("b", "W3", 4, 2, 3),
        ("c", "W1", 8, 4, 4),  # half overdue, but only 4: not (b)
        ("g", "W2", 9, 5, 0),  # 5 of 9: (b)
        ("h", "W5", 11, 5, 0),  # 5 of 11 (45 %): not (b)
    ],
    columns=["department_code", "warning_type", "n_open", "n_overdue", "n_acted"],
)
N1_FEEDBACK = {"a": "按时报送", "b": "逾期报送", "c": "未到期", "f": "未报送", "h": "逾期未报", "d": "按时报送"}
N1_NAMES = {"a": "甲局", "b": "乙局", "tax": "市税务局"}


def _named(**overrides):
    args = dict(
        catalogue=N1_CATALOGUE,
        now_by_department=N1_NOW,
        before_by_department=N1_BEFORE,
        city_now=_city([("I14", 0.10, "red"), ("I03", 0.25, "red")]),
        city_before=_city([("I14", 0.12, "red"), ("I03", 0.2, "red")]),
        counts=N1_COUNTS,
        feedback_states=N1_FEEDBACK,
        names=N1_NAMES,
    )
    args.update(overrides)
    return named_of(**args)


def test_n1_named_by_criteria_then_overdue_then_code():
    named = _named()
    assert list(named.columns) == list(NAMED_COLUMNS)
    # b (b, c; 5 overdue), a (a, d), f (c, d), g (b; 5), h (c; 5), e (a), tax (a; city I14)
    assert rows_of(named[["rank", "department_code", "department_name", "n_criteria", "criteria", "n_overdue"]]) == [
        [1, "b", "乙局", 2, "b,c", 5],
        [2, "a", "甲局", 2, "a,d", 0],
        [3, "f", "f", 2, "c,d", 0],
        [4, "g", "g", 1, "b", 5],
        [5, "h", "h", 1, "c", 5],
        [6, "e", "e", 1, "a", 0],
        [7, "tax", "市税务局", 1, "a", 0],
    ]
    assert "c" not in set(named["department_code"]) and "d" not in set(named["department_code"])


def test_n1_reasons_in_words():
    named = _named().set_index("department_code")
    assert named.loc["a", "reasons"] == (
        "指标未达标且较上月下滑：I04c 双公示及时率 50.0%（上月 60.0%）；近12个月无信用评价结果（应实施未实施）"
    )
    assert named.loc["b", "reasons"] == "超期未处置预警 5 条，占在办预警 50.0%；月度工作反馈逾期报送"
    assert named.loc["e", "reasons"] == "指标未达标且较上月下滑：I03 错码率 30.0%（上月 10.0%）"
    assert named.loc["tax", "reasons"] == "指标未达标且较上月下滑：I14 A级纳税人占比 10.0%（上月 12.0%）"
    assert named.loc["h", "reasons"] == "月度工作反馈逾期未报"
    assert named.loc["f", "reasons"] == "月度工作反馈未报送；近12个月无信用评价结果（应实施未实施）"


def test_n1_thresholds_are_settings():
    stricter = dataclasses.replace(get_settings(), naming=Naming(overdue_share=0.55, min_overdue=5))
    named = _named(settings=stricter)
    assert "b" in set(named["department_code"])  # still named for its late feedback
    assert named.set_index("department_code").loc["b", "criteria"] == "c"
    assert named.set_index("department_code").loc["g", "criteria"] == "b"  # 5/9 = 55.6 %
    looser = dataclasses.replace(get_settings(), naming=Naming(overdue_share=0.5, min_overdue=4))
    assert _named(settings=looser).set_index("department_code").loc["c", "criteria"] == "b"


def test_n1_nothing_named():
    named = _named(
        now_by_department=_by_department([]),
        city_now=_city([]),
        counts=N1_COUNTS.iloc[0:0],
        feedback_states={},
    )
    assert named.empty and list(named.columns) == list(NAMED_COLUMNS)


def test_n1_named_departments_on_the_page_dataset(pages_env):
    # June 2026 of tests/pages_fixture.py, judged on 2026-07-10 (feedback not yet due): the
    # departments named are the grading departments without a result (d) and those whose
    # indicator is red and worse than in May (a)
    june = dt.date(2026, 6, 30)
    named = named_departments(pages_env.con, pages_env.engine, june, Scope.all(), today=dt.date(2026, 7, 10))
    i10a = indicators.indicator_by_department(pages_env.con, "I10a", june, Scope.all())
    no_grading = set(i10a.loc[i10a["value"] == 0, "department_code"])
    assert no_grading and {c for c, k in zip(named["department_code"], named["criteria"]) if "d" in k} == no_grading
    assert not any("c" in k for k in named["criteria"])
    # on 2026-08-01 nothing has been submitted: every department owing feedback is named for (c)
    later = named_departments(pages_env.con, pages_env.engine, june, Scope.all(), today=dt.date(2026, 8, 1))
    owing = set(feedback.departments_owing(pd.DataFrame(columns=["department_code", "n_open"])))
    assert owing <= {c for c, k in zip(later["department_code"], later["criteria"]) if "c" in k}
    assert set(later.loc[later["department_code"] == "tax", "reasons"].iloc[0].split("；")) >= {"月度工作反馈未报送"}
    # a department sees only its own row
    own = named_departments(pages_env.con, pages_env.engine, june, Scope.of("tax"), today=dt.date(2026, 8, 1))
    assert list(own["department_code"]) == ["tax"] and list(own["rank"]) == [1]
