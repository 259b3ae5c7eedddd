"""The data-quality page's queries: exact rows on a hand-written warehouse and operational store."""

import datetime as dt
import json

import pandas as pd
import pytest

from dashboard.core import contract
from dashboard.core.identifiers import make_resident_id, make_uscc
from dashboard.core.scope import Scope
from dashboard.core.settings import QUERIES_DIR, Settings
from dashboard.load.ingest.model import EntityResult
from dashboard.rules import quality
from dashboard.store import opstore, runs, schema

D = dt.date
T = D(2024, 9, 30)
A = make_uscc("91", "230402", "MA1B2C3D")
DUP = make_uscc("91", "230403", "MA2B3C4D")
BAD_9 = A[:17] + ("0" if A[17] != "0" else "1")
GOV = make_uscc("11", "230400", "00123456")
BAD_1 = GOV[:17] + ("0" if GOV[17] != "0" else "1")
BAD_5 = "52230400MJ0000000X"
ORPHAN = make_uscc("91", "230404", "MA5B6C7D")
PERSON_ID = make_resident_id("230403", D(1980, 5, 6), "123")


def value(v):
    if isinstance(v, pd.Timestamp):
        return v.date()
    return None if pd.isna(v) else v


def rows(frame, *columns):
    """The frame's rows as plain tuples (dates as datetime.date, missing values as None)."""
    return [tuple(value(v) for v in r) for r in frame[list(columns)].itertuples(index=False)]


@pytest.fixture
def con(warehouse):
    ins = lambda entity, data: schema.insert_current_rows(warehouse, entity, data)  # noqa: E731
    ins(
        "subjects",
        [
            dict(uscc=A, name="鹤岗市甲商贸有限公司", status="存续", established_date=D(2020, 1, 1)),
            dict(uscc=DUP, name="鹤岗市丙有限公司", status="存续", established_date=D(2020, 1, 1)),
            dict(uscc=DUP, name="鹤岗市丁有限公司", status="注销", established_date=D(2018, 1, 1)),
            dict(uscc=BAD_9, name="错码商贸有限公司", status="存续", established_date=D(2020, 1, 1)),
            dict(uscc=BAD_9, name="错码商贸二公司", status="存续", established_date=D(2020, 1, 1)),
            dict(uscc=BAD_1, name="鹤岗市某事务局", status="存续", established_date=D(2000, 1, 1)),
            dict(uscc=BAD_5, name="鹤岗市某协会", status="存续", established_date=D(2010, 1, 1)),
            dict(uscc=GOV, name="鹤岗市某局", status="存续", established_date=D(2000, 1, 1)),
        ],
    )
    org = dict(party_category="法人及非法人组织", party_name="鹤岗市甲商贸有限公司", uscc=A, penalty_kinds="罚款")
    ins(
        "penalties",
        [
            dict(org, decision_no="T1", decision_date=D(2024, 9, 1), authority="市税务局"),
            dict(org, decision_no="T2", decision_date=D(2024, 3, 1), authority="市税务局", procedure="简易"),
            dict(org, decision_no="T3", decision_date=D(2023, 10, 1), authority="市税务局", minor_first_offence=True),
            dict(
                org, decision_no="T4", decision_date=D(2023, 9, 30), authority="市税务局", procedure="简易"
            ),  # outside
            dict(
                org, decision_no="T5", decision_date=D(2024, 10, 1), authority="市税务局", procedure="简易"
            ),  # after T
            dict(org, decision_no="M1", decision_date=D(2024, 6, 1), authority="市市场监管局", revoked=True),
            dict(
                org,
                decision_no="U1",
                decision_date=D(2024, 6, 1),
                authority="某未知机关",
                procedure="简易",
                minor_first_offence=True,
                uscc=ORPHAN,
            ),
            dict(
                decision_no="N1",
                party_category="自然人",
                party_name="张三丰",
                party_id_no=PERSON_ID,
                penalty_kinds="罚款",
                decision_date=D(2024, 6, 1),
                authority="市税务局",
            ),
        ],
    )
    ins(
        "licenses",
        [
            dict(
                license_no="L1",
                party_name="x",
                uscc=ORPHAN,
                certificate="c",
                decision_date=D(2024, 1, 1),
                valid_from=D(2024, 1, 1),
                valid_to=D(2025, 1, 1),
                authority="市市场监管局",
                status="有效",
            ),
            dict(
                license_no="L2",
                party_name="x",
                uscc=A,
                certificate="c",
                decision_date=D(2024, 1, 1),
                valid_from=D(2024, 1, 1),
                valid_to=D(2025, 1, 1),
                authority="市市场监管局",
                status="有效",
            ),
        ],
    )
    ins(
        "loans",
        [
            dict(loan_id="l1", uscc=ORPHAN, lender="b", amount_wan_yuan=1.0, due_date=D(2024, 1, 1)),
            dict(loan_id="l2", uscc=ORPHAN, lender="b", amount_wan_yuan=1.0, due_date=D(2024, 2, 1)),
        ],
    )
    schema.build_marts(warehouse)
    return warehouse


