"""The month's 通报 (.docx and PDF) and briefing deck (.pptx), rendered from one
dashboard.rules.briefing.MonthlyBriefing (docs/rules.md N2).

- The 通报 is laid out as a Chinese official document (GB/T 9704: A4, margins 37/35/28/26 mm, the red
  发文机关标志 and the red rule under the 文号, 标题 in 小标宋, 主送机关, body in 仿宋 三号 with 黑体
  section headings 一、…五、, 落款 and date). Its content is one list of blocks (`document_blocks`)
  rendered twice — Word with the GB font names set (方正小标宋简体 / 黑体 / 仿宋_GB2312, the fonts the
  office's machines have), and PDF through fpdf2 with Noto Serif / Sans CJK SC from Debian's
  fonts-noto-cjk embedded (subset) — so the two cannot say different things.
- The deck is 16:9 (python-pptx): cover, rank trend against the province's cities, indicators with
  RAG colours, the three weakest indicators with their responsible departments, warnings by
  department × type with follow-up status, the departments named, and an appendix. Its charts are
  the dashboard's own Plotly figures (dashboard.app.charts) rendered to PNG by kaleido in the
  Chromium of settings.briefing_documents.chart_browser — offline, no browser download.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import os
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from fpdf import FPDF
from fpdf.fonts import FontFace, TTFFont
from pptx import Presentation
from pptx.dml.color import RGBColor as PptxRGB
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches
from pptx.util import Pt as PptxPt

from dashboard.app import charts, page_queries
from dashboard.core import formatting as fmt
from dashboard.core.dates import local_time_text
from dashboard.core.settings import Settings
from dashboard.rules.briefing import MonthlyBriefing, monthly_briefing
from dashboard.rules.credit_warnings import WARNING_TYPES
from dashboard.store.snapshots import SnapshotInfo

# fontTools (PDF font subsetting) and kaleido's browser driver report every step at INFO; the
# command line logs at INFO, so keep them to warnings.
for _noisy in ("fontTools", "kaleido", "choreographer", "logistro"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

RED = (0xE6, 0x00, 0x12)  # the 发文机关标志 red of GB/T 9704
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
SECTIONS = ("一、总体情况", "二、指标完成情况", "三、预警处置情况", "四、工作推进不力单位", "五、下一步工作")
CN_DIGITS = "零一二三四五六七八九"
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
# Noto CJK collections hold JP, KR, SC, TC, HK faces; index 2 is Simplified Chinese.
NOTO_SC = 2
DECK_TABLE_ROWS = 12
NAMED_PER_SLIDE = 9


# ---- the text, once ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One piece of the 通报 body: kind 'heading' | 'para' | 'table'."""

    kind: str
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    widths: tuple[float, ...] = ()  # table column widths, shares of the text width


def document_number(settings: Settings, month: dt.date) -> str:
    """The 文号 of the month's 通报, e.g. 鹤信用办通报〔2026〕11号."""
    return settings.briefing_documents.document_number.format(year=month.year, month=month.month)


def document_title(b: MonthlyBriefing) -> str:
    return f"关于{b.month_label}城市信用监测情况的通报"


def _signed(change: int | None, up: str, down: str) -> str:
    if change is None:
        return ""
    if change == 0:
        return "，与上月持平"
    return f"，较上月{up if change > 0 else down}{abs(change)}位"


def _days(value: Any) -> str:
    return fmt.MISSING if fmt.is_missing(value) else f"{fmt.fmt_count(value)}"


