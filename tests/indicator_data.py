"""Tiny hand-written warehouses for the indicator tests: a real DuckDB file with reference data,
the given current rows and every mart built."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable, Mapping

import duckdb

from dashboard import schema
from dashboard.identifiers import USCC_CHARSET, make_uscc
from dashboard.settings import Settings

D = dt.date
# Authority USCCs of the reference departments (dashboard/reference/departments.csv)
TAX_AUTHORITY = "11230400112300147B"
MARKET_AUTHORITY = "112304001123002194"


def uscc(kind: str, n: int, region: str = "230402") -> str:
    """A valid USCC (P3) of the given kind ('91' enterprise, '11' 机关 …)."""
    return make_uscc(kind, region, f"{n:08d}")


def broken(code: str) -> str:
    """The same code with a wrong check character (fails P3)."""
    last = USCC_CHARSET[(USCC_CHARSET.index(code[-1]) + 1) % len(USCC_CHARSET)]
    return code[:-1] + last


def subject(code: str, name: str, established: dt.date = D(2015, 1, 1), status: str = "存续",
            closed: dt.date | None = None, district: str = "230402", industry: str = "F") -> dict[str, Any]:
    return dict(uscc=code, name=name, status=status, established_date=established, closed_date=closed,
                district_code=district, industry_code=industry)


def penalty(no: str, code: str | None, decided: dt.date, authority_uscc: str = TAX_AUTHORITY,
            authority: str = "国家税务总局鹤岗市税务局", reported: dt.date | None = None,
            **extra: Any) -> dict[str, Any]:
    row = dict(decision_no=no, party_name=extra.pop("party_name", f"主体{no}"),
               party_category=extra.pop("party_category", "法人及非法人组织"), uscc=code,
               penalty_kinds="罚款", decision_date=decided, authority=authority,
               authority_uscc=authority_uscc, reported_at=reported or decided)
    row.update(extra)
    return row


def build(path: Path, rows: Mapping[str, Iterable[Mapping[str, Any]]],
          settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    """A warehouse file at `path` holding exactly `rows` (entity → current rows), marts built."""
    con = duckdb.connect(str(path))
    schema.create_warehouse(con)
    schema.load_reference(con)
    for entity, entity_rows in rows.items():
        schema.insert_current_rows(con, entity, list(entity_rows))
    schema.build_marts(con, settings or Settings.load(env={}))
    return con
