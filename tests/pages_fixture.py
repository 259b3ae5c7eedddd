"""The fixed dataset of the page tests: a tiny hand-written warehouse published as the live
snapshot of an isolated data folder, users of each role in an isolated operational store, and an
AppTest of dashboard/app/main.py signed in as one of them.

The dataset (as-of month June 2026) is small enough to read: six enterprises and one government
body of Hegang, penalties of the tax bureau and the market regulator (one P7-excluded, one of a
natural person), a licence about to expire on an abnormal-operations subject, a government body
as dishonest judgment debtor, a serious-dishonest listing, tax grades, evaluations, objections,
a commitment, an overdue loan, a campaign listing, ledger, collections and national scores.
The page tests compare what a page shows with values worked out by hand on this dataset.

Its fixtures (pages_template, pages_env) are registered by tests/conftest.py: test modules use them
without importing them.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import auth
from dashboard.core.identifiers import make_resident_id, make_uscc
from dashboard.store import opstore, schema, snapshots
from tests.access_kit import isolated_settings, make_user

APP_FILE = Path(__file__).resolve().parent.parent / "dashboard" / "app" / "main.py"
AS_OF = dt.date(2026, 6, 30)
MONTH = "2026-06"
D = dt.date

TAX_USCC = "11230400112300147B"
MARKET_USCC = "112304001123002194"


def company(i: int) -> str:
    return make_uscc("91", "230400", f"{i:08d}")


GOV_USCC = make_uscc("11", "230400", "70000001")
PERSON_ID = make_resident_id("230402", D(1980, 5, 17), "123")
PERSON_NAME = "张三丰"

S1, S2, S3, S4, S5, S6 = (company(i) for i in range(1, 7))
BAD_USCC = S6[:-1] + ("0" if S6[-1] != "0" else "1")  # fails the P3 check character: 错码 (I03)
NAMES = {
    S1: "鹤岗市兴业煤炭有限公司",
    S2: "鹤岗市向阳商贸有限公司",
    S3: "鹤岗市工农建筑工程有限公司",
    S4: "鹤岗市南山餐饮有限公司",
    S5: "鹤岗市兴安运输有限公司",
    S6: "鹤岗市东山科技有限公司",
    GOV_USCC: "鹤岗市某镇人民政府",
    BAD_USCC: "鹤岗市错码商行有限公司",
}


def _subjects():
    rows = [
        (S1, "存续", D(2015, 3, 1), None, "230402", "B"),
        (S2, "存续", D(2018, 5, 10), None, "230402", "F"),
        (S3, "存续", D(2019, 1, 1), None, "230403", "E"),
        (S4, "存续", D(2020, 7, 1), None, "230404", "H"),
        (S5, "注销", D(2016, 1, 1), D(2025, 1, 1), "230405", "G"),
        (S6, "存续", D(2021, 1, 1), None, "230406", "I"),
        (GOV_USCC, "存续", D(2000, 1, 1), None, "230407", "S"),
        (BAD_USCC, "存续", D(2022, 1, 1), None, "230421", "F"),
    ]
    return [
        {
            "uscc": u,
            "name": NAMES[u],
            "status": s,
            "established_date": e,
            "closed_date": c,
            "district_code": d,
            "industry_code": i,
            "legal_rep": "李四",
        }
        for u, s, e, c, d, i in rows
    ]


def _penalty(no, uscc, name, category, authority, authority_uscc, decided, reported, **extra):
    row = {
        "decision_no": no,
        "party_name": name,
        "party_category": category,
        "uscc": uscc,
        "penalty_kinds": "罚款",
        "decision_date": decided,
        "authority": authority,
        "authority_uscc": authority_uscc,
        "reported_at": reported,
        "fine_wan_yuan": 0.5,
        "facts": "未按规定办理",
        "content": "罚款5000元",
    }
    row.update(extra)
    return row


def _penalties():
    org = "法人及非法人组织"
    return [
        _penalty(
            "鹤税罚〔2026〕1号",
            S1,
            NAMES[S1],
            org,
            "国家税务总局鹤岗市税务局",
            TAX_USCC,
            D(2026, 3, 10),
            D(2026, 3, 12),
        ),
        _penalty(
            "鹤税罚〔2026〕2号",
            S1,
            NAMES[S1],
            org,
            "国家税务总局鹤岗市税务局",
            TAX_USCC,
            D(2026, 5, 20),
            D(2026, 5, 21),
        ),
        _penalty(
            "鹤市监罚〔2026〕5号",
            S2,
            NAMES[S2],
            org,
            "鹤岗市市场监督管理局",
            MARKET_USCC,
            D(2026, 1, 15),
            D(2026, 2, 20),
        ),
        _penalty(
            "鹤市监罚〔2026〕6号",
            S3,
            NAMES[S3],
            org,
            "鹤岗市市场监督管理局",
            MARKET_USCC,
            D(2026, 4, 1),
            D(2026, 4, 2),
            procedure="简易",
        ),
        _penalty(
            "鹤税罚〔2026〕3号",
            None,
            PERSON_NAME,
            "自然人",
            "国家税务总局鹤岗市税务局",
            TAX_USCC,
            D(2026, 2, 1),
            D(2026, 2, 3),
            party_id_no=PERSON_ID,
        ),
    ]


def dataset() -> dict[str, list[dict]]:
    """Entity → rows of the fixed dataset."""
    return {
        "subjects": _subjects(),
        "penalties": _penalties(),
        "licenses": [
            {
                "license_no": "鹤市监许〔2025〕11号",
                "party_name": NAMES[S4],
                "uscc": S4,
                "certificate": "食品经营许可证",
                "decision_date": D(2025, 7, 15),
                "valid_from": D(2025, 7, 15),
                "valid_to": D(2026, 7, 15),
                "authority": "鹤岗市市场监督管理局",
                "authority_uscc": MARKET_USCC,
                "status": "有效",
                "reported_at": D(2025, 7, 16),
            },
            {
                "license_no": "鹤市监许〔2026〕12号",
                "party_name": NAMES[S2],
                "uscc": S2,
                "certificate": "食品经营许可证",
                "decision_date": D(2026, 7, 2),
                "valid_from": D(2026, 7, 2),
                "valid_to": D(2029, 7, 1),
                "authority": "鹤岗市市场监督管理局",
                "authority_uscc": MARKET_USCC,
                "status": "有效",
                "reported_at": D(2026, 7, 3),
            },
        ],
        "abnormal_operations": [{"uscc": S4, "listed_date": D(2026, 5, 1), "listed_reason": "未按期公示年度报告"}],
        "executees": [
            {
                "case_no": "(2026)黑04执12号",
                "party_name": NAMES[GOV_USCC],
                "court": "鹤岗市中级人民法院",
                "filed_date": D(2026, 1, 10),
                "is_dishonest": True,
                "uscc": GOV_USCC,
                "dishonest_published_date": D(2026, 2, 1),
            }
        ],
        "serious_dishonest": [
            {
                "uscc": S6,
                "list_name": "严重违法失信名单",
                "department": "鹤岗市市场监督管理局",
                "listed_date": D(2026, 2, 1),
                "subject_name": NAMES[S6],
            }
        ],
        "tax_credit": [
            {"uscc": u, "year": 2025, "grade": g, "published_date": D(2026, 4, 30)}
            for u, g in ((S1, "A"), (S2, "B"), (S3, "A"), (S4, "M"), (S6, "C"))
        ],
        "evaluations": [
            {"uscc": S2, "evaluator": "公共信用综合评价", "eval_date": D(2026, 3, 1), "grade": "C", "score": 62.0},
            {"uscc": S1, "evaluator": "公共信用综合评价", "eval_date": D(2026, 3, 1), "grade": "A", "score": 91.0},
            {"uscc": S3, "evaluator": "市税务局", "eval_date": D(2026, 4, 1), "grade": "B", "score": 80.0},
            {"uscc": S4, "evaluator": "市市场监管局", "eval_date": D(2026, 4, 1), "grade": "D", "score": 55.0},
        ],
        "repairs": [
            {
                "repair_id": "XF-2026-001",
                "uscc": S2,
                "record_type": "penalty",
                "record_ref": "鹤市监罚〔2026〕5号",
                "applied_date": D(2026, 6, 1),
                "status": "申请中",
            }
        ],
        "objections": [
            {
                "objection_id": "YY-1",
                "uscc": S2,
                "department": "市市场监管局",
                "received_date": D(2026, 5, 6),
                "answered_date": D(2026, 5, 8),
                "outcome": "维持",
            },
            {
                "objection_id": "YY-2",
                "uscc": S3,
                "department": "市税务局",
                "received_date": D(2026, 6, 1),
                "answered_date": D(2026, 6, 22),
                "outcome": "更正",
            },
        ],
        "commitments": [
            {
                "commitment_id": "CN-1",
                "uscc": S1,
                "kind": "信用修复承诺",
                "department": "市税务局",
                "signed_date": D(2026, 1, 5),
                "due_date": D(2026, 6, 1),
                "fulfilment": "履约",
            }
        ],
        "loans": [
            {
                "loan_id": "LN-1",
                "uscc": S4,
                "lender": "鹤岗农村商业银行",
                "amount_wan_yuan": 50.0,
                "due_date": D(2026, 5, 31),
            }
        ],
        "campaign_lists": [
            {"uscc": S3, "campaign": "拖欠农民工工资专项治理", "department": "市住建局", "listed_date": D(2026, 3, 1)}
        ],
        "disclosure_ledger": [
            {"department": "市税务局", "month": D(2026, 3, 1), "kind": "处罚", "decisions": 1},
            {"department": "市税务局", "month": D(2026, 5, 1), "kind": "处罚", "decisions": 2},
            {"department": "市市场监管局", "month": D(2026, 1, 1), "kind": "处罚", "decisions": 1},
        ],
        "collections": [
            {"department": "市税务局", "month": D(2026, m, 1), "category": "纳税", "records": 10, "subjects_covered": 5}
            for m in range(1, 7)
        ],
        "city_scores": [
            {
                "month": D(2026, m, 1),
                "city": city,
                "province": "黑龙江省",
                "score": score + m * 0.1,
                "rank": rank - m,
                "rank_in_province": prov,
            }
            for m in range(1, 7)
            for city, score, rank, prov in (
                ("鹤岗市", 80.0, 120, 3),
                ("哈尔滨市", 85.0, 60, 1),
                ("佳木斯市", 82.0, 90, 2),
            )
        ],
    }


QUARANTINED = {
    "run_id": "fixture",
    "entity": "penalties",
    "source": "penalties.csv",
    "row_no": 7,
    "reason_code": "bad_date",
    "message_zh": "日期无法识别：处罚决定日期=2026-13-45",
    "original": {"行政处罚决定书文号": "=鹤税罚〔2026〕9号", "处罚决定日期": "2026-13-45", "行政相对人名称": NAMES[S2]},
}


def build_warehouse(path: Path) -> None:
    """Write the fixed dataset into a new warehouse file at `path` (schema, reference, marts),
    with one quarantined penalty row (its number starts with '=': a formula if not neutralised)."""
    con = duckdb.connect(str(path))
    try:
        schema.create_warehouse(con)
        schema.load_reference(con)
        for entity, rows in dataset().items():
            schema.insert_current_rows(con, entity, rows)
        q = QUARANTINED
        con.execute(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                q["run_id"],
                q["entity"],
                q["source"],
                q["row_no"],
                q["reason_code"],
                q["message_zh"],
                json.dumps(q["original"], ensure_ascii=False),
                dt.datetime(2026, 7, 3, 8, 0),
            ],
        )
        schema.build_marts(con)
    finally:
        con.close()


def publish(settings, template: Path | None = None) -> snapshots.SnapshotInfo:
    """Publish the dataset (a copy of `template` when given, else built afresh) as the live
    snapshot of `settings`' warehouse."""
    snapshot_id = snapshots.new_snapshot_id(uuid.uuid4().hex[:10])
    building = snapshots.paths(settings).building_path(snapshot_id)
    building.parent.mkdir(parents=True, exist_ok=True)
    if template is None:
        build_warehouse(building)
    else:
        shutil.copyfile(template, building)
    info = snapshots.install(settings, building, snapshot_id)
    snapshots.publish(settings, snapshot_id)
    return info