def add_quarantine(con, run_id, at, entity, source, row_no, reason, message, original):
    con.execute(
        "INSERT INTO quarantine VALUES ($run, $entity, $source, $row_no, $reason, $message, $original, $at)",
        {
            "run": run_id,
            "entity": entity,
            "source": source,
            "row_no": row_no,
            "reason": reason,
            "message": message,
            "original": json.dumps(original, ensure_ascii=False),
            "at": at,
        },
    )


def add_entity_load(con, run_id, at, entity, quarantined):
    con.execute(
        "INSERT INTO meta_entity_loads VALUES ($run, $entity, 'drop', 'full', 0, 0, $q, 0, 0, 0, 0, '[]', $at)",
        {"run": run_id, "entity": entity, "q": quarantined, "at": at},
    )


@pytest.fixture
def quarantined(con):
    early, late = dt.datetime(2024, 9, 1, 8), dt.datetime(2024, 9, 2, 8)
    person = {
        "CF_WSH": "Q9",
        "CF_XDR_MC": "李四",
        "行政相对人类别": "自然人",
        "CF_XDR_ZJHM": PERSON_ID,
        "CF_JDRQ": "2024-13-01",
    }
    add_entity_load(con, "run1", early, "penalties", 2)
    add_quarantine(con, "run1", early, "penalties", "penalties.csv", 3, "bad_date", "旧批次", {"CF_WSH": "OLD"})
    add_entity_load(con, "run2", late, "penalties", 2)
    add_quarantine(
        con,
        "run2",
        late,
        "penalties",
        "penalties.csv",
        2,
        "bad_date",
        "日期无法识别：处罚决定日期（decision_date）：“2024-13-01”",
        person,
    )
    add_quarantine(
        con,
        "run2",
        late,
        "penalties",
        "penalties.csv",
        2,
        "bad_enum",
        "取值不在允许范围内：程序（procedure）：“快速”",
        person,
    )
    add_quarantine(
        con,
        "run2",
        late,
        "penalties",
        "penalties.csv",
        5,
        "missing_key",
        "关键字段为空：行政处罚决定书文号（decision_no）",
        {"CF_WSH": "", "CF_XDR_MC": "鹤岗市乙公司", "行政相对人类别": "法人及非法人组织"},
    )
    add_quarantine(
        con,
        "run2",
        late,
        "executees",
        "executees.xlsx",
        4,
        "duplicate_key",
        "本批数据中关键字段重复（执行案号（case_no）、被执行人姓名/名称（party_name）：“(2024)执1号|王小明”），以第 9 行为准",
        {"执行案号": "(2024)执1号", "被执行人姓名": "王小明", "身份证号码": PERSON_ID},
    )
    add_entity_load(con, "run2", late, "licenses", 0)
    return con


