"""Issue 11 item 2: row-level resilience in every reader. Each test reproduces a failure of the
loader before the change (the whole entity failed, or bad text went in unflagged): malformed CSV
rows and oversized fields are quarantined with their line numbers and a Chinese reason while the
rest loads (read = accepted + quarantined); edge control characters are stripped; mojibake is
flagged."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dashboard.core.settings import Settings
from dashboard.load.ingest import EntitySource, ingest_entity
from dashboard.store import schema
from tests.loadkit import uscc

HEADER = "uscc,name,status,established_date"


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    schema.create_warehouse(c)
    yield c
    c.close()


def good(i: int) -> str:
    return f"{uscc(i)},鹤岗测试企业{i}有限公司,存续,2020-01-01"


def load(con, path: Path, settings: Settings | None = None, mode: str = "full"):
    source = EntitySource("subjects", "file", path=path, label=path.name)
    return ingest_entity(con, source, mode, "r1", settings=settings)


def counts(result) -> tuple[int, int, int]:
    assert result.rows_read == result.rows_accepted + result.rows_quarantined
    return result.rows_read, result.rows_accepted, result.rows_quarantined


def quarantined(con) -> list[tuple]:
    return con.execute("SELECT row_no, reason_code, message_zh FROM quarantine ORDER BY row_no").fetchall()


def test_three_ragged_rows_are_quarantined_and_the_rest_loads(con, tmp_path):
    lines = [
        HEADER,
        good(1),  # line 2
        f"{uscc(2)},少一列,存续",  # 3: too few fields
        good(3),  # 4
        f"{uscc(4)},多一列,存续,2020-01-01,多余",  # 5: too many fields
        good(5),  # 6
        f'{uscc(6)},"引号未闭合,存续,2020-01-01',  # 7: a quote that never closes
        good(7),  # 8
        good(8),  # 9
    ]
    path = tmp_path / "subjects.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load(con, path)
    assert result.status == "ok"
    assert counts(result) == (8, 5, 3)
    assert quarantined(con) == [
        (3, "csv_columns", "该行列数与表头不符（应有 4 列，实有 3 列），无法拆分为字段"),
        (5, "csv_columns", "该行列数与表头不符（应有 4 列，实有 5 列），无法拆分为字段"),
        (7, "csv_quote", "该行引号不成对，无法拆分为字段"),
    ]
    # the rows after the broken quote are read again one by one, with their own line numbers
    assert con.execute("SELECT name, _row_no FROM subjects ORDER BY _row_no").fetchall() == [
        ("鹤岗测试企业1有限公司", 2),
        ("鹤岗测试企业3有限公司", 4),
        ("鹤岗测试企业5有限公司", 6),
        ("鹤岗测试企业7有限公司", 8),
        ("鹤岗测试企业8有限公司", 9),
    ]
    original = json.loads(con.execute("SELECT original FROM quarantine WHERE row_no = 5").fetchone()[0])
    assert original == {"原始行": f"{uscc(4)},多一列,存续,2020-01-01,多余"}


def test_ragged_rows_of_a_gb18030_file_with_a_title_line(con, tmp_path):
    text = "\r\n".join(["鹤岗市市场主体名单", HEADER, good(1), f"{uscc(2)},乙", good(3)]) + "\r\n"
    path = tmp_path / "subjects.csv"
    path.write_bytes(text.encode("gb18030"))
    result = load(con, path)
    assert counts(result) == (3, 2, 1)
    assert [r[:2] for r in quarantined(con)] == [(4, "csv_columns")]
    assert con.execute("SELECT _row_no FROM subjects ORDER BY 1").fetchall() == [(3,), (5,)]


def test_one_10_mb_field_is_quarantined_and_the_rest_loads(con, tmp_path):
    path = tmp_path / "subjects.csv"
    huge = "大" * (10 * 1024 * 1024 // 3)  # 10 MB of UTF-8
    path.write_text("\n".join([HEADER, good(1), f"{uscc(2)},{huge},存续,2020-01-01", good(3)]) + "\n", encoding="utf-8")
    result = load(con, path)
    assert (result.status, *counts(result)) == ("ok", 3, 2, 1)
    row_no, code, message = quarantined(con)[0]
    assert (row_no, code) == (3, "field_too_long")
    assert message == "字段内容超过长度上限（单个字段不得超过 warehouse.max_field_bytes 字节）"
    assert len(con.execute("SELECT original FROM quarantine").fetchone()[0]) < 10_000  # not copied whole


def test_a_field_over_the_setting_is_quarantined_in_every_reader(con, tmp_path):
    """Between the field limit and the CSV line limit (and in Parquet, which has no lines)."""
    settings = Settings.load()
    small = Settings(**{**settings.__dict__, "warehouse": type(settings.warehouse)(
        **{**settings.warehouse.__dict__, "max_field_bytes": 100})})  # fmt: skip
    long_name = "长" * 40  # 120 bytes
    path = tmp_path / "subjects.csv"
    path.write_text("\n".join([HEADER, good(1), f"{uscc(2)},{long_name},存续,2020-01-01"]) + "\n", encoding="utf-8")
    assert counts(load(con, path, small)) == (2, 1, 1)
    parquet = tmp_path / "subjects.parquet"
    duckdb.sql(
        f"COPY (SELECT * FROM (VALUES ('{uscc(3)}', '{long_name}', '存续', '2020-01-01'), "
        f"('{uscc(4)}', '丁', '存续', '2020-01-01')) t(uscc, name, status, established_date)) TO '{parquet}'"
    )
    assert counts(load(con, parquet, small, mode="incremental")) == (2, 1, 1)
    assert [r[:2] for r in quarantined(con)] == [(1, "field_too_long"), (3, "field_too_long")]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_name_starting_with_a_carriage_return_is_stored_without_it(con, tmp_path, suffix):
    names = ["\r鹤岗市甲商贸有限公司", "鹤岗市乙商贸有限公司\r\n", "\t\x0b鹤岗市丙商贸有限公司\x00"]
    path = tmp_path / f"subjects{suffix}"
    if suffix == ".csv":
        rows = [f'{uscc(i)},"{n}",存续,2020-01-01' for i, n in enumerate(names, 1)]
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8", newline="")
    else:
        wb = openpyxl.Workbook()
        wb.active.append(HEADER.split(","))
        for i, n in enumerate(names, 1):
            wb.active.append([uscc(i), n.replace("\x00", "").replace("\x0b", ""), "存续", "2020-01-01"])
        wb.save(path)
    assert counts(load(con, path)) == (3, 3, 0)
    assert [r[0] for r in con.execute("SELECT name FROM subjects ORDER BY uscc").fetchall()] == [
        "鹤岗市甲商贸有限公司",
        "鹤岗市乙商贸有限公司",
        "鹤岗市丙商贸有限公司",
    ]


def test_likely_mojibake_is_flagged(con, tmp_path):
    names = {
        1: "鹤岗市甲商贸有限公司",  # clean
        2: "鹤岗市乙商贸有限公司".encode().decode("latin-1").replace("\x97", "").replace("\x82", ""),  # as Latin-1
        3: "鹤岗市丙商贸有限公司".encode().decode("cp1252", errors="replace"),  # as Windows-1252
        4: "鹤岗市丁商贸有限公司".encode().decode("gbk", errors="replace"),  # as GBK
        5: "Café Zürich 鹤岗分公司",  # real Latin letters are not mojibake
    }
    path = tmp_path / "subjects.csv"
    rows = [f'{uscc(i)},"{n}",存续,2020-01-01' for i, n in names.items()]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = load(con, path)
    assert counts(result) == (5, 5, 0)
    assert con.execute("SELECT uscc, _flags FROM subjects ORDER BY uscc").fetchall() == [
        (uscc(1), ""),
        (uscc(2), "mojibake"),
        (uscc(3), "mojibake"),
        (uscc(4), "mojibake"),
        (uscc(5), ""),
    ]
