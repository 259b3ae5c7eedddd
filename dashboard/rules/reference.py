"""Reference lookups the views and the load share (queries/reference/): departments, districts,
the data horizon behind the default month, the departments that grade subjects."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from dashboard.core.dates import to_date
from dashboard.store.db import run_query


def departments(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """department_code, full_name, short_name, grading_listed, disclosure_unit (reference data)."""
    return run_query(con, "page_departments")


def districts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """district_code, name, kind (P5)."""
    return run_query(con, "page_districts")


def data_horizon(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The newest decision / evaluation / filing date in the data (None when there is none)."""
    return to_date(run_query(con, "page_data_horizon").iloc[0, 0])


def grading_departments(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Codes of the 22 grading departments of 001 (十) (reference data), in code order."""
    frame = departments(con)
    return list(frame.loc[frame["grading_listed"].astype(bool), "department_code"])


def department_short_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """department_code → short name (市税务局), as the count tables show them."""
    return departments(con).set_index("department_code")["short_name"].to_dict()
