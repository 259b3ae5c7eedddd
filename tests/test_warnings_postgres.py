"""The warning and grading SQL, transpiled to PostgreSQL and run on a real server, gives exactly the
DuckDB rows (ids included: MD5 is the same function on both engines)."""

import datetime as dt

import duckdb
import pandas as pd
import pytest
from test_warnings import W1_PENALTIES, W1_REPAIRS, licence, uscc

from dashboard.core import contract
from dashboard.core.settings import Settings
from dashboard.rules.credit_warnings import WARNING_QUERIES, warning_params
from dashboard.store import schema
from dashboard.store.db import bind, query_text
from tests.indicator_data import GOVERNMENT_EXECUTEES
from tests.pg_kit import copy_table, pg_sql, plain_rows

D = dt.date
T = D(2024, 8, 31)
SETTINGS = Settings.load(env={})
SOURCES = (
    "subjects",
    "penalties",
    "licenses",
    "repairs",
    "evaluations",
    "executees",
    "serious_dishonest",
    "abnormal_operations",
    "loans",
    "campaign_lists",
    "ref_calendar",
    "ref_departments",
    "ref_department_names",
    "ref_department_usccs",
    "ref_districts",
    "ref_industries",
    "meta_entity_loads",
    "quarantine",
)  # the last two: marts/10_latest_entity_loads.sql
# the data-quality page's marts (marts/50_quality_*.sql) also read every entity's staging table and
# the current rows of every entity with a USCC
SOURCES = tuple(
    dict.fromkeys(
        SOURCES + tuple(f"stg_{e.name}" for e in contract.ENTITIES) + ("tax_credit", "objections", "commitments")
    )
)


def _warehouse(path):
    con = duckdb.connect(str(path))
    schema.create_warehouse(con)
    schema.load_reference(con)
    rows = {
        "subjects": [
            dict(
                uscc=uscc(t),
                name=f"主体{t}",
                status="存续",
                established_date=D(2020, 1, 1),
                industry_code=i,
                district_code="230402",
            )
            for t, i in (("B", "F"), ("C", "H"), ("L1", "H"))
        ],
        "penalties": W1_PENALTIES,
        "repairs": W1_REPAIRS,
        "licenses": [licence("L1", "L1", D(2024, 9, 29)), licence("L2", "L2", T)],
        "abnormal_operations": [dict(uscc=uscc("L1"), listed_date=D(2024, 1, 1), listed_reason="未按期公示年报")],
        "executees": GOVERNMENT_EXECUTEES,
        "evaluations": [
            dict(uscc=uscc("B"), evaluator="公共信用综合评价", eval_date=D(2023, 6, 30), grade="D"),
            dict(uscc=uscc("B"), evaluator="公共信用综合评价", eval_date=D(2024, 6, 30), grade="C"),
            dict(uscc=uscc("C"), evaluator="公共信用综合评价", eval_date=D(2024, 6, 30), grade="A"),
            dict(uscc=uscc("C"), evaluator="市场监管局", eval_date=D(2024, 7, 1), grade="B", score=88.0),
        ],
        "loans": [
            dict(
                loan_id="LN1",
                uscc=uscc("B"),
                lender="某银行",
                amount_wan_yuan=10.0,
                due_date=D(2024, 8, 1),
                buffer_days=5,
            )
        ],
        "campaign_lists": [dict(uscc=uscc("C"), campaign="专项一", department="市场监管局", listed_date=D(2024, 1, 1))],
    }
    for entity, entity_rows in rows.items():
        schema.insert_current_rows(con, entity, entity_rows)
    schema.build_marts(con)
    return con


@pytest.mark.postgres
def test_warning_and_grading_queries_give_the_same_rows_on_postgresql(tmp_path, pg_cursor):
    duck = _warehouse(tmp_path / "w.duckdb")
    for name in SOURCES:
        copy_table(duck, pg_cursor, name)
    marts = schema.mart_params(SETTINGS)
    for path in schema.mart_files():
        sql = path.read_text(encoding="utf-8")
        pg_cursor.execute(pg_sql(sql), bind(sql, marts))
    base = warning_params(T, SETTINGS)
    grading = {
        "as_of": T,
        "department": "market",
        "uscc": None,
        "seed": 42,
        "by": "department",
        "public_evaluation_name": SETTINGS.grades.public_evaluation_name,
        "public": True,
        **{f"ratio_{g.lower()}": r for g, r in SETTINGS.spotcheck_ratios.items()},
    }
    cases = [(q, base) for q in WARNING_QUERIES.values()] + [
        ("grades_at", grading),
        ("grades_at", {**grading, "department": None}),
        ("spotcheck_draw", grading),
        ("grade_distribution", grading),
        ("grade_distribution", {**grading, "by": "industry"}),
        ("grade_history", {**grading, "uscc": uscc("C")}),
        ("grade_history", {**grading, "uscc": uscc("C"), "public": False}),
        ("warnings_w1b_repair_notice", {"ref": "B1"}),
    ]
    compared = 0
    for query, params in cases:
        sql = query_text(query)
        expected = duck.execute(sql, bind(sql, params)).df()
        pg_cursor.execute(pg_sql(sql), bind(sql, params))
        got = pd.DataFrame(pg_cursor.fetchall(), columns=[c.name for c in pg_cursor.description])
        assert list(got.columns) == list(expected.columns), query
        assert plain_rows(got) == plain_rows(expected), f"{query} differs on PostgreSQL"
        compared += len(expected)
    assert compared >= 15
    duck.close()