def overview_text(b: MonthlyBriefing) -> str:
    """一、总体情况: I00 standing, indicator statuses and the warnings' follow-up, in one paragraph."""
    s, t = b.standing, b.totals
    parts = []
    if s.score is not None and s.rank is not None:
        change = fmt.fmt_delta(s.score_change, "count")
        score = f"{s.city}综合信用指数为{s.score:.2f}" + (
            "" if change is None else ("，与上月持平" if change == fmt.UNCHANGED else f"，较上月{change}")
        )
        rank = f"全国排名第{s.rank}名" + _signed(s.rank_change, "上升", "下降")
        province = (
            f"在{s.province}{s.n_province_cities}个城市中排名第{s.rank_in_province}名"
            + _signed(s.province_rank_change, "上升", "下降")
            if s.rank_in_province is not None
            else ""
        )
        parts.append(
            f"{b.month_label}全国城市信用状况监测结果显示，{score}；{rank}"
            + (f"；{province}" if province else "")
            + "。"
        )
    else:
        parts.append(f"{b.month_label}暂无全国城市信用状况监测结果。")
    parts.append(
        f"本月{t['n_indicators']}项监测指标中，达标{t['n_green']}项、临界{t['n_amber']}项、未达标{t['n_red']}项。"
    )
    median = "" if t["median_days"] is None else f"，首次处置中位用时{_days(t['median_days'])}个工作日"
    parts.append(
        f"截至月末，在办信用预警{fmt.fmt_count(t['n_open'])}条，其中已处置{fmt.fmt_count(t['n_acted'])}条、"
        f"超期未处置{fmt.fmt_count(t['n_overdue'])}条；本月已解除{fmt.fmt_count(t['n_resolved'])}条{median}。"
    )
    note = b.narrative.get("overview_note", "").strip()
    return "".join(parts) + (note if note else "")


def indicator_rows(b: MonthlyBriefing) -> tuple[tuple[str, ...], ...]:
    rows = []
    for n, r in enumerate(b.indicators.itertuples(), start=1):
        change = fmt.fmt_delta(r.change, r.unit)
        rows.append(
            (
                str(n),
                f"{r.indicator_id} {r.name}",
                fmt.fmt_value(r.value, r.unit),
                charts.target_text(r.target, r.direction, r.unit),
                fmt.STATUS_LABELS.get(str(r.status), fmt.STATUS_LABELS["none"]),
                fmt.MISSING if change is None else change,
            )
        )
    return tuple(rows)


def warning_rows(b: MonthlyBriefing) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            str(n),
            str(r.department_name),
            fmt.fmt_count(r.n_open),
            fmt.fmt_count(r.n_acted),
            fmt.fmt_count(r.n_overdue),
            fmt.fmt_count(r.n_resolved),
            _days(r.median_days),
        )
        for n, r in enumerate(b.warnings_by_department.itertuples(), start=1)
    )


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 27 → 二十七 (the （一）（二）… of official documents; n < 100)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{CN_DIGITS[tens]}十")
    return head + ("" if ones == 0 and tens else CN_DIGITS[ones])


def named_paragraphs(b: MonthlyBriefing) -> list[str]:
    if b.named_departments.empty:
        return ["本月无工作推进不力单位。"]
    out = ["根据责任单位排名，以下单位工作推进不力，拉低了全市信用监测排名，予以通报："]
    for n, r in enumerate(b.named_departments.itertuples(), start=1):
        ordinal = cn_number(n) if n < 100 else str(n)
        out.append(f"（{ordinal}）{r.department_name}：{r.lagging_on or '排名靠后'}。")
    return out


def document_blocks(b: MonthlyBriefing) -> list[Block]:
    """The body of the 通报, sections 一 to 五, for both renderers."""
    blocks = [Block("heading", SECTIONS[0]), Block("para", overview_text(b)), Block("heading", SECTIONS[1])]
    blocks.append(
        Block(
            "table",
            header=("序号", "指标", "本月值", "目标", "状态", "较上月"),
            rows=indicator_rows(b),
            widths=(0.07, 0.39, 0.12, 0.13, 0.09, 0.2),
        )
    )
    blocks.append(Block("heading", SECTIONS[2]))
    if b.warnings_by_department.empty:
        blocks.append(Block("para", "本月无在办或已解除的信用预警。"))
    else:
        blocks.append(
            Block(
                "table",
                header=("序号", "责任单位", "在办", "已处置", "超期", "已解除", "中位用时（工作日）"),
                rows=warning_rows(b),
                widths=(0.08, 0.3, 0.1, 0.11, 0.1, 0.11, 0.2),
            )
        )
    blocks.append(Block("heading", SECTIONS[3]))
    blocks.extend(Block("para", text) for text in named_paragraphs(b))
    blocks.append(Block("heading", SECTIONS[4]))
    blocks.append(Block("para", b.narrative.get("next_steps", "").strip() or "（无）"))
    return blocks


