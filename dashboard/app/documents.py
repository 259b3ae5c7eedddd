"""Generated documents: the 行政处罚信用修复告知书 (000 附件1) for a W1b warning (应修复未修复).

The form's wording is the notice's own (000 附件1); the blanks are filled from the penalty record:
the violated provision (违法行为类型, else 处罚依据), the decision date, the penalty kinds, and the
issuing department as the signing authority. The signature dates stay blank: they are written on
delivery. Natural persons' names are masked unless the viewer's scope grants personal data (P6).
"""

from __future__ import annotations

import datetime as dt
import io
import re

import duckdb
import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from dashboard.core.privacy import mask_name
from dashboard.core.scope import Scope
from dashboard.store.db import run_query

TITLE = "行政处罚信用修复告知书"
FONT = "宋体"
TITLE_FONT = "黑体"
PUBLICITY_TEXT = (
    "根据《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》（国发〔2016〕33号）"
    "等文件规定，你企业有关行政处罚信息正通过信用中国网站、信用中国（黑龙江）、信用中国（黑龙江鹤岗）网站公示。"
)
REPAIR_TEXT = (
    "根据《国家发展改革委办公厅关于进一步完善“信用中国”网站及地方信用门户网站行政处罚信息信用修复机制的通知》"
    "（发改办财金〔2019〕527号）规定，你（单位）可向信用中国网站（网址：https://www.creditchina.gov.cn/xyxf/lczy/）"
    "提交信用修复申请，经核实后，撤下相关公示信息。"
)
BLANK_DATE = "　　年　　月　　日"


def _violation(violation_type: str | None, basis: str | None) -> str:
    """The provision for "因违反____规定": without a leading 违反 or a trailing 规定 of its own."""
    text = next((t for t in (violation_type, basis) if isinstance(t, str) and t.strip()), "有关法律法规")
    text = re.sub(r"^违反", "", text.strip())
    return re.sub(r"(的)?规定$", "", text)


def _penalty(kinds: str | None, content: str | None) -> str:
    parts = [k.strip() for k in str(kinds or "").split(";") if k.strip()]
    if parts:
        return "、".join(parts)
    return str(content).strip() if isinstance(content, str) and content.strip() else "行政处罚"


def _run(paragraph, text: str, size: float = 14, bold: bool = False, font: str = FONT):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def repair_notice_record(con: duckdb.DuckDBPyConnection, ref: str, scope: Scope) -> dict:
    """The penalty behind a W1b warning id or a decision number, as the notice needs it; raises
    LookupError when the viewer's scope reaches no such penalty."""
    frame = run_query(
        con, "warnings_w1b_repair_notice", {"ref": str(ref).strip()}, scope=scope, scope_column="department_code"
    )
    if frame.empty:
        raise LookupError(f"未找到可生成告知书的行政处罚：{ref}")
    record = frame.iloc[0].to_dict()
    if bool(record.get("is_natural_person")) and not scope.personal_data:
        record["subject_name"] = mask_name(record["subject_name"])
    return record


def repair_notice_docx(con: duckdb.DuckDBPyConnection, ref: str, scope: Scope) -> bytes:
    """The filled-in 行政处罚信用修复告知书 (000 附件1) as .docx bytes, for the penalty of a W1b
    warning id or a decision number `ref` within the viewer's scope (LookupError otherwise)."""
    rec = repair_notice_record(con, ref, scope)
    decided = pd.Timestamp(rec["decision_date"]).date() if rec.get("decision_date") is not None else None
    date_text = (
        f"{decided.year}年{decided.month}月{decided.day}日" if isinstance(decided, dt.date) else "　　年　　月　　日"
    )

    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, TITLE, size=22, bold=True, font=TITLE_FONT)

    addressee = doc.add_paragraph()
    code = f"（统一社会信用代码：{rec['uscc']}）" if isinstance(rec.get("uscc"), str) and rec["uscc"] else ""
    _run(addressee, f"{rec['subject_name']}{code}：")

    body = doc.add_paragraph()
    body.paragraph_format.first_line_indent = Pt(28)
    _run(
        body,
        f"你（企业）因违反{_violation(rec.get('violation_type'), rec.get('basis'))}规定于{date_text}"
        f"被处予{_penalty(rec.get('penalty_kinds'), rec.get('content'))}的行政处罚"
        f"（行政处罚决定书文号：{rec['decision_no']}）。{PUBLICITY_TEXT}",
    )
    repair = doc.add_paragraph()
    repair.paragraph_format.first_line_indent = Pt(28)
    _run(repair, REPAIR_TEXT)

    doc.add_paragraph()
    signatures = doc.add_table(rows=2, cols=2)
    _run(signatures.cell(0, 0).paragraphs[0], "签收人：")
    authority = signatures.cell(0, 1).paragraphs[0]
    authority.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(authority, f"{rec['department_full_name'] or ''}（盖章）")
    _run(signatures.cell(1, 0).paragraphs[0], BLANK_DATE)
    date_cell = signatures.cell(1, 1).paragraphs[0]
    date_cell.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(date_cell, BLANK_DATE)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
