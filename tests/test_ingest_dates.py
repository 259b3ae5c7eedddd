"""Date parsing takes a fast path for the common spellings (one strptime format chosen by the
value's shape, dashboard.load.ingest.pipeline._parse) and must give exactly what trying every
format of contract.DATE_FORMATS in order gives — the reading the data contract documents —
for every spelling, valid or not."""

from __future__ import annotations

import itertools

import duckdb

from dashboard.core import contract
from dashboard.load.ingest import pipeline

DATE_COLUMN = contract.ENTITY_BY_NAME["penalties"].column("decision_date")

YEARS = ("2021", "1999", "0000", "9999", "20", "202a", "12021")
SEPARATORS = ("-", "/", ".", "", "年", "-/")
MONTHS = ("1", "01", "12", "13", "00", "2", "1a")
DAYS = ("1", "01", "29", "30", "31", "00", "3日", "日")
SUFFIXES = ("", " 17:27:15", "T08:00:00", " 25:61:00", " 9:05", "x", "日", ".123", " 17:27:15.5+08:00", "  10:00")
EDGES = (
    "2021-12-02",
    "2021/12/01",
    "20211201",
    "2024-02-29",
    "2023-02-29",
    "2021年12月2日",
    "2021.12.02",
    "2021-12-02 17:27:15",
    "2021-12-02T17:27:15",
    "2021/12/02 17:27:15",
    "2021-02-30 10:00:00",
    "2021-12-0 ",
    "abcd-ef-gh",
    "99999999",
    "----------",
    "",
    "2021-12-02 17:27",
    "2021-12-02 ：17",
)


def list_only(v: str, p: pipeline._Params) -> str:
    """The reading with the whole list of formats (no fast path), as the contract states it."""
    dates = p("date_formats", list(contract.DATE_FORMATS))
    cut = p("time_part", pipeline.TIME_PART)
    return (
        f"CAST(coalesce(try_strptime({v}, {dates}), CASE WHEN {v} LIKE '%:%' THEN "
        f"try_strptime(regexp_replace({v}, {cut}, ''), {dates}) END) AS DATE)"
    )


def spellings() -> list[str]:
    generated = (
        y + s + m + (s[-1:] if s not in ("年",) else "月") + d + x
        for y, s, m, d, x in itertools.product(YEARS, SEPARATORS, MONTHS, DAYS, SUFFIXES)
    )
    return [*EDGES, *generated]


def test_fast_date_path_agrees_with_the_list_of_formats_on_every_spelling():
    values = spellings()
    assert len(values) > 10_000
    p = pipeline._Params()
    fast, reference = pipeline._parse(DATE_COLUMN, "v", p), list_only("v", p)
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE spellings AS SELECT unnest($values) AS v", {"values": values})
        sql = f"SELECT v, {fast} AS fast, {reference} AS reference FROM spellings"
        rows = con.execute(sql, p.used_in(sql)).fetchall()
    finally:
        con.close()
    differ = [(v, a, b) for v, a, b in rows if a != b]
    assert not differ, differ[:10]
    parsed = sum(a is not None for _, a, _ in rows)
    assert 1_000 < parsed < len(rows)  # both valid and invalid spellings were tried


def test_each_fast_shape_is_taken_by_its_own_format():
    p = pipeline._Params()
    con = duckdb.connect()
    try:
        for text, expected in [
            ("2021-12-02", "2021-12-02"),
            ("2021/2/3", "2021-02-03"),
            ("20211201", "2021-12-01"),
            ("2021-12-02 17:27:15", "2021-12-02"),
            ("2021-12-02T25:99", "2021-12-02"),
            ("2021/02/30", None),
        ]:
            sql = f"SELECT CAST({pipeline._parse(DATE_COLUMN, '$text', p)} AS VARCHAR)"
            params = {**p.used_in(sql), "text": text}
            assert con.execute(sql, params).fetchone()[0] == expected, text
    finally:
        con.close()