# ---- Word ---------------------------------------------------------------------------------------------


def _font(run: Any, name: str, size: float, bold: bool = False, colour: tuple[int, int, int] | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if colour:
        run.font.color.rgb = RGBColor(*colour)


def _paragraph(doc: Any, text: str, font: str, size: float, align: Any = None, **kwargs: Any) -> Any:
    p = doc.add_paragraph()
    p.paragraph_format.line_spacing = Pt(28)  # 每行28磅 ≈ 22 lines a page
    p.paragraph_format.space_after = Pt(0)
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), font, size, **kwargs)
    return p


def _red_rule(paragraph: Any) -> None:
    """The red separator line under the 文号 (a paragraph bottom border)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def docx_bytes(b: MonthlyBriefing, settings: Settings, issued_on: dt.date) -> bytes:
    """The 通报 as a Word document (GB/T 9704 layout)."""
    cfg = settings.briefing_documents
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _paragraph(doc, cfg.issuer_mark, TITLE_FONT, 26, WD_ALIGN_PARAGRAPH.CENTER, colour=RED)
    _paragraph(doc, "", BODY_FONT, 16)
    _red_rule(_paragraph(doc, document_number(settings, b.month), BODY_FONT, 16, WD_ALIGN_PARAGRAPH.CENTER))
    _paragraph(doc, "", BODY_FONT, 16)
    _paragraph(doc, document_title(b), TITLE_FONT, 22, WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "", BODY_FONT, 16)
    _paragraph(doc, cfg.recipients, BODY_FONT, 16)
    for block in document_blocks(b):
        if block.kind == "heading":
            _paragraph(doc, block.text, HEADING_FONT, 16).paragraph_format.first_line_indent = Pt(32)
        elif block.kind == "para":
            _paragraph(doc, block.text, BODY_FONT, 16).paragraph_format.first_line_indent = Pt(32)
        else:
            _docx_table(doc, block, section.page_width - section.left_margin - section.right_margin)
    _paragraph(doc, "", BODY_FONT, 16)
    _paragraph(doc, cfg.issuer, BODY_FONT, 16, WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, fmt.fmt_date_cn(issued_on), BODY_FONT, 16, WD_ALIGN_PARAGRAPH.RIGHT)
    doc.core_properties.title = document_title(b)
    doc.core_properties.author = cfg.issuer
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_table(doc: Any, block: Block, width: int) -> None:
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.header):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 12)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 12)
    for column, share in zip(table.columns, block.widths):
        for cell in column.cells:
            cell.width = int(width * share)


# ---- PDF ----------------------------------------------------------------------------------------------


def _noto(name: str) -> str:
    return str(NOTO_DIR / name)


def pdf_bytes(b: MonthlyBriefing, settings: Settings, issued_on: dt.date) -> bytes:
    """The same 通报 as a PDF with the Noto CJK SC faces embedded (subset): Noto Serif for 仿宋 and
    小标宋, Noto Sans (bold) for 黑体."""
    cfg = settings.briefing_documents
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(28, 37, 26)
    pdf.set_auto_page_break(True, margin=35)
    pdf.add_font("serif", "", _noto("NotoSerifCJK-Regular.ttc"), collection_font_number=NOTO_SC)
    pdf.add_font("serif", "B", _noto("NotoSerifCJK-Bold.ttc"), collection_font_number=NOTO_SC)
    pdf.add_font("sans", "B", _noto("NotoSansCJK-Bold.ttc"), collection_font_number=NOTO_SC)
    for font in pdf.fonts.values():
        # Saving a subset recomputes every CFF glyph's bounding box, a third of the PDF's time; the
        # subset keeps the boxes of the full font, which only ever over-state the extent.
        if isinstance(font, TTFFont):
            font.ttfont.recalcBBoxes = False
    pdf.set_title(document_title(b))
    pdf.set_author(cfg.issuer)
    pdf.set_creation_date(dt.datetime.combine(issued_on, dt.time(), tzinfo=dt.UTC))
    pdf.add_page()
    line = 9.9  # 28 pt
    pdf.set_text_color(*RED)
    size = 26.0
    pdf.set_font("serif", "B", size)
    while size > 12 and pdf.get_string_width(cfg.issuer_mark) > pdf.epw - 2 * pdf.c_margin - 1:  # one line
        size -= 1
        pdf.set_font("serif", "B", size)
    pdf.multi_cell(0, 14, cfg.issuer_mark, align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    pdf.set_font("serif", "", 16)
    pdf.cell(0, line, document_number(settings, b.month), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.6)
    y = pdf.get_y() + 2
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.ln(10)
    pdf.set_font("serif", "B", 20)
    pdf.multi_cell(0, 12, document_title(b), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("serif", "", 16)
    pdf.multi_cell(0, line, cfg.recipients, new_x="LMARGIN", new_y="NEXT")
    for block in document_blocks(b):
        if block.kind == "heading":
            pdf.set_font("sans", "B", 16)
            _pdf_paragraph(pdf, block.text)
        elif block.kind == "para":
            pdf.set_font("serif", "", 16)
            _pdf_paragraph(pdf, block.text)
        else:
            _pdf_table(pdf, block)
    pdf.ln(line)
    pdf.set_font("serif", "", 16)
    pdf.cell(0, line, cfg.issuer, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, line, fmt.fmt_date_cn(issued_on), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# Chinese line breaking: a line may break between any two characters, except inside a run of Latin
# letters and digits (a number, an indicator id), before closing punctuation (避头) or after an
# opening bracket (避尾).
_TOKENS = re.compile(r"[A-Za-z0-9.,%+\-]+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』】〕”’%…·")
_NO_LINE_END = set("（《「『【〔“‘")


def _break_units(text: str) -> list[str]:
    units: list[str] = []
    glue = False
    for token in _TOKENS.findall(text):
        if units and (glue or token[0] in _NO_LINE_START):
            units[-1] += token
        else:
            units.append(token)
        glue = token[-1] in _NO_LINE_END
    return units


def _pdf_paragraph(pdf: FPDF, text: str, line: float = 9.9) -> None:
    """A body paragraph in the current font: the first line indented by two characters, `line` mm
    (28 pt) apart, broken the Chinese way (_break_units) within the text width."""
    indent = 2 * pdf.get_string_width("　")
    lines: list[str] = []
    current, width = "", pdf.epw - indent
    for unit in _break_units(text):
        if current and pdf.get_string_width(current + unit) > width:
            lines.append(current)
            current, width = unit.lstrip(), pdf.epw
        else:
            current += unit
    lines.append(current)
    for n, content in enumerate(lines):
        pdf.set_x(pdf.l_margin + (indent if n == 0 else 0))
        pdf.cell(0, line, content, new_x="LMARGIN", new_y="NEXT")


def _pdf_table(pdf: FPDF, block: Block) -> None:
    pdf.ln(2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.set_font("serif", "", 10.5)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    with pdf.table(
        col_widths=tuple(share * width for share in block.widths),
        headings_style=FontFace(family="sans", emphasis="BOLD", size_pt=10.5),
        line_height=6,
        text_align="CENTER",
        v_align="TOP",  # a wrapped cell's second line follows its row, in print and in extracted text
        repeat_headings=1,
    ) as table:
        table.row(block.header)
        for row in block.rows:
            table.row(row)
    pdf.ln(2)


# ---- deck -----------------------------------------------------------------------------------------------


def deck_figures(b: MonthlyBriefing) -> dict[str, go.Figure]:
    """The deck's charts: the dashboard's own figures (dashboard.app.charts) of the same frames."""
    top = b.warnings_by_department.head(15).assign(
        n_pending=lambda f: (f["n_open"] - f["n_acted"] - f["n_overdue"]).clip(lower=0)
    )
    figures = {
        "scores": charts.city_score_trend(b.scores, title="全省城市综合信用指数走势"),
        "rank": charts.city_rank_trend(b.scores, title=f"{b.standing.city or '本市'}全国及省内排名走势"),
        "warnings": charts.stacked_counts(
            top,
            "department_code",
            "department_name",
            {
                "n_acted": ("已处置", charts.STATUS_COLOURS["green"]),
                "n_pending": ("待处置（未超期）", charts.STATUS_COLOURS["amber"]),
                "n_overdue": ("超期未处置", charts.STATUS_COLOURS["red"]),
            },
            title="各单位在办预警处置情况",
        ),
    }
    # On a page the browser's automatic margins make room for the axis labels; in a static image
    # they have to be given (department names on the left, the province rank on the right).
    for fig in figures.values():
        fig.update_layout(margin={"l": 70, "r": 60})
    figures["warnings"].update_layout(margin={"l": 130, "r": 20})
    return figures


async def _render(figures: Mapping[str, go.Figure], sizes: Mapping[str, tuple[int, int]]) -> dict[str, bytes]:
    import kaleido  # noqa: PLC0415 — starts Chromium machinery; only the documents need it

    out = {}
    async with kaleido.Kaleido(n=1, timeout=120) as renderer:
        for name, fig in figures.items():
            width, height = sizes[name]
            out[name] = await renderer.calc_fig(
                fig, opts={"format": "png", "width": width, "height": height, "scale": 2}
            )
    return out


def chart_images(b: MonthlyBriefing, settings: Settings) -> dict[str, bytes]:
    """PNG of each deck figure, rendered by kaleido in settings.briefing_documents.chart_browser
    (choreographer reads the browser from BROWSER_PATH)."""
    browser = settings.briefing_documents.chart_browser
    if browser and Path(browser).exists():
        os.environ.setdefault("BROWSER_PATH", browser)
    figures = deck_figures(b)
    sizes = {"scores": (900, 660), "rank": (900, 660), "warnings": (1100, 560)}
    return asyncio.run(_render(figures, sizes))


def _rgb(colour: str) -> PptxRGB:
    return PptxRGB.from_string(colour.lstrip("#").upper())


def _text(slide: Any, text: str, left: float, top: float, width: float, height: float, size: float, **kw: Any) -> Any:
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for n, line in enumerate(text.split("\n")):
        p = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        p.alignment = kw.get("align", PP_ALIGN.LEFT)
        run = p.add_run()
        run.text = line
        run.font.size = PptxPt(size)
        run.font.bold = kw.get("bold", False)
        run.font.name = kw.get("font", "微软雅黑")
        run.font.color.rgb = _rgb(kw.get("colour", "#263238"))
    return box


def _title(slide: Any, text: str) -> None:
    bar = slide.shapes.add_shape(1, 0, 0, Inches(13.333), Inches(0.9))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(charts.PRIMARY)
    bar.line.fill.background()
    _text(slide, text, 0.5, 0.12, 12.3, 0.7, 26, bold=True, colour="#FFFFFF")


def _table(
    slide: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    top: float,
    widths: Sequence[float],
    fills: Sequence[Mapping[int, str]] | None = None,
    size: float = 11,
    row_height: float = 0.3,
) -> None:
    height = 0.3 + row_height * len(rows)
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), Inches(0.5), Inches(top), Inches(sum(widths)), Inches(height)
    )
    table = shape.table
    for i, w in enumerate(widths):
        table.columns[i].width = Inches(w)
    for r in range(len(rows) + 1):
        table.rows[r].height = Emu(Inches(0.3 if r == 0 else row_height))
    for c, text in enumerate(header):
        _cell(table.cell(0, c), text, size, bold=True, fill=charts.PRIMARY, colour="#FFFFFF")
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            fill = (fills[r - 1].get(c) if fills else None) or ("#F5F7F8" if r % 2 else "#FFFFFF")
            colour = "#FFFFFF" if fills and fills[r - 1].get(c) else "#263238"
            _cell(table.cell(r, c), text, size, fill=fill, colour=colour)


def _cell(
    cell: Any, text: str, size: float, bold: bool = False, fill: str = "#FFFFFF", colour: str = "#263238"
) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = _rgb(fill)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    frame = cell.text_frame
    frame.word_wrap = True
    p = frame.paragraphs[0]
    run = p.add_run()
    run.text = text
    run.font.size = PptxPt(size)
    run.font.bold = bold
    run.font.name = "微软雅黑"
    run.font.color.rgb = _rgb(colour)


def _picture(slide: Any, png: bytes, left: float, top: float, width: float) -> None:
    slide.shapes.add_picture(io.BytesIO(png), Inches(left), Inches(top), width=Inches(width))


def warning_matrix(b: MonthlyBriefing) -> tuple[list[str], list[tuple[str, ...]]]:
    """Warnings by department × type (open at month end) with follow-up status: header and rows,
    departments in the order of warnings_by_department."""
    counts = b.warnings_by_type
    types = [t for t in WARNING_TYPES if not counts.empty and t in set(counts["warning_type"])]
    header = ["责任单位", *[f"{t} {WARNING_TYPES[t]}" for t in types], "在办", "已处置", "超期", "中位用时"]
    rows = []
    for r in b.warnings_by_department.itertuples():
        mine = counts[counts["department_code"].fillna("") == r.department_code].set_index("warning_type")["n_open"]
        rows.append(
            (
                str(r.department_name),
                *[fmt.fmt_count(mine.get(t, 0)) for t in types],
                fmt.fmt_count(r.n_open),
                fmt.fmt_count(r.n_acted),
                fmt.fmt_count(r.n_overdue),
                _days(r.median_days),
            )
        )
    return header, rows


def weakest(b: MonthlyBriefing) -> pd.DataFrame:
    """The three indicators furthest from target (page_queries.weakest_indicators, as on 总览)."""
    tiles = b.indicators.assign(
        shortfall=[
            page_queries.shortfall(v, t, tol, d)
            for v, t, tol, d in zip(
                b.indicators["value"], b.indicators["target"], b.indicators["tolerance"], b.indicators["direction"]
            )
        ]
    )
    return tiles.pipe(lambda f: page_queries.weakest_indicators(f.drop(columns="responsible_names"), {}, 3)).assign(
        responsible_names=lambda f: [
            b.indicators.set_index("indicator_id").at[i, "responsible_names"] for i in f["indicator_id"]
        ]
    )


def deck_bytes(b: MonthlyBriefing, settings: Settings, images: Mapping[str, bytes], generated_at: str) -> bytes:
    """The briefing deck (16:9)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 16:9, 13.333 × 7.5 in
    blank = prs.slide_layouts[6]
    s = b.standing

    slide = prs.slides.add_slide(blank)
    band = slide.shapes.add_shape(1, 0, Inches(2.2), Inches(13.333), Inches(2.4))
    band.fill.solid()
    band.fill.fore_color.rgb = _rgb(charts.PRIMARY)
    band.line.fill.background()
    _text(slide, f"{b.month_label}城市信用监测调度会", 0.8, 2.5, 11.7, 1.0, 40, bold=True, colour="#FFFFFF")
    _text(slide, settings.briefing_documents.issuer, 0.8, 3.6, 11.7, 0.6, 20, colour="#FFFFFF")
    _text(
        slide,
        f"数据截至：{b.data_as_of or fmt.MISSING}　　快照：{b.snapshot_id or fmt.MISSING}",
        0.8,
        5.2,
        11.7,
        0.5,
        16,
    )
    _text(slide, f"生成时间：{generated_at}", 0.8, 5.7, 11.7, 0.5, 16)

    slide = prs.slides.add_slide(blank)
    _title(slide, "全国排名走势（与省内城市对比）")
    if s.rank is not None:
        summary = f"综合信用指数 {s.score:.2f}　全国第{s.rank}名" + (
            f"　省内第{s.rank_in_province}名（共{s.n_province_cities}个城市）" if s.rank_in_province is not None else ""
        )
    else:
        summary = "本月暂无全国城市信用监测结果"
    _text(slide, summary, 0.5, 1.0, 12.3, 0.5, 18, bold=True)
    _picture(slide, images["scores"], 0.4, 1.6, 6.2)
    _picture(slide, images["rank"], 6.75, 1.6, 6.2)

    slide = prs.slides.add_slide(blank)
    _title(slide, "监测指标完成情况")
    rows = indicator_rows(b)
    fills = [{4: charts.status_colour(st)} for st in b.indicators["status"]]
    _table(
        slide,
        ("序号", "指标", "本月值", "目标", "状态", "较上月"),
        rows,
        1.05,
        (0.6, 5.4, 1.4, 1.4, 1.1, 2.4),
        fills,
        10,
        row_height=min(0.3, 6.1 / max(len(rows), 1)),  # every indicator on the slide
    )

    slide = prs.slides.add_slide(blank)
    _title(slide, "差距最大的三项指标")
    worst = weakest(b)
    if worst.empty:
        _text(slide, "本月全部指标达标。", 0.5, 1.2, 12, 0.6, 20)
    for n, r in enumerate(worst.itertuples()):
        left = 0.5 + n * 4.2
        card = slide.shapes.add_shape(1, Inches(left), Inches(1.3), Inches(3.9), Inches(5.4))
        card.fill.solid()
        card.fill.fore_color.rgb = _rgb("#F5F7F8")
        card.line.color.rgb = _rgb(charts.status_colour(r.status))
        _text(slide, f"{r.indicator_id} {r.name}", left + 0.15, 1.45, 3.6, 1.0, 18, bold=True)
        _text(
            slide,
            fmt.fmt_value(r.value, r.unit),
            left + 0.15,
            2.5,
            3.6,
            0.9,
            36,
            bold=True,
            colour=charts.status_colour(r.status),
        )
        _text(slide, f"目标 {charts.target_text(r.target, r.direction, r.unit)}", left + 0.15, 3.5, 3.6, 0.5, 14)
        _text(slide, f"责任单位：{r.responsible_names or fmt.MISSING}", left + 0.15, 4.1, 3.6, 2.4, 14)

    header, matrix = warning_matrix(b)
    slide = prs.slides.add_slide(blank)
    _title(slide, "预警处置情况（单位 × 类型）")
    if not matrix:
        _text(slide, "本月无在办信用预警。", 0.5, 1.2, 12, 0.6, 20)
    else:
        n_types = len(header) - 5
        widths = [2.6, *([max(0.9, 6.0 / max(n_types, 1))] * n_types), 0.9, 0.9, 0.9, 1.0]
        scale = min(1.0, 12.3 / sum(widths))
        _table(slide, header, matrix[:DECK_TABLE_ROWS], 1.05, [w * scale for w in widths], size=9)
        if len(matrix) > DECK_TABLE_ROWS:
            _text(slide, f"另有{len(matrix) - DECK_TABLE_ROWS}个单位见附录。", 0.5, 6.9, 12, 0.4, 12)
    slide = prs.slides.add_slide(blank)
    _title(slide, "各单位预警处置进度")
    _picture(slide, images["warnings"], 1.2, 1.05, 10.9)

    named = [(str(r.rank), str(r.department_name), str(r.lagging_on or "")) for r in b.named_departments.itertuples()]
    for start in range(0, max(len(named), 1), NAMED_PER_SLIDE):
        slide = prs.slides.add_slide(blank)
        _title(
            slide, "工作推进不力单位" + (f"（{start // NAMED_PER_SLIDE + 1}）" if len(named) > NAMED_PER_SLIDE else "")
        )
        if not named:
            _text(slide, "本月无工作推进不力单位。", 0.5, 1.2, 12, 0.6, 20)
        else:
            _table(
                slide,
                ("排名", "单位", "存在问题"),
                named[start : start + NAMED_PER_SLIDE],
                1.1,
                (0.9, 2.2, 9.2),
                size=11,
                row_height=0.58,
            )

    for start in range(DECK_TABLE_ROWS, len(matrix), 18):
        slide = prs.slides.add_slide(blank)
        _title(slide, "附录：其余单位预警处置情况")
        widths = [2.6, *([max(0.9, 6.0 / max(len(header) - 5, 1))] * (len(header) - 5)), 0.9, 0.9, 0.9, 1.0]
        scale = min(1.0, 12.3 / sum(widths))
        _table(slide, header, matrix[start : start + 18], 1.05, [w * scale for w in widths], size=9)
    slide = prs.slides.add_slide(blank)
    _title(slide, "附录：口径说明")
    notes = [
        "指标口径见 docs/rules.md 第4节；状态：达标 / 临界（差距在容差内）/ 未达标。",
        "预警：在办 = 月末仍成立；已处置 = 已记录约谈、告知、承诺或整改；超期 = 超过处置时限未处置；"
        "中位用时 = 自预警产生至首次处置的工作日数中位数。",
        "工作推进不力单位按责任单位排名规则（docs/rules.md N1）确定。",
        f"数据截至：{b.data_as_of or fmt.MISSING}；快照：{b.snapshot_id or fmt.MISSING}；生成时间：{generated_at}。",
    ]
    _text(slide, "\n".join(notes), 0.5, 1.2, 12.3, 5.5, 16)

    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# ---- the three files ------------------------------------------------------------------------------------


