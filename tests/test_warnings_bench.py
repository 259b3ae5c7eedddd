"""The benchmark's pandas twin of the warnings gives exactly the warnings of the SQL (ids, routing,
anchors, first-seen dates, risk, escalation) — an independent check of both."""

import datetime as dt

import pytest
from test_warnings_postgres import _warehouse

from dashboard.bench.rules_twin import WARNINGS, load_tables
from dashboard.core.settings import Settings

SETTINGS = Settings.load(env={})


@pytest.mark.parametrize("as_of", [dt.date(2024, 1, 31), dt.date(2024, 6, 1), dt.date(2024, 8, 31)])
def test_pandas_twin_matches_sql(tmp_path, as_of):
    con = _warehouse(tmp_path / "w.duckdb")
    duck = WARNINGS.comparable(WARNINGS.run_duckdb(con, as_of, SETTINGS))
    twin = WARNINGS.comparable(WARNINGS.run_pandas(load_tables(con, WARNINGS.tables), as_of, SETTINGS))
    con.close()
    assert duck == twin and len(duck) >= 3
