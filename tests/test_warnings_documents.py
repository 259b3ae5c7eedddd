"""The 行政处罚信用修复告知书 (000 附件1) filled in for a W1b warning."""

import datetime as dt
import io

import pytest
from docx import Document

from dashboard.app.documents import repair_notice_docx
from dashboard.core.identifiers import make_uscc
from dashboard.core.scope import Scope
from dashboard.rules.credit_warnings import warnings_at
from dashboard.store import schema

D = dt.date
USCC = make_uscc("91", "230402", "MA0000N1")


@pytest.fixture
def wh(warehouse):
    schema.insert_current_rows(
        warehouse,
        "subjects",
        [
            dict(
                uscc=USCC, name="鹤岗市丙食品有限公司", status="存续", established_date=D(2020, 1, 1), industry_code="H"
            )
        ],
    )
    schema.insert_current_rows(
        warehouse,
        "penalties",
        [
            dict(
                decision_no="鹤市监罚〔2024〕12号",
                party_name="鹤岗市丙食品有限公司",
                party_category="法人及非法人组织",
                uscc=USCC,
                penalty_kinds="警告;罚款",
                decision_date=D(2024, 3, 5),
                authority="市场监管局",
                violation_type="违反《中华人民共和国食品安全法》第三十五条的规定",
                reported_at=D(2024, 3, 6),
            ),
        ],
    )
    schema.build_marts(warehouse)
    return warehouse


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_notice_for_a_w1b_warning_id_and_for_a_decision_number(wh):
    warning = warnings_at(wh, D(2024, 6, 30), Scope.all(), types=["W1b"]).iloc[0]
    by_id = text_of(repair_notice_docx(wh, warning["warning_id"], Scope.of("market")))
    assert by_id == text_of(repair_notice_docx(wh, "鹤市监罚〔2024〕12号", Scope.all()))
    lines = by_id.split("\n")
    assert lines[0] == "行政处罚信用修复告知书"
    assert lines[1] == f"鹤岗市丙食品有限公司（统一社会信用代码：{USCC}）："
    assert lines[2].startswith(
        "你（企业）因违反《中华人民共和国食品安全法》第三十五条规定于2024年3月5日被处予警告、罚款的行政处罚"
        "（行政处罚决定书文号：鹤市监罚〔2024〕12号）。根据《国务院关于建立完善守信联合激励和失信联合惩戒制度"
    )
    assert "发改办财金〔2019〕527号" in lines[3]
    assert "签收人：" in by_id and "鹤岗市市场监督管理局（盖章）" in by_id


def test_notice_outside_scope_or_unknown(wh):
    with pytest.raises(LookupError):
        repair_notice_docx(wh, "鹤市监罚〔2024〕12号", Scope.of("tax"))
    with pytest.raises(LookupError):
        repair_notice_docx(wh, "W1b-000000000000", Scope.all())
