"""Ingest of XLSX, Parquet and SQL sources (SQLite file; the real PostgreSQL of scripts/test.sh)."""

from __future__ import annotations

import datetime as dt
import decimal
import socket

import duckdb
import pytest
import sqlalchemy as sa

from dashboard.load.ingest import EntitySource, SourceUnavailable, ingest_entity
from dashboard.store import schema
from tests.pg_kit import unique_name

MARKET = "112304001123002194"
HEADER = [
    "行政处罚决定书文号",
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "处罚类别",
    "处罚决定日期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "上报时间",
    "罚款金额（万元）",
    "已撤销",
    "经办人",
]
EXPECTED = [
    ("罚1", "鹤岗市甲商贸有限公司", dt.date(2024, 1, 5), dt.date(2024, 1, 10), 1.5, False),
    ("罚2", "鹤岗市乙煤业有限公司", dt.date(2024, 2, 29), dt.date(2024, 3, 1), 20.0, True),
]


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    schema.create_warehouse(c)
    yield c
    c.close()


def typed_rows(con) -> list[tuple]:
    return con.execute("""SELECT decision_no, party_name, decision_date, reported_at, fine_wan_yuan, revoked
        FROM penalties ORDER BY decision_no""").fetchall()


# --- XLSX ------------------------------------------------------------------------------------


