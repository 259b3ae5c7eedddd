"""`python -m dashboard warnings` and `spotcheck` on a published snapshot: UTF-8 JSON / CSV on stdout."""

import csv
import datetime as dt
import io
import json

import duckdb
import pytest

from dashboard.__main__ import main
from dashboard.core import settings
from dashboard.core.identifiers import make_uscc
from dashboard.store import schema, snapshots

D = dt.date
USCC = make_uscc("91", "230402", "MA0000C1")


@pytest.fixture
def live(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "_cached", settings.Settings.load(env={"DASHBOARD_DATA_DIR": str(tmp_path)}))
    wp = snapshots.paths(settings.get_settings())
    wp.snapshots.mkdir(parents=True)
    snapshot_id = snapshots.new_snapshot_id("test")
    con = duckdb.connect(str(wp.snapshot_path(snapshot_id)))
    schema.create_warehouse(con)
    schema.load_reference(con)
    schema.insert_current_rows(
        con,
        "subjects",
        [
            dict(
                uscc=USCC, name="鹤岗市丁餐饮有限公司", status="存续", established_date=D(2020, 1, 1), industry_code="H"
            )
        ],
    )
    base = dict(
        party_name="鹤岗市丁餐饮有限公司",
        party_category="法人及非法人组织",
        uscc=USCC,
        penalty_kinds="罚款",
        authority="市场监管局",
    )
    schema.insert_current_rows(
        con,
        "penalties",
        [
            dict(base, decision_no="C1", decision_date=D(2024, 7, 1)),
            dict(base, decision_no="C2", decision_date=D(2024, 8, 1)),
        ],
    )
    schema.insert_current_rows(
        con, "evaluations", [dict(uscc=USCC, evaluator="公共信用综合评价", eval_date=D(2024, 6, 30), grade="C")]
    )
    schema.build_marts(con)
    con.close()
    wp.current.write_text(snapshot_id + "\n", encoding="utf-8")
    return tmp_path


def test_warnings_json(live, capsysbinary):
    assert main(["warnings", "--as-of", "2024-08-31", "--type", "W1", "--type", "W3"]) == 0
    records = json.loads(capsysbinary.readouterr().out.decode("utf-8"))
    assert [
        (r["warning_type"], r["uscc"], r["subject_name"], r["department_code"], r["reason"], r["anchor_records"])
        for r in records
    ] == [
        ("W1", USCC, "鹤岗市丁餐饮有限公司", "market", "近6个月受到2次行政处罚（公示期内）", ["C1", "C2"]),
        (
            "W3",
            USCC,
            "鹤岗市丁餐饮有限公司",
            "market",
            "公共信用综合评价为C级（2024-06-30评价，中等以下）",
            ["2024-06-30"],
        ),
    ]
    assert records[0]["first_seen_month"] == "2024-08-31" and records[0]["party_id_masked"] is None


def test_warnings_csv_and_department_filter(live, capsysbinary):
    assert main(["warnings", "--as-of", "2024-08-31", "--department", "market", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8"))))
    assert [(r["warning_type"], r["anchor_records"]) for r in rows] == [("W1", "C1;C2"), ("W3", "2024-06-30")]
    assert main(["warnings", "--as-of", "2024-08-31", "--department", "tax"]) == 0
    assert json.loads(capsysbinary.readouterr().out.decode("utf-8")) == []


def test_spotcheck_json(live, capsysbinary):
    assert main(["spotcheck", "--department", "market", "--as-of", "2024-08-31", "--seed", "42"]) == 0
    doc = json.loads(capsysbinary.readouterr().out.decode("utf-8"))
    assert doc["seed"] == 42 and doc["department_code"] == "market"
    assert doc["plan"][2] == {"grade": "C", "n_subjects": 1, "ratio": 0.2, "n_drawn": 1}
    assert [(d["uscc"], d["grade"], d["draw_order"]) for d in doc["drawn"]] == [(USCC, "C", 1)]