@pytest.fixture(scope="session")
def pages_template(tmp_path_factory) -> Path:
    """The dataset's warehouse file, built once per test session."""
    path = tmp_path_factory.mktemp("pages_template") / "warehouse.duckdb"
    build_warehouse(path)
    return path


USERS = {
    "office": dict(role="office"),
    "office_pd": dict(role="office", personal_data=True),
    "leader": dict(role="leader"),
    "tax_user": dict(role="department", departments=("tax",)),
}


@pytest.fixture
def pages_env(monkeypatch, tmp_path, pages_template):
    """An isolated data folder with the fixed dataset live and one user per role; `con` is a
    read-only connection to the live snapshot for computing the expected figures."""
    settings = isolated_settings(monkeypatch, tmp_path)
    info = publish(settings, pages_template)
    engine = opstore.get_engine(settings)
    for name, spec in USERS.items():
        make_user(engine, name, **spec)
    con = snapshots.connect_readonly(info.path)
    yield SimpleNamespace(settings=settings, engine=engine, snapshot=info, con=con)
    con.close()
    opstore.dispose_all()


def app(user: str = "office", page: str | None = None, params: dict | None = None, timeout: float = 30) -> AppTest:
    """An AppTest of the dashboard signed in as `user`, opened on `page` (a pages/ file stem, e.g.
    'indicators') with these URL parameters, after one run."""
    at = AppTest.from_file(str(APP_FILE), default_timeout=timeout)
    now = time.time()
    at.session_state[auth.SESSION_KEY] = {"username": user, "method": "password", "signed_in_at": now, "last_seen": now}
    at.query_params = dict(params or {})
    if page is not None:
        at.switch_page(f"../../pages/{page}.py")
    return at.run()


