"""Ingest validation: value parsing, quarantine reasons (with row numbers and original values)
and quality flags (docs/data-contract.md "Reject or flag"; docs/rules.md P3, P4, P8)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import duckdb
import pytest

from dashboard.load.ingest import FLAG_LABELS, REASON_LABELS, EntitySource, ingest_entity
from dashboard.store import schema

MARKET = "112304001123002194"
PENALTY = [
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


def penalty(no: str, **changes: str) -> dict[str, str]:
    base = dict(
        zip(
            PENALTY,
            [
                no,
                "鹤岗市甲商贸有限公司",
                "法人及非法人组织",
                "91350100M000100Y43",
                "罚款",
                "2024-01-05",
                "鹤岗市市场监督管理局",
                MARKET,
                "2024-01-10",
            ],
        )
    )
    base.update(changes)
    return base


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    schema.create_warehouse(c)
    yield c
    c.close()


def load_rows(
    con, tmp_path: Path, entity: str, rows: list[dict[str, str]], mode: str = "incremental", run_id: str = "r1"
):
    header = list(dict.fromkeys(k for r in rows for k in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / f"{entity}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return ingest_entity(con, EntitySource(entity, "file", path=path, label=path.name), mode, run_id)


def quarantine(con) -> list[tuple]:
    return con.execute("SELECT row_no, reason_code, message_zh FROM quarantine ORDER BY row_no, reason_code").fetchall()


# --- values ----------------------------------------------------------------------------------


def test_booleans_absent_words_and_enums(con, tmp_path):
    rows = [
        penalty("罚1", minor_first_offence="是", revoked="FALSE", procedure="简易程序", severity=" 严重 "),
        penalty("罚2", minor_first_offence="y", revoked="0", procedure="一般程序", severity="暂无"),
        penalty("罚3", minor_first_offence="No", revoked="True", procedure="-", severity="无"),
        penalty("罚4", minor_first_offence="NULL", revoked="1", procedure="普通", severity="—"),
    ]
    result = load_rows(con, tmp_path, "penalties", rows)
    assert result.rows_quarantined == 0
    assert con.execute("""SELECT decision_no, minor_first_offence, revoked, procedure, severity
        FROM penalties ORDER BY decision_no""").fetchall() == [
        ("罚1", True, False, "简易", "严重"),
        ("罚2", True, False, "普通", None),
        ("罚3", False, True, None, None),
        ("罚4", None, True, "普通", None),
    ]


def test_date_month_and_number_spellings(con, tmp_path):
    rows = [
        {"department": "市税务局", "month": "2024-03", "kind": "处罚", "decisions": "1,234"},
        {"department": "市税务局", "month": "2024年4月", "kind": "行政许可", "decisions": "12.0"},
        {"department": "市税务局", "month": "202405", "kind": "许可", "decisions": " 7 "},
        {"department": "市税务局", "month": "2024/06/15", "kind": "许可", "decisions": "1，000"},
    ]
    assert load_rows(con, tmp_path, "disclosure_ledger", rows).rows_quarantined == 0
    assert con.execute("SELECT month, kind, decisions FROM disclosure_ledger ORDER BY month").fetchall() == [
        (dt.date(2024, 3, 1), "处罚", 1234),
        (dt.date(2024, 4, 1), "许可", 12),
        (dt.date(2024, 5, 1), "许可", 7),
        (dt.date(2024, 6, 1), "许可", 1000),
    ]
    rows = [
        penalty(f"罚{i}", decision_date=d, reported_at="2024-12-31")
        for i, d in enumerate(
            [
                "2024-01-05",
                "2024/1/5",
                "20240105",
                "2024年1月5日",
                "2024.01.05",
                "2024-01-05 08:30:00",
                "2024/01/05 08:30:00",
                "2024-01-05T08:30:00",
                "2024-01-05 08:30:00.123456",
                "2024-01-05T08:30:00+08:00",
                "2024/1/5 8:30",
            ]
        )
    ]
    load_rows(con, tmp_path, "penalties", rows)
    assert con.execute("SELECT DISTINCT decision_date FROM penalties").fetchall() == [(dt.date(2024, 1, 5),)]


def test_licence_number_falls_back_to_the_decision_document_number(con, tmp_path):
    base = {
        "party_name": "鹤岗市甲商贸有限公司",
        "uscc": "91350100M000100Y43",
        "certificate": "食品经营许可证",
        "decision_date": "2024-01-05",
        "valid_from": "2024-01-05",
        "valid_to": "2029-01-04",
        "authority": "鹤岗市市场监督管理局",
        "authority_uscc": MARKET,
        "status": "1",
        "reported_at": "2024-01-06",
    }
    rows = [
        {"XK_XKBH": "JY123", "XK_WSH": "鹤市监许〔2024〕1号", **base},
        {"XK_XKBH": "", "XK_WSH": "鹤市监许〔2024〕2号", **base},
    ]
    assert load_rows(con, tmp_path, "licenses", rows).rows_inserted == 2
    assert con.execute(
        "SELECT license_no, decision_doc_no, status, _key FROM licenses ORDER BY license_no"
    ).fetchall() == [
        ("JY123", "鹤市监许〔2024〕1号", "有效", "JY123"),
        ("鹤市监许〔2024〕2号", "鹤市监许〔2024〕2号", "有效", "鹤市监许〔2024〕2号"),
    ]


# --- quarantine ------------------------------------------------------------------------------


def test_each_quarantine_reason_keeps_the_row_number_and_original_values(con, tmp_path):
    rows = [
        penalty("罚1"),  # line 2: accepted
        penalty("", party_name="无名"),  # 3: missing_key
        penalty("罚3", decision_date="暂无"),  # 4: missing_required
        penalty("罚4", decision_date="2024-02-30"),  # 5: bad_date
        penalty("罚5", fine_wan_yuan="五千"),  # 6: accepted, flagged amount_unreadable
        penalty("罚6", revoked="也许"),  # 7: bad_bool
        penalty("罚7", party_category="外星人"),  # 8: bad_enum
        penalty("罚8", party_name="第一次"),  # 9: duplicate_key (line 10 wins)
        penalty("罚8", party_name="第二次"),  # 10: accepted
        penalty("罚9", decision_date="1900-01-01", reported_at="x"),
    ]  # 11: bad_date (two columns)
    result = load_rows(con, tmp_path, "penalties", rows)
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (10, 3, 7)
    assert quarantine(con) == [
        (3, "missing_key", "关键字段为空：行政处罚决定书文号（decision_no）"),
        (4, "missing_required", "必填字段为空：处罚决定日期（decision_date）"),
        (5, "bad_date", "日期无法识别：处罚决定日期（decision_date）“2024-02-30”"),
        (7, "bad_bool", "是否值无法识别（应为 是/否）：已撤销（revoked）“也许”"),
        (8, "bad_enum", "取值不在允许范围内：行政相对人类别（party_category）“外星人”"),
        (9, "duplicate_key", "本批数据中关键字段重复（行政处罚决定书文号（decision_no）：“罚8”），以第 10 行为准"),
        (11, "bad_date", "日期无法识别：处罚决定日期（decision_date）“1900-01-01”；上报时间（reported_at）“x”"),
    ]
    assert con.execute(
        "SELECT decision_no, party_name, fine_wan_yuan, _flags FROM penalties ORDER BY decision_no"
    ).fetchall() == [
        ("罚1", "鹤岗市甲商贸有限公司", None, ""),
        ("罚5", "鹤岗市甲商贸有限公司", None, "amount_unreadable"),
        ("罚8", "第二次", None, ""),
    ]
    original = con.execute("SELECT original FROM quarantine WHERE row_no = 7").fetchone()[0]
    assert json.loads(original) == {
        **penalty("罚6", revoked="也许"),
        "fine_wan_yuan": None,
        "party_category": "法人及非法人组织",
    }
    meta = con.execute("SELECT DISTINCT run_id, entity, source FROM quarantine").fetchall()
    assert meta == [("r1", "penalties", "penalties.csv")]


def test_a_row_with_two_reasons_gets_two_quarantine_rows(con, tmp_path):
    load_rows(con, tmp_path, "penalties", [penalty("", decision_date="someday")])
    assert [r[:2] for r in quarantine(con)] == [(2, "bad_date"), (2, "missing_key")]


def test_extra_columns_are_part_of_the_quarantined_original(con, tmp_path):
    load_rows(con, tmp_path, "penalties", [{**penalty(""), "备注": "待补录"}])
    assert json.loads(con.execute("SELECT original FROM quarantine").fetchone()[0])["备注"] == "待补录"


def test_reason_and_flag_labels_are_complete():
    assert set(REASON_LABELS) == {
        "missing_key",
        "missing_required",
        "bad_date",
        "bad_number",
        "bad_bool",
        "bad_enum",
        "duplicate_key",
        "csv_columns",
        "csv_quote",
        "field_too_long",
    }
    assert set(FLAG_LABELS) == {
        "uscc_invalid",
        "authority_uscc_invalid",
        "id_no_invalid",
        "placeholder_date",
        "date_order",
        "missing_field",
        "amount_unreadable",
        "reg_no_only",
        "mojibake",
    }


# --- flags -----------------------------------------------------------------------------------


def test_each_quality_flag(con, tmp_path):
    rows = [
        penalty("罚01"),
        penalty("罚02", uscc="91350100M000100Y44"),
        penalty("罚03", authority_uscc="11230400MB0000000X"),
        penalty("罚04", party_category="自然人", uscc="", party_id_no="230402199003071234"),
        penalty("罚05", publicity_end="2099-12-31"),
        penalty("罚06", publicity_end="1900-01-01"),
        penalty("罚07", reported_at="2023-12-31"),
        penalty("罚08", penalty_kinds=""),
        penalty("罚09", uscc=""),
        penalty("罚10", party_category="自然人", uscc="", party_id_no="230402199003071233"),
        penalty("罚11", uscc="x", authority_uscc="y", publicity_end="9999-09-09", authority=""),
    ]
    result = load_rows(con, tmp_path, "penalties", rows)
    assert (result.rows_accepted, result.rows_flagged, result.rows_quarantined) == (11, 9, 0)
    assert con.execute("SELECT decision_no, _flags, publicity_end FROM penalties ORDER BY decision_no").fetchall() == [
        ("罚01", "", None),
        ("罚02", "uscc_invalid", None),
        ("罚03", "authority_uscc_invalid", None),
        ("罚04", "id_no_invalid", None),
        ("罚05", "placeholder_date", None),
        ("罚06", "placeholder_date", None),
        ("罚07", "date_order", None),
        ("罚08", "missing_field", None),
        ("罚09", "missing_field", None),
        ("罚10", "", None),
        ("罚11", "authority_uscc_invalid;missing_field;placeholder_date;uscc_invalid", None),
    ]


def test_placeholder_in_a_licence_expiry_means_long_term(con, tmp_path):
    """A 有效期至 of 2099-12-31 is a long-term licence (issue 10): no expiry, no quality flag."""
    row = {
        "license_no": "JY1",
        "party_name": "甲",
        "uscc": "91350100M000100Y43",
        "certificate": "许可证",
        "decision_date": "2024-01-05",
        "valid_from": "2024-01-05",
        "valid_to": "2099-12-31",
        "authority": "市场监管局",
        "authority_uscc": MARKET,
        "status": "有效",
        "reported_at": "2024-01-06",
    }
    load_rows(con, tmp_path, "licenses", [row])
    assert con.execute("SELECT valid_to, is_long_term, _flags FROM licenses").fetchall() == [(None, True, "")]


def test_check_columns_are_upper_cased_before_the_check(con, tmp_path):
    load_rows(
        con,
        tmp_path,
        "executees",
        [
            {
                "case_no": "(2024)黑04执1号",
                "party_name": "李四",
                "court": "鹤岗市中级人民法院",
                "filed_date": "2024-03-01",
                "is_dishonest": "是",
                "party_id_no": "23040219900307123x",
            },
            {
                "case_no": "(2024)黑04执2号",
                "party_name": "王五",
                "court": "鹤岗市中级人民法院",
                "filed_date": "2024-03-01",
                "is_dishonest": "否",
                "party_id_no": "230403198512014570",
                "closed_date": "2024-02-01",
            },
        ],
    )
    assert con.execute(
        "SELECT party_name, party_id_no, is_dishonest, _flags FROM executees ORDER BY case_no"
    ).fetchall() == [
        ("李四", "23040219900307123X", True, "id_no_invalid"),
        ("王五", "230403198512014570", False, "date_order"),
    ]
