import datetime as dt

import pandas as pd
import pytest

from dashboard.core.privacy import contains_unmasked, mask_frame, mask_id_no, mask_name, mask_phone
from dashboard.core.scope import Scope
from dashboard.store import db, schema


def test_bind_takes_only_named_parameters_and_requires_them():
    sql = "SELECT $a AS a -- $not_a_parameter\n, $b AS b"
    assert db.bind(sql, {"a": 1, "b": 2, "c": 3}) == {"a": 1, "b": 2}
    with pytest.raises(KeyError):
        db.bind(sql, {"a": 1})


def test_scope_filter_is_applied_in_sql(warehouse):
    schema.insert_current_rows(
        warehouse,
        "penalties",
        [
            dict(decision_no="A1", decision_date=dt.date(2024, 1, 2), authority="市税务局"),
            dict(decision_no="A2", decision_date=dt.date(2024, 1, 3), authority="市市场监管局"),
        ],
    )
    schema.build_marts(warehouse)
    sql = "SELECT decision_no, department_code FROM penalty_facts ORDER BY decision_no"
    all_rows = db.run_sql(warehouse, sql)
    assert list(all_rows.department_code) == ["tax", "market"]

    # run_query wraps a query file; exercise the same wrapper through a query text
    db.query_text.cache_clear()
    original = db.query_text
    try:
        db.query_text = lambda name, queries_dir=None: sql  # type: ignore[assignment]
        tax = db.run_query(warehouse, "any", scope=Scope.of("tax"), scope_column="department_code")
        everyone = db.run_query(warehouse, "any", scope=Scope.all(), scope_column="department_code")
        nobody = db.run_query(warehouse, "any", scope=Scope(), scope_column="department_code")
        with pytest.raises(ValueError):
            db.run_query(warehouse, "any", scope=None, scope_column="department_code")
    finally:
        db.query_text = original
    assert list(tax.decision_no) == ["A1"]
    assert list(everyone.decision_no) == ["A1", "A2"]
    assert nobody.empty


def test_scope_cache_key_differs_by_departments_and_grant():
    keys = {
        Scope.all().cache_key,
        Scope.all(personal_data=True).cache_key,
        Scope.of("tax").cache_key,
        Scope.of("market").cache_key,
        Scope().cache_key,
    }
    assert len(keys) == 5


def test_maskers():
    assert mask_id_no("23040219900101123X") == "230402********123X"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_no(None) is None


def test_mask_frame_only_masks_natural_persons_without_the_grant():
    frame = pd.DataFrame(
        {
            "party_name": ["张三", "鹤岗市某商贸有限公司"],
            "party_id_no": ["23040219900101123X", None],
            "is_natural_person": [True, False],
        }
    )
    masked = mask_frame(frame, Scope.all(), {"party_name": "name", "party_id_no": "id_no"}, "is_natural_person")
    assert list(masked.party_name) == ["张*", "鹤岗市某商贸有限公司"]
    assert masked.party_id_no[0] == "230402********123X"
    assert contains_unmasked(masked.astype(str).to_csv().splitlines(), ["张三", "23040219900101123X"]) == []
    shown = mask_frame(frame, Scope.all(personal_data=True), {"party_name": "name"}, "is_natural_person")
    assert shown.party_name[0] == "张三"
