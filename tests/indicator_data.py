"""Tiny hand-written warehouses for the indicator tests: a real DuckDB file with reference data,
the given current rows and every mart built."""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from dashboard.core.identifiers import USCC_CHARSET, make_uscc
from dashboard.core.settings import Settings
from dashboard.store import schema

D = dt.date
# Authority USCCs of the reference departments (dashboard/reference/departments.csv)
TAX_AUTHORITY = "11230400112300147B"
MARKET_AUTHORITY = "112304001123002194"
# Court records of a body named like a government one (局) and of a company whose name also holds a
# keyword (农场) but the exclusion word 有限公司: W4 / I19 count the first only.
GOVERNMENT_EXECUTEES = [
    dict(
        case_no="X1", party_name="鹤岗市某某局", court="鹤岗市中级人民法院", filed_date=D(2024, 1, 1), is_dishonest=True
    ),
    dict(
        case_no="X2",
        party_name="某农场有限公司",
        court="鹤岗市中级人民法院",
        filed_date=D(2024, 1, 1),
        is_dishonest=True,
    ),
]


def uscc(kind: str, n: int, region: str = "230402") -> str:
    """A valid USCC (P3) of the given kind ('91' enterprise, '11' 机关 …)."""
    return make_uscc(kind, region, f"{n:08d}")


def broken(code: str) -> str:
    """The same code with a wrong check character (fails P3)."""
    last = USCC_CHARSET[(USCC_CHARSET.index(code[-1]) + 1) % len(USCC_CHARSET)]
    return code[:-1] + last


def subject(
    code: str,
    name: str,
    established: dt.date = D(2015, 1, 1),
    status: str = "存续",
    closed: dt.date | None = None,
    district: str = "230402",
    industry: str = "F",
) -> dict[str, Any]:
    return dict(
        uscc=code,
        name=name,
        status=status,
        established_date=established,
        closed_date=closed,
        district_code=district,
        industry_code=industry,
    )


def penalty(
    no: str,
    code: str | None,
    decided: dt.date,
    authority_uscc: str = TAX_AUTHORITY,
    authority: str = "国家税务总局鹤岗市税务局",
    reported: dt.date | None = None,
    **extra: Any,
) -> dict[str, Any]:
    row = dict(
        decision_no=no,
        party_name=extra.pop("party_name", f"主体{no}"),
        party_category=extra.pop("party_category", "法人及非法人组织"),
        uscc=code,
        penalty_kinds="罚款",
        decision_date=decided,
        authority=authority,
        authority_uscc=authority_uscc,
        reported_at=reported or decided,
    )
    row.update(extra)
    return row