def test_rows_per_entity(quarantined):
    con = quarantined
    frame = quality.rows_per_entity(con)
    assert list(frame["entity"]) == [e.name for e in contract.ENTITIES]
    by = frame.set_index("entity")
    assert rows(
        by.loc[["subjects", "penalties", "executees", "licenses"]].reset_index(),
        "entity",
        "label",
        "n_current",
        "n_flagged",
        "n_quarantined",
    ) == [
        ("subjects", "市场主体登记", 8, 4, 0),
        ("penalties", "行政处罚", 8, 0, 2),
        ("executees", "被执行人", 0, 0, 1),
        ("licenses", "行政许可", 2, 0, 0),
    ]
    # a replaced and a retired version: counted when the marts are built, as a load builds them
    con.execute("UPDATE stg_loans SET _is_current = false, _end_reason = 'retired' WHERE loan_id = 'l2'")
    schema.build_marts(con)
    assert rows(quality.rows_per_entity(con).set_index("entity").loc[["loans"]], "n_current", "n_retired") == [(1, 1)]


def test_rows_per_entity_mart_covers_every_contract_entity():
    sql = (QUERIES_DIR / "marts" / "50_quality_entity_rows.sql").read_text(encoding="utf-8")
    assert {e.name for e in contract.ENTITIES} == {e.name for e in contract.ENTITIES if f"FROM stg_{e.name}\n" in sql}


def test_quarantine_summary_counts_latest_load_per_reason(quarantined):
    frame = quality.quarantine_summary(quarantined)
    assert rows(frame, "entity", "entity_label", "reason_code", "message", "n_rows", "run_id", "source") == [
        ("executees", "被执行人", "duplicate_key", "本批数据中关键字段重复", 1, "run2", "executees.xlsx"),
        ("penalties", "行政处罚", "bad_date", "日期无法识别", 1, "run2", "penalties.csv"),
        ("penalties", "行政处罚", "bad_enum", "取值不在允许范围内", 1, "run2", "penalties.csv"),
        ("penalties", "行政处罚", "missing_key", "关键字段为空", 1, "run2", "penalties.csv"),
    ]


def test_quarantine_rows_masked_and_spread_for_one_entity(quarantined):
    frame = quality.quarantine_rows(quarantined, entity="penalties")
    assert rows(frame, "row_no", "reason_code", "CF_WSH", "CF_XDR_MC", "CF_XDR_ZJHM", "CF_JDRQ") == [
        (2, "bad_date", "Q9", "李*", "230403********1233", "2024-13-01"),
        (2, "bad_enum", "Q9", "李*", "230403********1233", "2024-13-01"),
        (5, "missing_key", "", "鹤岗市乙公司", None, None),  # organisations' names are public
    ]
    assert PERSON_ID not in " ".join(frame["original"])
    shown = quality.quarantine_rows(quarantined, entity="penalties", scope=Scope.all(personal_data=True))
    assert list(shown["CF_XDR_MC"]) == ["李四", "李四", "鹤岗市乙公司"]
    assert json.loads(shown["original"][0])["CF_XDR_ZJHM"] == PERSON_ID


def test_quarantine_rows_filter_and_mask_messages(quarantined):
    every = quality.quarantine_rows(quarantined)
    assert rows(every, "entity", "row_no", "reason_code") == [
        ("executees", 4, "duplicate_key"),
        ("penalties", 2, "bad_date"),
        ("penalties", 2, "bad_enum"),
        ("penalties", 5, "missing_key"),
    ]
    assert "CF_WSH" not in every.columns  # originals are spread only for one entity
    dup = quality.quarantine_rows(quarantined, reason_code="duplicate_key", scope=Scope.all())
    assert list(dup["message"]) == [
        "本批数据中关键字段重复（执行案号（case_no）、被执行人姓名/名称（party_name）：“(2024)执1号|王**”），以第 9 行为准"
    ]
    assert rows(quality.quarantine_rows(quarantined, entity="executees"), "被执行人姓名", "身份证号码") == [
        ("王**", "230403********1233")
    ]
    assert quality.quarantine_rows(quarantined, entity="licenses").empty


