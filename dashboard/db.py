"""The one place that runs SQL from `queries/`: named, bound parameters and the scope filter."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import duckdb
import pandas as pd
import pyarrow as pa

from .access import Scope
from .settings import QUERIES_DIR

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=None)
def query_text(name: str, queries_dir: Path = QUERIES_DIR) -> str:
    """The SQL of queries/<name>.sql."""
    return (queries_dir / f"{name}.sql").read_text(encoding="utf-8")


def bind(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters the SQL names; a named parameter with no value is an error, extras are ignored."""
    wanted = set(_PARAM.findall(strip_comments(sql)))
    missing = wanted - set(params)
    if missing:
        raise KeyError(f"missing query parameters: {sorted(missing)}")
    return {k: params[k] for k in wanted}


def strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def as_subquery(sql: str) -> str:
    """A query file's SQL, ready to stand in parentheses as a derived table: comments and the
    trailing semicolon removed."""
    return strip_comments(sql).strip().rstrip(";")


_NULLABLE = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
             pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype()}


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None,
            columnar: bool = False) -> pd.DataFrame:
    """Run SQL with bound named parameters and fetch the whole result.

    With `columnar` the result travels through Arrow: text stays in Arrow buffers instead of
    becoming one Python object per cell, about twice as fast from 10^5 rows on. The frame is the
    same as without it for text, numbers, booleans and dates (datetime64[us]); DECIMAL and HUGEINT
    columns (e.g. SUM of integers) become float64 as they do without it."""
    bound = bind(sql, params or {})
    if not columnar:
        return con.execute(sql, bound).df()
    table = con.sql(sql, params=bound).to_arrow_table()
    decimals = [i for i, f in enumerate(table.schema) if pa.types.is_decimal(f.type)]
    for i in decimals:
        table = table.set_column(i, table.schema[i].name, table.column(i).cast(pa.float64()))
    frame = table.to_pandas(date_as_object=False)
    for i, field in enumerate(table.schema):
        if field.type in _NULLABLE and table.column(i).null_count:
            # integers and booleans with NULLs: pandas' nullable types, as the row path gives them
            frame.isetitem(i, table.column(i).to_pandas(types_mapper=_NULLABLE.get))
    dates = [c for c, t in frame.dtypes.items() if t.kind == "M" and getattr(t, "tz", None) is None
             and t != "datetime64[us]"]
    return frame.astype({c: "datetime64[us]" for c in dates}) if dates else frame


def run_query(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None,
              scope: Scope | None = None, scope_column: str | None = None, columnar: bool = False) -> pd.DataFrame:
    """Run queries/<name>.sql. With `scope_column`, rows whose department is outside the viewer's
    scope are removed here, in SQL, so no query function can forget it. `columnar`: see run_sql."""
    sql = query_text(name)
    params = dict(params or {})
    if scope_column is not None:
        if scope is None:
            raise ValueError("a scoped query needs the viewer's scope")
        if not re.fullmatch(r"[a-z_]+", scope_column):
            raise ValueError(f"bad scope column {scope_column!r}")
        sql = (f"SELECT * FROM ({as_subquery(sql)}) AS scoped "
               f"WHERE $scope_all OR list_contains($scope_departments, scoped.{scope_column})")
        params["scope_all"] = scope.sees_all
        params["scope_departments"] = scope.department_list
    return run_sql(con, sql, params, columnar=columnar)


def as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
