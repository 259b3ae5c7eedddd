"""The work-item indicators of seed 001 — (一)(六)(七)(九)(十一)(十三)(十六)–(二十), which are work to
be done rather than data (docs/rules.md §4, last paragraph) — as a checklist the credit office keeps:
each item with its owners, a status and the evidence for it.

The items themselves are reference data (dashboard/reference/work_items.csv); their status and
evidence live in the operational store (tables `work_item_status`, one row per item, and
`work_item_history`, one row per change), so that they survive every data load.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache

import pandas as pd
from sqlalchemy import Column, DateTime, Engine, Integer, String, Table, Text, insert, select

from dashboard.core.dates import as_utc
from dashboard.core.settings import REFERENCE_DIR
from dashboard.store.opstore import metadata

WORK_ITEM_STATUSES = ("未开始", "推进中", "已完成")
DEFAULT_STATUS = WORK_ITEM_STATUSES[0]
ALL_UNITS = "*"
ALL_UNITS_LABEL = "各责任单位"

work_item_status = Table(
    "work_item_status",
    metadata,
    Column("item_id", String(16), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("updated_by", String(128), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

work_item_history = Table(
    "work_item_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", String(16), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("updated_by", String(128), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

ITEM_COLUMNS = ["item_id", "seed_ref", "title", "requirement", "owner_departments", "owner_names", "frequency"]
LIST_COLUMNS = ITEM_COLUMNS + ["status", "evidence", "updated_by", "updated_at"]
HISTORY_COLUMNS = ["item_id", "status", "evidence", "updated_by", "updated_at"]


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def _department_names() -> dict[str, str]:
    return {d["department_code"]: d["short_name"] for d in _read_csv("departments")}


def work_items() -> pd.DataFrame:
    """The work items of seed 001, one row per item: item_id, seed_ref (e.g. '001 一(一)'), title,
    requirement, owner_departments (list of department codes; ['*'] = every responsible unit),
    owner_names (Chinese, '、'-joined), frequency."""
    names = _department_names()
    rows = []
    for r in _read_csv("work_items"):
        owners = [o for o in r["owner_departments"].split("|") if o]
        rows.append(
            {
                **r,
                "owner_departments": owners,
                "owner_names": "、".join(ALL_UNITS_LABEL if o == ALL_UNITS else names.get(o, o) for o in owners),
            }
        )
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def _ensure_tables(engine: Engine) -> None:
    # engines from opstore.get_engine already hold the tables; any other engine gets them here
    # (create_all only creates what is missing)
    metadata.create_all(engine, tables=[work_item_status, work_item_history])


def list_work_items(engine: Engine) -> pd.DataFrame:
    """Every work item with its current status (未开始 until someone records one), evidence, who
    changed it last and when (UTC): the columns of work_items() plus status, evidence, updated_by,
    updated_at."""
    _ensure_tables(engine)
    with engine.connect() as conn:
        stored = {r.item_id: r for r in conn.execute(select(work_item_status))}
    items = work_items()
    items["status"] = [stored[i].status if i in stored else DEFAULT_STATUS for i in items["item_id"]]
    items["evidence"] = [stored[i].evidence if i in stored else "" for i in items["item_id"]]
    items["updated_by"] = [stored[i].updated_by if i in stored else None for i in items["item_id"]]
    items["updated_at"] = [as_utc(stored[i].updated_at) if i in stored else None for i in items["item_id"]]
    return items[LIST_COLUMNS]


def update_work_item(
    engine: Engine, item_id: str, status: str, evidence: str, user: str, at: dt.datetime | None = None
) -> None:
    """Record a work item's status and evidence, by `user` (kept with the time in the history).
    Raises ValueError (Chinese message) for an unknown item or status or an empty user name."""
    if item_id not in set(work_items()["item_id"]):
        raise ValueError(f"未知的工作事项：{item_id}")
    if status not in WORK_ITEM_STATUSES:
        raise ValueError(f"状态须为 {'、'.join(WORK_ITEM_STATUSES)} 之一：{status}")
    if not user or not user.strip():
        raise ValueError("须记录修改人")
    _ensure_tables(engine)
    values = {
        "status": status,
        "evidence": (evidence or "").strip(),
        "updated_by": user.strip(),
        "updated_at": at or dt.datetime.now(dt.UTC),
    }
    with engine.begin() as conn:
        conn.execute(_upsert(engine, item_id, values))
        conn.execute(insert(work_item_history).values(item_id=item_id, **values))


def _upsert(engine: Engine, item_id: str, values: dict):
    """INSERT … ON CONFLICT DO UPDATE for the two stores the product supports (atomic, so two
    people saving the same item at once cannot collide)."""
    # The two dialects' Insert classes are distinct types, so each builds its own statement.
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert  # noqa: PLC0415 — the dialect decides which

        return (
            pg_insert(work_item_status)
            .values(item_id=item_id, **values)
            .on_conflict_do_update(index_elements=["item_id"], set_=values)
        )
    if engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # noqa: PLC0415 — the dialect decides which

        return (
            sqlite_insert(work_item_status)
            .values(item_id=item_id, **values)
            .on_conflict_do_update(index_elements=["item_id"], set_=values)
        )
    raise NotImplementedError(f"operational store {engine.dialect.name} is not supported")


def work_item_changes(engine: Engine, item_id: str | None = None) -> pd.DataFrame:
    """Every recorded change, newest first (optionally of one item): item_id, status, evidence,
    updated_by, updated_at (UTC)."""
    _ensure_tables(engine)
    query = select(work_item_history).order_by(work_item_history.c.updated_at.desc(), work_item_history.c.id.desc())
    if item_id is not None:
        query = query.where(work_item_history.c.item_id == item_id)
    with engine.connect() as conn:
        rows = [
            {c: (as_utc(getattr(r, c)) if c == "updated_at" else getattr(r, c)) for c in HISTORY_COLUMNS}
            for r in conn.execute(query)
        ]
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)
