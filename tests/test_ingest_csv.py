"""Ingest of CSV drops: header aliases, encodings, extra columns, idempotent upserts, corrections,
full vs incremental retirement, drop discovery."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboard.load.ingest import EntitySource, find_drop_sources, ingest_entity, unknown_drop_files
from dashboard.store import schema

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
HEADER = [
    "decision_no",
    "party_name",
    "party_category",
    "uscc",
    "penalty_kinds",
    "decision_date",
    "authority",
    "authority_uscc",
    "reported_at",
]
MARKET = "112304001123002194"  # 鹤岗市市场监督管理局 (valid P3)


def row(
    no: str, party: str = "鹤岗市甲商贸有限公司", uscc: str = "91350100M000100Y43", day: str = "2024-01-05"
) -> list[str]:
    return [no, party, "法人及非法人组织", uscc, "罚款", day, "鹤岗市市场监督管理局", MARKET, "2024-01-10"]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(header, rows).encode(encoding))
    return path


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    schema.create_warehouse(c)
    yield c
    c.close()


def load(con, path: Path, mode: str = "incremental", run_id: str = "r1", entity: str = "penalties"):
    return ingest_entity(con, EntitySource(entity, "file", path=path, label=path.name), mode, run_id)


def current(con, cols: str = "decision_no, party_name, uscc, decision_date") -> list[tuple]:
    return con.execute(f"SELECT {cols} FROM penalties ORDER BY decision_no").fetchall()


@pytest.mark.parametrize(
    "header",
    [
        HEADER,
        ["CF_WSH", "CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_CFLB", "CF_JDRQ", "CF_CFJG", "CF_CFJGDM", "上报时间"],
        [
            "行政处罚决定书文号",
            "行政相对人名称",
            "行政相对人类别",
            "统一社会信用代码",
            "处罚类别",
            "处罚决定日期",
            "处罚机关",
            "处罚机关统一社会信用代码",
            "上报时间",
        ],
        [
            " cf_wsh ",
            "Cf_Xdr_Mc",
            "PARTY_CATEGORY",
            "\u3000统一社会信用代码\u3000",
            "penalty_kinds ",
            " CF_JDRQ",
            "Authority",
            "cf_cfjgdm",
            "\ufeffReported_At",
        ],
    ],
    ids=["canonical", "code", "chinese", "case-and-space"],
)
def test_every_header_alias_family_maps_to_the_canonical_column(con, tmp_path, header):
    path = write(
        tmp_path / "penalties.csv",
        header,
        [row("罚1"), row("罚2", "鹤岗市乙煤业有限公司", "91110108551385082Q", "2024/02/03")],
    )
    result = load(con, path)
    assert (result.status, result.rows_read, result.rows_inserted, result.extra_columns) == ("ok", 2, 2, [])
    assert current(con) == [
        ("罚1", "鹤岗市甲商贸有限公司", "91350100M000100Y43", dt.date(2024, 1, 5)),
        ("罚2", "鹤岗市乙煤业有限公司", "91110108551385082Q", dt.date(2024, 2, 3)),
    ]


def test_fixture_with_national_codes_loads_typed_values(con):
    result = load(con, FIXTURES / "penalties_codes.csv")
    assert (result.status, result.rows_accepted, result.rows_quarantined) == ("ok", 3, 0)
    rows = con.execute("""SELECT decision_no, party_category, uscc, penalty_kinds, decision_date, reported_at,
        party_id_no, fine_wan_yuan, publicity_end, procedure, severity, minor_first_offence, revoked, _flags
        FROM penalties ORDER BY _row_no""").fetchall()
    assert rows == [
        (
            "鹤市监罚〔2024〕1号",
            "法人及非法人组织",
            "91350100M000100Y43",
            "罚款;警告",
            dt.date(2024, 1, 5),
            dt.date(2024, 1, 10),
            None,
            1234.5,
            None,
            "普通",
            "一般",
            False,
            False,
            "",
        ),
        (
            "鹤市监罚〔2024〕2号",
            "自然人",
            None,
            "警告",
            dt.date(2024, 2, 1),
            dt.date(2024, 2, 2),
            "230402199003071233",
            None,
            None,
            "简易",
            "轻微",
            True,
            False,
            "placeholder_date",
        ),
        (
            "鹤税罚〔2024〕3号",
            "法人及非法人组织",
            "91110108551385082Q",
            "罚款",
            dt.date(2024, 3, 4),
            dt.date(2024, 3, 5),
            None,
            20.0,
            dt.date(2025, 3, 4),
            "普通",
            "严重",
            False,
            True,
            "",
        ),
    ]


def test_unknown_columns_are_kept_in_raw_and_reported(con, tmp_path):
    path = write(
        tmp_path / "penalties.csv",
        HEADER + ["经办人", "内部编号"],
        [row("罚1") + ["加急", "X-1"], row("罚2") + ["", "X-2"]],
    )
    result = load(con, path)
    assert result.extra_columns == ["经办人", "内部编号"]
    raw = con.execute("SELECT decision_no, _extra, _row_no, _source FROM raw_penalties ORDER BY _row_no").fetchall()
    assert [(r[0], json.loads(r[1]), r[2], r[3]) for r in raw] == [
        ("罚1", {"经办人": "加急", "内部编号": "X-1"}, 2, "penalties.csv"),
        ("罚2", {"经办人": None, "内部编号": "X-2"}, 3, "penalties.csv"),
    ]
    meta = con.execute(
        "SELECT entity, source, mode, rows_read, rows_inserted, extra_columns FROM meta_entity_loads"
    ).fetchall()
    assert meta == [("penalties", "penalties.csv", "incremental", 2, 2, '["经办人", "内部编号"]')]


def test_missing_required_column_fails_the_entity_and_changes_nothing(con, tmp_path):
    load(con, write(tmp_path / "penalties.csv", HEADER, [row("罚1")]), run_id="r1")
    header = [h for h in HEADER if h != "decision_date"]
    (tmp_path / "again").mkdir()
    bad = write(tmp_path / "again" / "penalties.csv", header, [row("罚9")[:5] + row("罚9")[6:]])
    result = load(con, bad, mode="full", run_id="r2")
    assert (result.status, result.error) == ("failed", "缺少必填列：处罚决定日期（decision_date）")
    assert (result.rows_read, result.rows_inserted) == (0, 0)
    assert current(con, "decision_no, _is_current") == [("罚1", True)]
    assert con.execute("SELECT count(*) FROM meta_entity_loads WHERE run_id = 'r2'").fetchone() == (0,)


def test_raw_keeps_the_original_text_and_stg_the_typed_value(con, tmp_path):
    path = write(
        tmp_path / "penalties.csv",
        HEADER,
        [
            [
                " 罚1 ",
                "甲",
                "法人",
                " 91350100m000100y43 ",
                "罚款",
                "2024年1月5日",
                "鹤岗市市场监督管理局",
                MARKET,
                "20240110",
            ]
        ],
    )
    load(con, path)
    assert con.execute("SELECT decision_no, party_category, uscc, decision_date FROM raw_penalties").fetchall() == [
        (" 罚1 ", "法人", " 91350100m000100y43 ", "2024年1月5日")
    ]
    assert current(con, "decision_no, party_category, uscc, decision_date, reported_at, _key") == [
        ("罚1", "法人及非法人组织", "91350100M000100Y43", dt.date(2024, 1, 5), dt.date(2024, 1, 10), "罚1")
    ]


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_are_detected(con, tmp_path, encoding):
    party = "鹤岗市𠮷祥商贸有限公司" if encoding == "gb18030" else "鹤岗市吉祥商贸有限公司"  # 𠮷 is outside GBK
    path = write(
        tmp_path / "penalties.csv",
        ["行政处罚决定书文号", *HEADER[1:]],
        [row("鹤罚〔2024〕1号", party)],
        encoding=encoding,
    )
    result = load(con, path)
    assert result.status == "ok", result.error
    assert current(con, "decision_no, party_name") == [("鹤罚〔2024〕1号", party)]


def test_undecodable_file_fails_only_that_entity(con, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    write(drop / "penalties.csv", HEADER, [row("罚1")])
    (drop / "licenses.csv").write_bytes(b"license_no,party_name\n\xff\xfe\x80\x81abc,\xff\n")
    results = {src.entity: ingest_entity(con, src, "full", "r1") for src in find_drop_sources(drop)}
    assert results["licenses"].status == "failed"
    assert results["licenses"].error == "无法读取文件 licenses.csv：编码无法识别（不是 UTF-8 或 GB18030）"
    assert (results["penalties"].status, results["penalties"].rows_inserted) == ("ok", 1)
    assert con.execute("SELECT count(*) FROM stg_licenses").fetchone() == (0,)


def test_empty_file_and_unsupported_suffix_fail_with_chinese_messages(con, tmp_path):
    empty = tmp_path / "penalties.csv"
    empty.write_bytes(b"")
    assert load(con, empty).error == "无法读取文件 penalties.csv：文件为空"
    xls = tmp_path / "penalties.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    assert load(con, xls).error == "无法读取文件 penalties.xls：不支持的文件格式（仅支持 .csv、.xlsx、.parquet）"


def test_tab_separated_file_is_read(con, tmp_path):
    path = tmp_path / "penalties.csv"
    path.write_text("\t".join(HEADER) + "\n" + "\t".join(row("罚1")) + "\n", encoding="utf-8")
    assert load(con, path).rows_inserted == 1


# --- upserts ---------------------------------------------------------------------------------


def _tables(con) -> tuple[list, list]:
    stg = con.execute("SELECT * EXCLUDE (_loaded_at) FROM stg_penalties ORDER BY _key, _run_id").fetchall()
    raw = con.execute("SELECT * FROM raw_penalties ORDER BY _key, _run_id").fetchall()
    return stg, raw


def test_loading_the_same_file_twice_changes_nothing(con, tmp_path):
    path = write(tmp_path / "penalties.csv", HEADER, [row("罚1"), row("罚2"), row("罚3")])
    first = load(con, path, mode="full", run_id="r1")
    before = _tables(con) + (con.execute("SELECT _loaded_at FROM stg_penalties ORDER BY _key").fetchall(),)
    second = load(con, path, mode="full", run_id="r2")
    assert (
        first.rows_inserted,
        second.rows_inserted,
        second.rows_unchanged,
        second.rows_replaced,
        second.rows_retired,
    ) == (3, 0, 3, 0, 0)
    assert _tables(con) + (con.execute("SELECT _loaded_at FROM stg_penalties ORDER BY _key").fetchall(),) == before


def test_same_values_in_other_spellings_are_unchanged(con, tmp_path):
    load(con, write(tmp_path / "a.csv", HEADER, [row("罚1", day="2024-01-05")]))
    again = load(con, write(tmp_path / "b.csv", HEADER, [row("罚1", day="2024年1月5日")]), run_id="r2")
    assert (again.rows_unchanged, again.rows_replaced) == (1, 0)


def test_a_corrected_row_replaces_the_old_version_which_is_kept(con, tmp_path):
    load(con, write(tmp_path / "a.csv", HEADER, [row("罚1"), row("罚2")]), run_id="r1")
    fixed = load(con, write(tmp_path / "b.csv", HEADER, [row("罚1", party="鹤岗市甲商贸有限责任公司")]), run_id="r2")
    assert (fixed.rows_replaced, fixed.rows_inserted, fixed.rows_unchanged, fixed.rows_retired) == (1, 0, 0, 0)
    history = con.execute("""SELECT decision_no, party_name, _run_id, _is_current, _end_reason, _ended_at IS NOT NULL
        FROM stg_penalties ORDER BY decision_no, _run_id""").fetchall()
    assert history == [
        ("罚1", "鹤岗市甲商贸有限公司", "r1", False, "replaced", True),
        ("罚1", "鹤岗市甲商贸有限责任公司", "r2", True, None, False),
        ("罚2", "鹤岗市甲商贸有限公司", "r1", True, None, False),
    ]
    assert con.execute(
        "SELECT party_name, _run_id, _source FROM raw_penalties WHERE decision_no = '罚1' ORDER BY _run_id"
    ).fetchall() == [("鹤岗市甲商贸有限公司", "r1", "a.csv"), ("鹤岗市甲商贸有限责任公司", "r2", "b.csv")]


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("full", [("罚1", True, None), ("罚2", False, "retired"), ("罚3", True, None)]),
        ("incremental", [("罚1", True, None), ("罚2", True, None), ("罚3", True, None)]),
    ],
)
def test_full_mode_retires_missing_keys_incremental_does_not(con, tmp_path, mode, expected):
    load(con, write(tmp_path / "a.csv", HEADER, [row("罚1"), row("罚2")]), run_id="r1")
    result = load(con, write(tmp_path / "b.csv", HEADER, [row("罚1"), row("罚3")]), mode=mode, run_id="r2")
    assert (result.rows_inserted, result.rows_unchanged, result.rows_retired) == (1, 1, 1 if mode == "full" else 0)
    assert (
        con.execute("SELECT decision_no, _is_current, _end_reason FROM stg_penalties ORDER BY decision_no").fetchall()
        == expected
    )


def test_full_mode_does_not_retire_a_key_whose_row_was_quarantined(con, tmp_path):
    load(con, write(tmp_path / "a.csv", HEADER, [row("罚1"), row("罚2")]), run_id="r1")
    result = load(
        con, write(tmp_path / "b.csv", HEADER, [row("罚1"), row("罚2", day="2024-02-30")]), mode="full", run_id="r2"
    )
    assert (result.rows_quarantined, result.rows_retired) == (1, 0)
    assert con.execute("SELECT count(*) FROM penalties").fetchone() == (2,)


def test_subjects_keep_one_uscc_on_two_names(con, tmp_path):
    path = write(
        tmp_path / "subjects.csv",
        ["统一社会信用代码", "主体名称", "登记状态", "成立日期"],
        [
            ["91350100M000100Y43", "鹤岗市甲商贸有限公司", "存续", "2010-05-01"],
            ["91350100M000100Y43", "鹤岗市甲商贸公司", "在业", "2010-05-01"],
        ],
    )
    result = load(con, path, entity="subjects")
    assert (result.rows_inserted, result.rows_quarantined) == (2, 0)
    assert con.execute("SELECT uscc, name, status, _key FROM subjects ORDER BY name").fetchall() == [
        ("91350100M000100Y43", "鹤岗市甲商贸公司", "存续", "91350100M000100Y43|鹤岗市甲商贸公司"),
        ("91350100M000100Y43", "鹤岗市甲商贸有限公司", "存续", "91350100M000100Y43|鹤岗市甲商贸有限公司"),
    ]


def test_key_is_built_as_the_fixture_helper_builds_it(con, tmp_path):
    path = write(
        tmp_path / "abnormal_operations.csv",
        ["uscc", "listed_date", "listed_reason"],
        [["91350100M000100Y43", "2023/7/1", "通过登记的住所无法联系"]],
    )
    load(con, path, entity="abnormal_operations")
    schema.insert_current_rows(
        con,
        "abnormal_operations",
        [{"uscc": "91350100M000100Y43", "listed_date": dt.date(2023, 7, 1), "listed_reason": "x"}],
    )
    keys = con.execute("SELECT DISTINCT _key FROM stg_abnormal_operations").fetchall()
    assert keys == [("91350100M000100Y43|2023-07-01",)]


def test_progress_reports_the_main_steps(con, tmp_path):
    messages: list[str] = []
    path = write(tmp_path / "penalties.csv", HEADER, [row("罚1")])
    ingest_entity(
        con, EntitySource("penalties", "file", path=path, label="penalties.csv"), "full", "r1", messages.append
    )
    assert messages[0] == "penalties.csv：开始读取（行政处罚）"
    assert "penalties.csv：读取 1 行" in messages
    assert messages[-1] == "penalties.csv：写入完成，新增 1，更新 0，未变 0，退役 0"


# --- drops -----------------------------------------------------------------------------------


def test_find_drop_sources_and_unknown_files(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    for name in (
        "penalties.csv",
        "Subjects.XLSX",
        "licenses.parquet",
        "licenses.csv",
        "notes.txt",
        "penalties_old.csv",
        "loans.xls",
        ".hidden.csv",
    ):
        (drop / name).write_bytes(b"x")
    (drop / "tax_credit").mkdir()
    sources = find_drop_sources(drop)
    assert [(s.entity, s.kind, s.path.name, s.label) for s in sources] == [
        ("subjects", "file", "Subjects.XLSX", "Subjects.XLSX"),
        ("penalties", "file", "penalties.csv", "penalties.csv"),
        ("licenses", "file", "licenses.parquet", "licenses.parquet"),
    ]
    assert unknown_drop_files(drop) == ["licenses.csv", "loans.xls", "notes.txt", "penalties_old.csv"]


def test_fixture_copy_in_a_drop_loads(con, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(FIXTURES / "penalties_codes.csv", drop / "penalties.csv")
    [source] = find_drop_sources(drop)
    assert ingest_entity(con, source, "full", "r1").rows_inserted == 3


def test_gb18030_text_after_a_long_ascii_head_is_still_detected(con, tmp_path):
    rows = [row(f"F{i:06d}", "ascii party", "91350100M000100Y43") for i in range(12_000)]  # > 1 MB of ASCII
    rows.append(row("鹤罚〔2024〕1号", "鹤岗市𠮷祥商贸有限公司"))
    path = write(tmp_path / "penalties.csv", HEADER, rows, encoding="gb18030")
    assert path.stat().st_size > 1 << 20
    result = load(con, path)
    assert (result.status, result.rows_inserted) == ("ok", 12_001)
    assert con.execute(
        "SELECT party_name, _row_no FROM penalties WHERE decision_no = '鹤罚〔2024〕1号'"
    ).fetchone() == ("鹤岗市𠮷祥商贸有限公司", 12_002)


def test_a_late_undecodable_byte_fails_the_entity(con, tmp_path):
    rows = [row(f"F{i:06d}", "ascii party") for i in range(12_000)]
    path = tmp_path / "penalties.csv"
    path.write_bytes(csv_text(HEADER, rows).encode("utf-8") + b"F9,\xff\xff,x\n")
    result = load(con, path)
    assert (result.status, result.error) == (
        "failed",
        "无法读取文件 penalties.csv：编码无法识别（不是 UTF-8 或 GB18030）",
    )
    assert con.execute("SELECT count(*) FROM stg_penalties").fetchone() == (0,)


def test_a_malformed_csv_row_is_quarantined_with_its_line(con, tmp_path):
    """Issue 11: a row with the wrong number of fields no longer fails the entity."""
    path = tmp_path / "penalties.csv"
    path.write_text(csv_text(HEADER, [row("罚1")]) + "罚2,甲,法人,x,y,z,a,b,c,d,e,f\n", encoding="utf-8")
    result = load(con, path)
    assert (result.status, result.rows_read, result.rows_accepted, result.rows_quarantined) == ("ok", 2, 1, 1)
    assert con.execute("SELECT row_no, reason_code FROM quarantine").fetchall() == [(3, "csv_columns")]


def test_row_hash_is_pinned(con):
    """_row_hash is DuckDB's hash() of the typed values: if a DuckDB upgrade changed it, every
    row of the next load would be re-versioned. This pin makes such an upgrade visible first."""
    load(con, FIXTURES / "penalties_codes.csv")
    assert con.execute("SELECT _row_hash FROM stg_penalties ORDER BY _row_no").fetchall() == [
        ("5944306323279487027",),
        ("1880757344510627580",),
        ("16309240462747621789",),
    ]
