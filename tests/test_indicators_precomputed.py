"""Indicator rows precomputed by the load for recent month-ends (indicators.precompute) give exactly
what the rule queries give — indicators_at and the department league tables, frame for frame — and
are read only while the settings and rules are unchanged."""

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from test_warnings_postgres import _warehouse

from dashboard.core.scope import Scope
from dashboard.core.settings import Settings
from dashboard.load import loading
from dashboard.rules import indicators as ind
from dashboard.rules.followup import previous_month_end

D = dt.date
T = D(2024, 8, 31)
SETTINGS = Settings.load(env={})
MONTHS = [T, previous_month_end(T)]


@pytest.fixture
def warehouse(tmp_path):
    con = _warehouse(tmp_path / "w.duckdb")
    yield con
    con.close()


SCOPES = [Scope.all(), Scope.of("tax"), Scope.of("market", "tax"), Scope.all(details=False)]


@pytest.mark.parametrize("scope", SCOPES, ids=["all", "tax", "two", "aggregates"])
def test_precomputed_indicators_equal_the_rule_queries(warehouse, scope):
    live_at = {day: ind.indicators_at(warehouse, day, scope, settings=SETTINGS) for day in MONTHS}
    live_by = {day: ind.indicators_by_department(warehouse, day, scope, settings=SETTINGS) for day in MONTHS}
    assert ind.precompute(warehouse, SETTINGS, MONTHS) > 0
    assert set(ind.precomputed_dates(warehouse)) == set(MONTHS)
    for day in MONTHS:
        pd.testing.assert_frame_equal(ind.indicators_at(warehouse, day, scope, settings=SETTINGS), live_at[day])
        got = ind.indicators_by_department(warehouse, day, scope, settings=SETTINGS)
        pd.testing.assert_frame_equal(got, live_by[day])
    assert not live_by[T].empty


def test_other_dates_and_changed_settings_are_computed_by_the_rules(warehouse):
    ind.precompute(warehouse, SETTINGS, MONTHS)
    live = ind.indicators_at(warehouse, T, Scope.all(), settings=SETTINGS)
    # tamper with the stored rows: while they are read, the tampering shows
    warehouse.execute("UPDATE indicators_precomputed SET value = 0.123, numerator = 123, denominator = 1000")
    stored = ind.indicators_at(warehouse, T, Scope.all(), settings=SETTINGS)
    assert (stored["value"] == 0.123).any()
    # a changed window is another key: the rules run
    wider = dataclasses.replace(SETTINGS, windows=dataclasses.replace(SETTINGS.windows, indicator_months=6))
    assert ind.settings_key(wider) != ind.settings_key(SETTINGS)
    assert not (ind.indicators_at(warehouse, T, Scope.all(), settings=wider)["value"] == 0.123).any()
    # a date that was not precomputed runs the rules
    mid_month = D(2024, 8, 15)
    assert mid_month not in ind.precomputed_dates(warehouse)
    assert not (ind.indicators_at(warehouse, mid_month, Scope.all(), settings=SETTINGS)["value"] == 0.123).any()
    # and the derived key of a snapshot covers the indicator settings too
    assert loading.derived_key(wider) != loading.derived_key(SETTINGS)
    assert not live.empty


def test_precompute_replaces_what_an_earlier_load_stored_and_old_snapshots_are_read_by_the_rules(warehouse):
    expected = ind.indicators_at(warehouse, T, Scope.all(), settings=SETTINGS)
    ind.precompute(warehouse, SETTINGS, MONTHS)
    n = ind.precompute(warehouse, SETTINGS, [T])
    assert set(ind.precomputed_dates(warehouse)) == {T}
    assert warehouse.execute("SELECT count(DISTINCT as_of_date), count(*) FROM indicators_precomputed").fetchone() == (
        1,
        n,
    )
    warehouse.execute("DROP TABLE indicators_precomputed_dates")
    warehouse.execute("DROP TABLE indicators_precomputed")
    assert ind.precomputed_dates(warehouse) == {}
    pd.testing.assert_frame_equal(ind.indicators_at(warehouse, T, Scope.all(), settings=SETTINGS), expected)