def test_p7_excluded_by_department(con):
    frame = quality.p7_excluded_by_department(con, T, Scope.all())
    assert rows(
        frame,
        "department_code",
        "department_name",
        "n_penalties",
        "n_simple_procedure",
        "n_minor_first_offence",
        "n_excluded",
        "n_revoked",
    ) == [
        ("tax", "市税务局", 4, 1, 1, 2, 0),
        (None, "某未知机关", 1, 1, 1, 1, 0),
        ("market", "市市场监管局", 1, 0, 0, 0, 1),
    ]
    assert frame["excluded_share"].tolist() == [0.5, 1.0, 0.0]
    assert rows(quality.p7_excluded_by_department(con, T, Scope.of("market")), "department_code") == [("market",)]
    assert rows(
        quality.p7_excluded_by_department(con, T, Scope.all(), months=6), "department_code", "n_penalties", "n_excluded"
    ) == [(None, 1, 1), ("tax", 2, 0), ("market", 1, 0)]


def test_orphan_records(con):
    frame = quality.orphan_records(con).set_index("entity")
    assert list(frame.index) == [e.name for e in contract.ENTITIES if e.name != "subjects" and "uscc" in e.column_names]
    assert rows(
        frame.loc[["penalties", "licenses", "loans", "executees"]].reset_index(),
        "entity",
        "label",
        "n_records",
        "n_orphans",
        "n_orphan_usccs",
    ) == [
        ("penalties", "行政处罚", 7, 1, 1),  # the natural person's penalty has no USCC
        ("licenses", "行政许可", 2, 1, 1),
        ("loans", "信易贷", 2, 2, 1),
        ("executees", "被执行人", 0, 0, 0),
    ]
    assert frame.loc["licenses", "orphan_share"] == 0.5 and pd.isna(frame.loc["executees", "orphan_share"])


def test_uscc_problems_i03(con):
    frame = quality.uscc_problems(con)
    assert rows(
        frame,
        "uscc",
        "name",
        "problem",
        "n_names_on_uscc",
        "registering_authority_code",
        "department_code",
        "department_name",
    ) == [
        (BAD_1, "鹤岗市某事务局", "错码", 1, "1", "establishment", "市委编办"),
        (BAD_9, "错码商贸二公司", "错码、重码", 2, "9", "market", "市市场监管局"),
        (BAD_9, "错码商贸有限公司", "错码、重码", 2, "9", "market", "市市场监管局"),
        (DUP, "鹤岗市丁有限公司", "重码", 2, "9", "market", "市市场监管局"),
        (DUP, "鹤岗市丙有限公司", "重码", 2, "9", "market", "市市场监管局"),
        (BAD_5, "鹤岗市某协会", "错码", 1, "5", None, None),
    ]


def test_load_history_from_the_operational_store(tmp_path):
    settings = Settings.load(env={"DASHBOARD_DATA_DIR": str(tmp_path)})
    engine = opstore.get_engine(settings)
    try:
        start = dt.datetime(2024, 9, 1, 1, tzinfo=dt.UTC)
        runs.start_run(engine, "r1", "load", "drop-0901", started_at=start)
        runs.record_entity(
            engine,
            "r1",
            EntityResult(
                "penalties", "penalties.csv", "full", rows_read=10, rows_accepted=8, rows_quarantined=2, rows_inserted=8
            ),
        )
        runs.record_entity(
            engine, "r1", EntityResult("licenses", "licenses.csv", "full", status="failed", error="文件为空")
        )
        runs.finish_run(engine, "r1", runs.PARTIAL, "snap1")
        runs.start_run(engine, "r2", "rollback", "snap0", started_at=start + dt.timedelta(days=1))
        runs.finish_run(engine, "r2", runs.OK, "snap0", notes="由 snap1 回退")
        frame = quality.load_history(engine)
        assert list(frame.columns) == quality.LOAD_HISTORY_COLUMNS
        assert rows(
            frame,
            "run_id",
            "kind_label",
            "source",
            "status_label",
            "snapshot_id",
            "n_entities",
            "n_entities_failed",
            "rows_read",
            "rows_quarantined",
            "notes",
        ) == [
            ("r2", "回退", "snap0", "成功", "snap0", 0, 0, 0, 0, "由 snap1 回退"),
            ("r1", "装载", "drop-0901", "部分成功", "snap1", 2, 1, 10, 2, None),
        ]
        assert len(quality.load_history(engine, limit=1)) == 1
    finally:
        opstore.dispose_all()
