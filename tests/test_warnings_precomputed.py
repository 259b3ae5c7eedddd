"""Warnings precomputed by the load for recent month-ends (credit_warnings.precompute) are exactly
the warnings the rule queries give, and are read only while the settings and rules are unchanged."""

import dataclasses
import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest
from loadkit import isolate
from test_warnings_postgres import _warehouse

from dashboard.core import dates
from dashboard.core.scope import Scope
from dashboard.core.settings import Settings
from dashboard.demo import generate as demo
from dashboard.load import loading
from dashboard.rules import credit_warnings as cw
from dashboard.rules import reference
from dashboard.rules.followup import previous_month_end
from dashboard.store import snapshots

D = dt.date
T = D(2024, 8, 31)
SETTINGS = Settings.load(env={})
MONTHS = [T, previous_month_end(T)]


def comparable(frame: pd.DataFrame) -> list[tuple]:
    """Rows sorted by warning id, lists as tuples and missing values as None."""

    def plain(v):
        if isinstance(v, list):
            return tuple(v)
        return None if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)) else v

    rows = [tuple(plain(v) for v in r) for r in frame[list(cw.WARNING_COLUMNS)].itertuples(index=False, name=None)]
    return sorted(rows, key=lambda r: (r[0], str(r)))


@pytest.fixture
def warehouse(tmp_path):
    con = _warehouse(tmp_path / "w.duckdb")
    yield con
    con.close()


CASES = [
    dict(scope=Scope.all()),
    dict(scope=Scope.all(personal_data=True)),
    dict(scope=Scope.of("tax")),
    dict(scope=Scope.all(), types=["W1"]),
    dict(scope=Scope.all(), types=["W3", "W2"]),
    dict(scope=Scope.all(), department_code="market"),
    dict(scope=Scope.of("tax"), department_code="market"),
]


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_precomputed_warnings_equal_the_rule_queries(warehouse, case):
    live = {day: cw.warnings_at(warehouse, day, settings=SETTINGS, **case) for day in MONTHS}
    assert cw.precompute(warehouse, SETTINGS, MONTHS) > 0
    assert set(cw.precomputed_dates(warehouse)) == set(MONTHS)
    for day in MONTHS:
        got = cw.warnings_at(warehouse, day, settings=SETTINGS, **case)
        assert comparable(got) == comparable(live[day])
        assert list(got.columns) == list(cw.WARNING_COLUMNS)
        # grouped by type in WARNING_TYPES order, as the rule queries give them
        order = [list(cw.WARNING_TYPES).index(t) for t in got["warning_type"]]
        assert order == sorted(order)


def test_every_type_is_precomputed_and_one_subject_can_be_asked_for(warehouse):
    cw.precompute(warehouse, SETTINGS, MONTHS)
    every = cw.warnings_at(warehouse, T, Scope.all(), settings=SETTINGS)
    assert {"W1", "W2", "W3", "W4", "W5", "W1c"} <= set(every["warning_type"])
    one = every["uscc"].dropna().iloc[0]
    got = cw.warnings_at(warehouse, T, Scope.all(), uscc=one, settings=SETTINGS)
    assert comparable(got) == comparable(every[every["uscc"] == one])


def test_other_dates_and_changed_settings_are_computed_by_the_rules(warehouse):
    cw.precompute(warehouse, SETTINGS, MONTHS)
    # tamper with the stored rows: while they are read, the tampering shows
    warehouse.execute("DELETE FROM warnings_precomputed WHERE warning_type = 'W2' AND as_of_date = $d", {"d": T})
    assert "W2" not in set(cw.warnings_at(warehouse, T, Scope.all(), settings=SETTINGS)["warning_type"])
    # a changed W2 horizon is another key: the rules run and the W2 warnings are back
    wider = dataclasses.replace(SETTINGS, windows=dataclasses.replace(SETTINGS.windows, licence_horizon_months=2))
    assert cw.settings_key(wider) != cw.settings_key(SETTINGS)
    assert "W2" in set(cw.warnings_at(warehouse, T, Scope.all(), settings=wider)["warning_type"])
    # a date that was not precomputed runs the rules
    mid_month = D(2024, 8, 15)
    assert mid_month not in cw.precomputed_dates(warehouse)
    assert not cw.warnings_at(warehouse, mid_month, Scope.all(), settings=SETTINGS).empty


def test_precompute_replaces_what_an_earlier_load_stored(warehouse):
    cw.precompute(warehouse, SETTINGS, MONTHS)
    n = cw.precompute(warehouse, SETTINGS, [T])
    assert set(cw.precomputed_dates(warehouse)) == {T}
    assert warehouse.execute("SELECT count(DISTINCT as_of_date), count(*) FROM warnings_precomputed").fetchone() == (
        1,
        n,
    )


def test_a_snapshot_from_before_precomputation_is_read_by_the_rules(warehouse):
    expected = comparable(cw.warnings_at(warehouse, T, Scope.all(), settings=SETTINGS))
    warehouse.execute("DROP TABLE warnings_precomputed_dates")
    warehouse.execute("DROP TABLE warnings_precomputed")
    assert cw.precomputed_dates(warehouse) == {}
    assert comparable(cw.warnings_at(warehouse, T, Scope.all(), settings=SETTINGS)) == expected


def test_a_load_precomputes_the_months_the_picker_opens_on(tmp_path, monkeypatch):
    settings = isolate(monkeypatch, tmp_path)
    as_of = D(2026, 11, 29)
    drop = demo.generate_drop(tmp_path / "drop", scale="tiny", seed=42, as_of=as_of)
    outcome = loading.load_drop(settings, drop)
    assert outcome.status == "ok", outcome.error
    snapshot = snapshots.current_snapshot(settings).path
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        latest = dates.default_month(snapshots.built_at(outcome.snapshot_id), reference.data_horizon(con))
        stored = cw.precomputed_dates(con)
        assert sorted(stored) == sorted(dates.month_ends(latest, settings.warehouse.warning_months))
        assert set(stored.values()) == {cw.settings_key(settings)}
        got = cw.warnings_at(con, latest, Scope.all(), settings=settings)
    finally:
        con.close()
    # the same month of a copy without the stored rows: the rules themselves
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(snapshot, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("DELETE FROM warnings_precomputed_dates")
        live = cw.warnings_at(con, latest, Scope.all(), settings=settings)
    finally:
        con.close()
    assert len(got) > 0 and comparable(got) == comparable(live)