def test_xlsx_with_excel_date_cells(con, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([])  # an empty first row: the header is the first non-empty row
    ws.append(HEADER)
    ws.append(
        [
            "罚1",
            "鹤岗市甲商贸有限公司",
            "法人",
            "91350100M000100Y43",
            "罚款",
            dt.datetime(2024, 1, 5),
            "鹤岗市市场监督管理局",
            MARKET,
            dt.date(2024, 1, 10),
            1.5,
            False,
            None,
        ]
    )
    ws.append([])  # an empty row inside the data is skipped, numbering goes on
    ws.append(
        [
            "罚2",
            "鹤岗市乙煤业有限公司",
            "法人",
            "91110108551385082Q",
            "罚款",
            "2024年2月29日",
            "鹤岗市市场监督管理局",
            MARKET,
            dt.datetime(2024, 3, 1, 9, 30),
            20,
            True,
            "复核",
        ]
    )
    ws.append(
        [
            "罚3",
            "丙",
            "法人",
            "91110108551385082Q",
            "罚款",
            "2024-02-30",
            "鹤岗市市场监督管理局",
            MARKET,
            dt.date(2024, 3, 1),
            1,
            "否",
            None,
        ]
    )
    path = tmp_path / "penalties.xlsx"
    wb.save(path)
    result = ingest_entity(con, EntitySource("penalties", "file", path=path, label=path.name), "full", "r1")
    assert (result.status, result.rows_read, result.rows_accepted, result.extra_columns) == ("ok", 3, 2, ["经办人"])
    assert typed_rows(con) == EXPECTED
    assert con.execute("SELECT decision_no, _row_no FROM stg_penalties ORDER BY _row_no").fetchall() == [
        ("罚1", 3),
        ("罚2", 5),
    ]
    assert con.execute(
        "SELECT decision_date, reported_at, _extra FROM raw_penalties WHERE decision_no = '罚2'"
    ).fetchone() == ("2024年2月29日", "2024-03-01 09:30:00", '{"经办人":"复核"}')
    assert con.execute("SELECT row_no, reason_code FROM quarantine").fetchall() == [(6, "bad_date")]


def test_xlsx_sheet_named_after_the_entity_is_preferred(con, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本文件为行政处罚数据"])
    ws = wb.create_sheet("行政处罚")
    ws.append(HEADER[:9])
    ws.append(
        [
            "罚1",
            "甲",
            "法人",
            "91350100M000100Y43",
            "罚款",
            dt.date(2024, 1, 5),
            "市场监管局",
            MARKET,
            dt.date(2024, 1, 6),
        ]
    )
    path = tmp_path / "penalties.xlsx"
    wb.save(path)
    result = ingest_entity(con, EntitySource("penalties", "file", path=path, label=path.name), "full", "r1")
    assert (result.status, result.rows_inserted) == ("ok", 1)


def test_xlsx_title_rows_above_the_header_are_skipped(con, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["鹤岗市行政处罚信息公示表"])
    ws.merge_cells("A1:I1")
    ws.append(["填报单位：鹤岗市市场监督管理局", None, None, "填报日期：2024年3月"])
    ws.append(HEADER[:9])
    ws.append(
        [
            "罚1",
            "甲",
            "法人",
            "91350100M000100Y43",
            "罚款",
            dt.date(2024, 1, 5),
            "市场监管局",
            MARKET,
            dt.date(2024, 1, 6),
        ]
    )
    path = tmp_path / "penalties.xlsx"
    wb.save(path)
    result = ingest_entity(con, EntitySource("penalties", "file", path=path, label=path.name), "full", "r1")
    assert (result.status, result.rows_read, result.rows_inserted, result.extra_columns) == ("ok", 1, 1, [])
    assert con.execute("SELECT decision_no, _row_no FROM stg_penalties").fetchall() == [("罚1", 4)]


def test_a_broken_xlsx_fails_with_a_chinese_message(con, tmp_path):
    path = tmp_path / "penalties.xlsx"
    path.write_bytes(b"not a zip file")
    result = ingest_entity(con, EntitySource("penalties", "file", path=path, label=path.name), "full", "r1")
    assert result.status == "failed"
    assert result.error.startswith("无法读取文件 penalties.xlsx：不是有效的 Excel（.xlsx）文件")


# --- Parquet ---------------------------------------------------------------------------------


def test_parquet_with_typed_columns(con, tmp_path):
    path = tmp_path / "penalties.parquet"
    maker = duckdb.connect()
    maker.execute(f"""COPY (SELECT * FROM (VALUES
        ('罚2', '鹤岗市乙煤业有限公司', '法人', '91110108551385082Q', '罚款', DATE '2024-02-29', '市场监管局', '{MARKET}',
         TIMESTAMP '2024-03-01 09:30:00', 20.0, true, '复核'),
        ('罚1', '鹤岗市甲商贸有限公司', '法人', '91350100M000100Y43', '罚款', DATE '2024-01-05', '市场监管局', '{MARKET}',
         TIMESTAMP '2024-01-10 00:00:00', 1.5, false, NULL))
        AS t(CF_WSH, CF_XDR_MC, CF_XDR_LB, CF_XDR_SHXYM, CF_CFLB, CF_JDRQ, CF_CFJG, CF_CFJGDM, "上报时间",
             CF_NR_FK, "已撤销", "经办人")) TO '{path}' (FORMAT parquet)""")
    maker.close()
    result = ingest_entity(con, EntitySource("penalties", "file", path=path, label=path.name), "full", "r1")
    assert (result.status, result.rows_inserted, result.extra_columns) == ("ok", 2, ["经办人"])
    assert typed_rows(con) == EXPECTED
    assert con.execute("SELECT decision_no, _row_no FROM stg_penalties ORDER BY _row_no").fetchall() == [
        ("罚2", 1),
        ("罚1", 2),
    ]


def test_a_broken_parquet_fails_with_a_chinese_message(con, tmp_path):
    path = tmp_path / "penalties.parquet"
    path.write_bytes(b"PAR1 but not really")
    result = ingest_entity(con, EntitySource("penalties", "file", path=path, label=path.name), "full", "r1")
    assert result.error.startswith("无法读取文件 penalties.parquet：不是有效的 Parquet 文件")


# --- SQL sources -----------------------------------------------------------------------------

SOURCE_ROWS = [
    {
        "cf_wsh": "罚2",
        "cf_xdr_mc": "鹤岗市乙煤业有限公司",
        "cf_xdr_lb": "法人",
        "cf_xdr_shxym": "91110108551385082Q",
        "cf_cflb": "罚款",
        "cf_jdrq": dt.date(2024, 2, 29),
        "cf_cfjg": "市场监管局",
        "cf_cfjgdm": MARKET,
        "reported_at": dt.datetime(2024, 3, 1, 9, 30),
        "cf_nr_fk": decimal.Decimal("20.00"),
        "revoked": True,
    },
    {
        "cf_wsh": "罚1",
        "cf_xdr_mc": "鹤岗市甲商贸有限公司",
        "cf_xdr_lb": "法人",
        "cf_xdr_shxym": "91350100M000100Y43",
        "cf_cflb": "罚款",
        "cf_jdrq": dt.date(2024, 1, 5),
        "cf_cfjg": "市场监管局",
        "cf_cfjgdm": MARKET,
        "reported_at": dt.datetime(2024, 1, 10),
        "cf_nr_fk": decimal.Decimal("1.50"),
        "revoked": False,
    },
]


def _make_source_table(engine: sa.Engine, table: str) -> None:
    meta = sa.MetaData()
    t = sa.Table(
        table,
        meta,
        *(sa.Column(n, sa.String(100)) for n in ("cf_wsh", "cf_xdr_mc", "cf_xdr_lb", "cf_xdr_shxym", "cf_cflb")),
        sa.Column("cf_jdrq", sa.Date),
        sa.Column("cf_cfjg", sa.String(100)),
        sa.Column("cf_cfjgdm", sa.String(18)),
        sa.Column("reported_at", sa.DateTime),
        sa.Column("cf_nr_fk", sa.Numeric(12, 2)),
        sa.Column("revoked", sa.Boolean),
    )
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), SOURCE_ROWS)