def file_names(b: MonthlyBriefing) -> dict[str, str]:
    stem = f"{b.month.year}年{b.month.month}月"
    return {"docx": f"{stem}城市信用监测通报.docx", "pdf": f"{stem}城市信用监测通报.pdf", "pptx": f"{stem}调度会.pptx"}


def briefing_of(
    con: Any,
    engine: Any,
    month: dt.date,
    settings: Settings,
    snapshot: SnapshotInfo | None,
    today: dt.date | None = None,
) -> MonthlyBriefing:
    """The month's figures on `snapshot` (the live one), stamped with its id and time."""
    return monthly_briefing(
        con,
        engine,
        month,
        snapshot_id=snapshot.snapshot_id if snapshot else "",
        data_as_of=local_time_text(snapshot.built_at) if snapshot else "",
        settings=settings,
        today=today,
    )


def render_all(
    b: MonthlyBriefing, settings: Settings, issued_on: dt.date, generated_at: str
) -> dict[str, tuple[str, bytes]]:
    """kind ('docx' | 'pdf' | 'pptx') → (file name, bytes) of the month's three files."""
    names = file_names(b)
    # Chromium draws the charts in its own processes while this one writes the Word and PDF files.
    with ThreadPoolExecutor(max_workers=1) as pool:
        images = pool.submit(chart_images, b, settings)
        docx = docx_bytes(b, settings, issued_on)
        pdf = pdf_bytes(b, settings, issued_on)
        deck = deck_bytes(b, settings, images.result(), generated_at)
    return {"docx": (names["docx"], docx), "pdf": (names["pdf"], pdf), "pptx": (names["pptx"], deck)}


def write_all(
    b: MonthlyBriefing, settings: Settings, out_dir: Path, issued_on: dt.date, generated_at: str
) -> list[Path]:
    """Write the month's three files into `out_dir` (created if absent); their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in render_all(b, settings, issued_on, generated_at).values():
        path = out_dir / name
        path.write_bytes(data)
        paths.append(path)
    return paths
