"""The one query runner fetches through Arrow (dashboard.store.db.run_sql): the frame it gives has,
type by type, the dtypes and values of DuckDB's own conversion (`.df()`), which callers were written
against — text as pandas' str dtype, nullable integers and booleans only when a NULL is present,
DECIMAL and HUGEINT as float64, dates as datetime64[us]."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from dashboard.store import db

# One column of every type the warehouse's queries return; row 1 has values, row 2 NULLs.
COLUMNS = {
    "text": ("VARCHAR", "'鹤岗市兴业煤炭有限公司'"),
    "int32": ("INTEGER", "7"),
    "int64": ("BIGINT", "8000000000"),
    "int16": ("SMALLINT", "3"),
    "amount": ("DECIMAL(18, 2)", "1234.56"),
    "share": ("DOUBLE", "0.125"),
    "flag": ("BOOLEAN", "true"),
    "day": ("DATE", "DATE '2026-06-30'"),
    "moment": ("TIMESTAMP", "TIMESTAMP '2026-06-30 08:15:00'"),
    "moment_tz": ("TIMESTAMPTZ", "TIMESTAMPTZ '2026-06-30 08:15:00+08'"),
    "names": ("VARCHAR[]", "['W1', 'W3']"),
}
TYPED = ", ".join(f"{name} {sql_type}" for name, (sql_type, _) in COLUMNS.items())
# DuckDB's own conversion (the reference here) calls a pandas API that pandas 4 deprecates
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    con.execute(f"CREATE TABLE typed ({TYPED}, n INTEGER)")
    con.execute(f"INSERT INTO typed VALUES ({', '.join(v for _, v in COLUMNS.values())}, 1)")
    con.execute(f"INSERT INTO typed VALUES ({', '.join('NULL' for _ in COLUMNS)}, 2)")
    yield con
    con.close()


# What callers expect of each column: with values only, and with a NULL among them.
EXPECTED_DTYPES = {
    "text": ("str", "str"),
    "int32": ("int32", "Int32"),
    "int64": ("int64", "Int64"),
    "int16": ("int16", "Int16"),
    "amount": ("float64", "float64"),
    "share": ("float64", "float64"),
    "flag": ("bool", "boolean"),
    "day": ("datetime64[us]", "datetime64[us]"),
    "moment": ("datetime64[us]", "datetime64[us]"),
    "moment_tz": ("datetime64[us, Asia/Shanghai]", "datetime64[us, Asia/Shanghai]"),
    "names": ("object", "object"),
}


def _old_row_path(con, sql, params=None):
    """DuckDB's own conversion: what run_sql returned before it fetched through Arrow."""
    return con.execute(sql, db.bind(sql, params or {})).df()


def _same_frames(new: pd.DataFrame, old: pd.DataFrame) -> None:
    lists = [c for c in new.columns if new[c].dtype == object and c == "names"]
    pd.testing.assert_frame_equal(new.drop(columns=lists), old.drop(columns=lists))
    for c in lists:  # numpy arrays per cell; a NULL list is None here, pd.NA there: both missing
        assert [None if v is None or v is pd.NA else list(v) for v in new[c]] == [
            None if v is None or v is pd.NA else list(v) for v in old[c]
        ]


@pytest.mark.parametrize("with_null", [False, True], ids=["values", "with NULL"])
def test_every_warehouse_type_has_the_dtype_and_values_of_the_row_path(con, with_null):
    sql = "SELECT * EXCLUDE (n) FROM typed WHERE n <= $last ORDER BY n"
    params = {"last": 2 if with_null else 1}
    frame = db.run_sql(con, sql, params)
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        c: expected[with_null] for c, expected in EXPECTED_DTYPES.items()
    }
    _same_frames(frame, _old_row_path(con, sql, params))
    first = frame.iloc[0]
    assert first["text"] == "鹤岗市兴业煤炭有限公司"
    assert first["int64"] == 8_000_000_000 and first["amount"] == pytest.approx(1234.56)
    assert first["day"] == pd.Timestamp("2026-06-30") and first["moment"] == pd.Timestamp("2026-06-30 08:15")
    assert first["moment_tz"] == pd.Timestamp("2026-06-30 08:15", tz="Asia/Shanghai")
    assert list(first["names"]) == ["W1", "W3"] and isinstance(first["names"], np.ndarray)
    if with_null:
        missing = frame.iloc[1]
        assert all(pd.isna(missing[c]) for c in COLUMNS if c != "names") and missing["names"] is None
        assert pd.isna(frame["text"].iloc[1]) and frame["int32"].iloc[1] is pd.NA


