"""Shared fixtures: a real DuckDB warehouse file with the schema and reference data."""
from __future__ import annotations

import duckdb
import pytest

from dashboard import schema


@pytest.fixture
def warehouse(tmp_path):
    """An empty warehouse (schema + reference data) in a DuckDB file; rows go in with
    schema.insert_current_rows, then call schema.build_marts."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    schema.create_warehouse(con)
    schema.load_reference(con)
    yield con
    con.close()
