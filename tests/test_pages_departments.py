"""责任单位: the scorecard and the 通报 ranking shown equal the query functions' results, rows drill
to the department's indicator and warnings, and a deep link opens exactly one department."""
from __future__ import annotations

from dashboard import columns, credit_warnings, exports, followup, indicators, page_queries
from dashboard.access import Scope
from tests.pages_fixture import (AS_OF, MONTH, app, assert_shows, metric, no_errors, pages_env,  # noqa: F401
                                 pages_template, select_row, table)

OFFICE = Scope.all()
RANKING = columns.pick("rank", "department_name", "n_indicators", "n_red", "n_amber", "i04a", "i04b", "i04c", "i05",
                       "n_open", "n_overdue", "median_days_to_first_action", "lagging_on")


def _by_department(env):
    catalogue = indicators.indicator_catalogue()
    return catalogue, {i: indicators.indicator_by_department(env.con, i, AS_OF, OFFICE) for i in catalogue["indicator_id"]}


def _ranking(env):
    catalogue, by_department = _by_department(env)
    counts = credit_warnings.warning_counts(env.con, env.engine, AS_OF, OFFICE)
    status = followup.warning_status(env.con, env.engine, AS_OF, OFFICE)
    names = page_queries.departments(env.con).set_index("department_code")["short_name"].to_dict()
    return page_queries.ranking_of(catalogue, by_department, counts, status, names)


def _card(env, code):
    catalogue, by_department = _by_department(env)
    now = indicators.indicators_at(env.con, AS_OF, OFFICE)
    return page_queries.department_indicators(now, by_department, code, page_queries.indicators_of(catalogue, code))


def test_ranking_equals_department_ranking(pages_env):
    at = app("office", page="departments", params={"month": MONTH})
    no_errors(at)
    ranking = _ranking(pages_env)
    assert_shows(table(at, "ranking"), exports.shown_frame(ranking, RANKING, OFFICE))
    # the market regulator lags most on this dataset: late 双公示 (I04c 50%) and open warnings
    assert list(ranking["department_code"][:2]) == ["market", "tax"]
    assert "I04c 双公示及时率 50.0%" in ranking["lagging_on"].iloc[0]
    assert "下载 Excel" in [b.label for b in at.download_button]


def test_scorecard_equals_query_functions(pages_env):
    at = app("office", page="departments", params={"month": MONTH, "department": "market"})
    no_errors(at)
    i04c = indicators.indicator_by_department(pages_env.con, "I04c", AS_OF, OFFICE).set_index("department_code")
    assert metric(at, "I04c 双公示及时率") == f"{i04c.at['market', 'value'] * 100:.1f}%" == "50.0%"
    status = followup.warning_status(pages_env.con, pages_env.engine, AS_OF, OFFICE)
    totals = page_queries.followup_totals(status, "market")
    assert metric(at, "预警中") == str(totals["n_open"]) == "3"
    assert metric(at, "超期未处置") == str(totals["n_overdue"])
    card = _card(pages_env, "market")
    assert list(table(at, "card_market")["指标编号"]) == list(card["indicator_id"])
    assert list(table(at, "card_market")["实际值"]) == list(card["value_text"])


def test_scorecard_rows_drill_on(pages_env):
    at = app("office", page="departments", params={"month": MONTH, "department": "market"})
    card = _card(pages_env, "market")
    row = list(card["indicator_id"]).index("I04c")
    select_row(at, "card_market", row)
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