def test_sums_counts_and_averages_have_the_row_path_types(con):
    # SUM of an integer is HUGEINT in DuckDB (decimal128(38, 0) in Arrow): float64 both ways
    sql = """
        SELECT count(*) AS n_rows, sum(int32) AS total, sum(int64) AS big_total, sum(amount) AS amount,
               avg(share) AS mean, count(text) AS n_text, max(day) AS last_day,
               CAST(sum(int32) AS BIGINT) AS total_bigint, sum(int32) / count(*) AS ratio
        FROM typed
    """
    frame = db.run_sql(con, sql)
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "n_rows": "int64",
        "total": "float64",
        "big_total": "float64",
        "amount": "float64",
        "mean": "float64",
        "n_text": "int64",
        "last_day": "datetime64[us]",
        "total_bigint": "int64",
        "ratio": "float64",
    }
    _same_frames(frame, _old_row_path(con, sql))
    assert frame.iloc[0].to_dict() == {
        "n_rows": 2,
        "total": 7.0,
        "big_total": 8e9,
        "amount": pytest.approx(1234.56),
        "mean": 0.125,
        "n_text": 1,
        "last_day": pd.Timestamp("2026-06-30"),
        "total_bigint": 7,
        "ratio": 3.5,
    }


def test_an_empty_result_keeps_its_columns_and_types(con):
    frame = db.run_sql(con, "SELECT * EXCLUDE (n) FROM typed WHERE n > $n", {"n": 9})
    assert frame.empty
    assert {c: str(t) for c, t in frame.dtypes.items()} == {c: e[0] for c, e in EXPECTED_DTYPES.items()}
    old = _old_row_path(con, "SELECT * EXCLUDE (n) FROM typed WHERE n > $n", {"n": 9})
    # the one difference: DuckDB's conversion gives an empty text column object dtype, Arrow str
    assert str(old["text"].dtype) == "object"
    pd.testing.assert_frame_equal(frame.drop(columns="text"), old.drop(columns="text"))


def test_types_arrow_would_change_are_converted_by_duckdb(con):
    sql = "SELECT INTERVAL 3 DAY AS span, MAP {'a': 1} AS pairs, 'x'::BLOB AS raw UNION ALL SELECT NULL, NULL, NULL"
    frame = db.run_sql(con, sql)
    assert str(frame["span"].dtype) == "timedelta64[us]" and frame["span"].iloc[0] == pd.Timedelta(days=3)
    assert frame["pairs"].iloc[0] == {"a": 1}
    _same_frames(frame.drop(columns="raw"), _old_row_path(con, sql).drop(columns="raw"))


def test_statements_without_rows_run_once(con):
    out = db.run_sql(con, "INSERT INTO typed (text, n) VALUES ($text, $n)", {"text": "新", "n": 3})
    assert list(out.columns) == ["Count"] and int(out["Count"].iloc[0]) == 1
    assert con.execute("SELECT count(*) FROM typed WHERE n = 3").fetchone() == (1,)


def test_dates_bound_and_returned_round_trip(con):
    frame = db.run_sql(con, "SELECT CAST($day AS DATE) AS day", {"day": dt.date(2024, 2, 29)})
    assert frame["day"].iloc[0] == pd.Timestamp("2024-02-29") and str(frame["day"].dtype) == "datetime64[us]"


def test_a_result_of_execute_read_in_part_does_not_block_the_runner(con):
    # what a caller's con.execute(…).fetchone() leaves behind on the connection
    assert con.execute("SELECT count(*) FROM typed").fetchone() == (2,)
    assert db.run_sql(con, "SELECT count(*) AS n FROM typed")["n"].iloc[0] == 2
    con.execute("SELECT n FROM typed ORDER BY n").fetchone()
    db.run_sql(con, "INSERT INTO typed (text, n) VALUES ('新', 3)")
    assert db.run_sql(con, "SELECT max(n) AS n FROM typed")["n"].iloc[0] == 3