def mixed_rows() -> dict[str, list[dict[str, Any]]]:
    """A little of everything the indicators read."""
    e = [uscc("91", n) for n in range(1, 6)]
    return {
        "subjects": [
            subject(e[0], "甲"),
            subject(e[1], "乙", district="230403"),
            subject(e[2], "丙"),
            subject(e[2], "丙二"),
            subject(broken(uscc("91", 9)), "错码"),
            subject(e[3], "丁", status="注销", closed=D(2024, 2, 1)),
            subject(uscc("11", 7), "某局"),
        ],
        "tax_credit": [dict(uscc=e[0], year=2023, grade="A"), dict(uscc=e[1], year=2022, grade="A")],
        "penalties": [
            penalty("P1", e[0], D(2024, 1, 15), reported=D(2024, 1, 30)),
            penalty(
                "P2",
                e[1],
                D(2024, 4, 30),
                reported=D(2024, 5, 13),
                authority_uscc=MARKET_AUTHORITY,
                authority="市场监管局",
            ),
            penalty("P3", e[0], D(2024, 2, 1), procedure="简易"),
        ],
        "repairs": [
            dict(
                repair_id="R1",
                uscc=e[0],
                record_type="penalty",
                record_ref="P1",
                applied_date=D(2024, 5, 1),
                status="已修复",
                decided_date=D(2024, 5, 10),
            )
        ],
        "licenses": [
            dict(
                license_no="L1",
                party_name="甲",
                uscc=e[0],
                certificate="证",
                decision_date=D(2024, 3, 1),
                valid_from=D(2024, 3, 1),
                valid_to=D(2025, 3, 1),
                authority="市税务局",
                authority_uscc="11230400112300147B",
                status="有效",
                reported_at=D(2024, 3, 20),
            )
        ],
        "disclosure_ledger": [
            dict(department="市税务局", month=D(2024, 1, 1), kind="处罚", decisions=2),
            dict(department="市场监管局", month=D(2024, 4, 1), kind="处罚", decisions=1),
        ],
        "objections": [
            dict(
                objection_id="O1",
                uscc=e[0],
                department="市税务局",
                received_date=D(2024, 4, 30),
                answered_date=D(2024, 5, 11),
            ),
            dict(
                objection_id="O2",
                uscc=e[1],
                department="市税务局",
                received_date=D(2024, 4, 30),
                answered_date=D(2024, 5, 13),
                concerns_grading=True,
            ),
        ],
        "commitments": [
            dict(
                commitment_id="C1",
                uscc=e[0],
                kind="告知承诺",
                department="市商务局",
                signed_date=D(2024, 1, 1),
                due_date=D(2024, 3, 1),
                fulfilment="履约",
            ),
            dict(
                commitment_id="C2",
                uscc=e[1],
                kind="告知承诺",
                department="市商务局",
                signed_date=D(2023, 1, 1),
                due_date=D(2023, 3, 1),
                fulfilment="未履约",
            ),
        ],
        "evaluations": [
            dict(uscc=e[0], evaluator="市税务局", eval_date=D(2024, 1, 1), grade="A"),
            dict(uscc=e[1], evaluator="公共信用综合评价", eval_date=D(2024, 3, 1), grade="C"),
        ],
        "serious_dishonest": [
            dict(uscc=e[1], list_name="重大税收违法", department="市税务局", listed_date=D(2024, 1, 1)),
            dict(
                uscc=e[2],
                list_name="重大税收违法",
                department="市税务局",
                listed_date=D(2023, 1, 1),
                removed_date=D(2024, 2, 1),
            ),
            dict(
                uscc=uscc("12", 8),
                list_name="失信被执行人",
                department="中院",
                listed_date=D(2024, 1, 1),
                subject_name="某医院",
            ),
        ],
        "executees": GOVERNMENT_EXECUTEES,
        "collections": [
            dict(department="市税务局", month=D(2024, m, 1), category="纳税", records=5, subjects_covered=2)
            for m in range(1, 7)
        ]
        + [
            dict(department="市城管局", month=D(2024, m, 1), category="燃气费", records=1, subjects_covered=1)
            for m in (1, 3, 5)
        ],
    }


_template: Path | None = None


def _empty_warehouse() -> Path:
    """One empty warehouse (schema + reference data) per test process, copied for each test: the
    reference calendar takes longer to insert than a test takes to run."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="indicator-template-"))
        atexit.register(shutil.rmtree, folder, True)
        con = duckdb.connect(str(folder / "empty.duckdb"))
        schema.create_warehouse(con)
        schema.load_reference(con)
        con.close()
        _template = folder / "empty.duckdb"
    return _template


def build(
    path: Path, rows: Mapping[str, Iterable[Mapping[str, Any]]], settings: Settings | None = None
) -> duckdb.DuckDBPyConnection:
    """A warehouse file at `path` holding exactly `rows` (entity → current rows), marts built."""
    shutil.copyfile(_empty_warehouse(), path)
    con = duckdb.connect(str(path))
    for entity, entity_rows in rows.items():
        schema.insert_current_rows(con, entity, list(entity_rows))
    schema.build_marts(con, settings or Settings.load(env={}))
    return con
