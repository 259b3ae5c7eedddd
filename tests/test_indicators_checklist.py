"""The work-item checklist of seed 001 (docs/rules.md §4): reference items, status and evidence kept in
the operational store (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine

from dashboard.rules import checklist

AT = dt.datetime(2024, 7, 1, 8, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2024, 7, 2, 9, 0, tzinfo=dt.UTC)


def test_work_items_cover_the_work_indicators_of_001():
    items = checklist.work_items()
    assert list(items["item_id"]) == [
        "001-01",
        "001-06",
        "001-07",
        "001-09",
        "001-11",
        "001-13",
        "001-16",
        "001-17",
        "001-18",
        "001-19",
        "001-20",
    ]
    i19 = items.set_index("item_id").loc["001-19"]
    assert i19["owner_departments"] == ["court", "industry_it"]
    assert i19["owner_names"] == "中级法院、市工信局"
    assert items.set_index("item_id").loc["001-16", "owner_names"] == "各责任单位"


def _exercise(engine):
    fresh = checklist.list_work_items(engine)
    assert set(fresh["status"]) == {"未开始"} and fresh["updated_by"].isna().all()
    checklist.update_work_item(engine, "001-07", "推进中", "已提交等保三级备案材料", "office1", at=AT)
    checklist.update_work_item(engine, "001-07", "已完成", " 测评报告编号 2024-017 ", "office2", at=LATER)
    row = checklist.list_work_items(engine).set_index("item_id").loc["001-07"]
    assert (row["status"], row["evidence"], row["updated_by"], row["updated_at"]) == (
        "已完成",
        "测评报告编号 2024-017",
        "office2",
        LATER,
    )
    history = checklist.work_item_changes(engine, "001-07")
    assert history[["status", "updated_by"]].values.tolist() == [["已完成", "office2"], ["推进中", "office1"]]
    assert checklist.work_item_changes(engine, "001-01").empty
    with pytest.raises(ValueError, match="未知的工作事项"):
        checklist.update_work_item(engine, "001-14", "已完成", "", "office1")
    with pytest.raises(ValueError, match="状态须为"):
        checklist.update_work_item(engine, "001-07", "done", "", "office1")
    with pytest.raises(ValueError, match="修改人"):
        checklist.update_work_item(engine, "001-07", "已完成", "", " ")


def test_status_and_evidence_are_kept_in_sqlite(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    _exercise(engine)
    engine.dispose()


@pytest.mark.postgres
def test_status_and_evidence_are_kept_in_postgresql(pg_schema):
    _exercise(pg_schema.engine)  # a fresh schema: the checklist creates its own tables