def texts(at: AppTest) -> str:
    """Every text an AppTest run put on screen (markdown, captions, titles, metrics, alerts)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    for m in at.metric:
        parts.append(f"{m.label} {m.value} {m.delta or ''}")
    return "\n".join(parts)


def table(at: AppTest, key: str):
    """The frame an AppTest run shows in the st.dataframe with this key."""
    try:
        return at.container(f"table_{key}").dataframe[0].value
    except (KeyError, IndexError) as exc:
        raise KeyError(f"no table {key!r}") from exc


def crumbs(at: AppTest) -> list[tuple[str, str, str]]:
    """The breadcrumb links: (label, page url path, query string)."""
    return [(p.proto.label, p.proto.page, p.proto.query_string) for p in at.get("page_link")]


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise KeyError(f"no metric {label!r}; metrics: {[m.label for m in at.metric]}")


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def select_row(at: AppTest, key: str, row: int) -> AppTest:
    """Click row `row` of a selectable table (as the browser reports it) and rerun."""
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def rows_of(frame) -> list[list]:
    """A frame's cells as plain Python values (NaN/NA → None), for comparing what a page shows
    with expected rows whatever the dtypes the browser round trip gives."""
    import pandas as pd

    out = []
    for row in frame.itertuples(index=False):
        out.append(
            [
                None if (not isinstance(v, (list, tuple)) and pd.isna(v)) else (v.item() if hasattr(v, "item") else v)
                for v in row
            ]
        )
    return out