def _check_sql_source(con, url: str, table: str) -> None:
    by_table = ingest_entity(
        con, EntitySource("penalties", "sql", url=url, table=table, label=f"db:{table}"), "full", "r1"
    )
    assert (by_table.status, by_table.source, by_table.rows_inserted) == ("ok", f"db:{table}", 2), by_table.error
    assert typed_rows(con) == EXPECTED
    assert con.execute("SELECT decision_no, _row_no, _source FROM stg_penalties ORDER BY _row_no").fetchall() == [
        ("罚2", 1, f"db:{table}"),
        ("罚1", 2, f"db:{table}"),
    ]
    query = f"SELECT * FROM {table} WHERE cf_wsh = '罚1'"
    by_query = ingest_entity(
        con, EntitySource("penalties", "sql", url=url, query=query, label="db:query"), "full", "r2"
    )
    assert (by_query.status, by_query.rows_read, by_query.rows_unchanged, by_query.rows_retired) == ("ok", 1, 1, 1)
    assert con.execute("SELECT decision_no FROM penalties").fetchall() == [("罚1",)]


def test_sql_source_sqlite_by_table_and_by_query(con, tmp_path):
    url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    engine = sa.create_engine(url)
    _make_source_table(engine, "cf_penalties")
    engine.dispose()
    _check_sql_source(con, url, "cf_penalties")


def test_sql_source_rejects_a_bad_table_name_and_a_non_select(con, tmp_path):
    url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    bad_table = ingest_entity(
        con, EntitySource("penalties", "sql", url=url, table="x; DROP TABLE y", label="db:x"), "full", "r1"
    )
    assert (bad_table.status, bad_table.error) == ("failed", "数据库表名不合法：x; DROP TABLE y")
    not_select = ingest_entity(
        con, EntitySource("penalties", "sql", url=url, query="DELETE FROM y", label="db:q"), "full", "r1"
    )
    assert not_select.error == "数据库查询必须是一条 SELECT 语句"
    missing = ingest_entity(con, EntitySource("penalties", "sql", url=url, table="nope", label="db:nope"), "full", "r1")
    assert missing.status == "failed" and missing.error.startswith("无法读取数据库 db:nope：")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_database_raises_source_unavailable_without_the_password(con):
    url = f"postgresql+psycopg2://loader:s3cret-pw@127.0.0.1:{_closed_port()}/credit"
    source = EntitySource("penalties", "sql", url=url, table="cf_penalties", label="db:cf_penalties")
    with pytest.raises(SourceUnavailable) as info:
        ingest_entity(con, source, "full", "r1")
    assert "s3cret-pw" not in str(info.value) and "s3cret-pw" not in repr(source)
    assert str(info.value).startswith("无法连接数据库 db:cf_penalties：")
    assert con.execute("SELECT count(*) FROM stg_penalties").fetchone() == (0,)


@pytest.mark.postgres
def test_sql_source_postgresql_by_table_and_by_query(con, pg_url):
    table = unique_name("ingest_src")  # in the public schema, which the loader reads by default
    engine = sa.create_engine(pg_url)
    try:
        _make_source_table(engine, table)
        _check_sql_source(con, pg_url, table)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()
