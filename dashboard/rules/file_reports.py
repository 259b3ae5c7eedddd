"""The onboarding view in the office's words: per file of the last load (or of a dry run), which
headers mapped to which field, which were not recognised, which required fields were missing and
why a data item failed — Chinese labels of the data contract only, no canonical names or codes, so
the office can correct a source's configuration (or ask for a new export) without reading logs.

The reports are dashboard.store.runs.FileReport records, written by the load
(dashboard.load.onboarding); the 数据状态 page and `python -m dashboard check` show these frames
and sentences alike.
"""

from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import Engine

from dashboard.core import contract
from dashboard.core.reasons import FLAG_LABELS, REASON_LABELS, column_label
from dashboard.store import runs
from dashboard.store.runs import FileReport

# The outcome of a file, as a load and as a dry run say it.
LOAD_STATUS = {
    runs.OK: "已装载",
    runs.FAILED: "装载失败",
    runs.HELD: "待确认（未发布）",
    runs.IGNORED: "未识别的文件（未装载）",
}
CHECK_STATUS = {
    runs.OK: "可以装载",
    runs.FAILED: "无法装载",
    runs.HELD: "待确认",
    runs.IGNORED: "未识别的文件（不会装载）",
}
UNRECOGNISED = "未识别（原样保留，不参与计算）"
IGNORED_HEADER = "序号列：忽略"
SUMMARY_COLUMNS = [
    "文件",
    "数据项",
    "结果",
    "已对应的列",
    "未识别的列",
    "缺少的必填列",
    "读取行数",
    "接受",
    "隔离",
    "说明",
]
HEADER_COLUMNS = ["第几列", "文件中的表头", "对应字段", "说明"]


def entity_label(name: str | None) -> str:
    entity = contract.ENTITY_BY_NAME.get(name or "")
    return entity.label if entity else "—"


def field_label(entity: str | None, column: str) -> str:
    """A canonical column as the office knows it: its Chinese label."""
    found = contract.ENTITY_BY_NAME.get(entity or "")
    if found is None:
        return column
    try:
        return found.column(column).label
    except KeyError:
        return column


def _labels(report: FileReport, columns: list[str]) -> str:
    return "、".join(field_label(report.entity, c) for c in columns)


def reason_label(code: str) -> str:
    """A quarantine reason in a few words: its template up to the detail ("日期无法识别")."""
    template = REASON_LABELS.get(code) or FLAG_LABELS.get(code) or "其他原因"
    return re.split(r"[：（]", template, maxsplit=1)[0]


def chinese_error(entity: str | None, text: str | None) -> str | None:
    """An ingest message in Chinese only: the canonical names that follow each field label
    ("处罚决定日期（decision_date）") left out."""
    found = contract.ENTITY_BY_NAME.get(entity or "")
    if text and found is not None:
        for col in found.columns:
            text = text.replace(column_label(col.label, col.name), col.label)
    return text


def error_text(report: FileReport) -> str | None:
    """Why the file failed, in Chinese only (chinese_error)."""
    return chinese_error(report.entity, report.error)


def advice(report: FileReport) -> list[str]:
    """What the office should know or do about the file, most important first (Chinese)."""
    lines: list[str] = []
    if report.status == runs.IGNORED:
        lines.append("该文件未对应任何数据项，未装载。请核对文件名，或在数据源配置中为其指定文件名规则。")
        return lines
    if report.missing_required:
        lines.append(
            f"缺少必填列：{_labels(report, report.missing_required)}。该数据项未装载。请在导出时保留这些列，"
            "或在数据源配置中指明文件中哪一列对应它们。"
        )
    elif report.status != runs.OK and (error := error_text(report)):
        lines.append(f"未装载的原因：{error}")
    unknown = report.unrecognised
    if unknown:
        hints = [
            f"“{h}”可能是“{field_label(report.entity, report.suggestions[h])}”"
            for h in unknown
            if h in report.suggestions
        ]
        lines.append(
            f"未识别的列（原样保留在原始层，不参与计算）：{'、'.join(unknown)}。"
            + (f"其中{'；'.join(hints)}，可在数据源配置中指定对照。" if hints else "")
        )
    if report.constants:
        lines.append(f"由数据源配置补充的列：{_labels(report, report.constants)}。")
    if report.quarantined:
        parts = "；".join(f"{reason_label(code)} {n:,} 行" for code, n in sorted(report.quarantined.items()))
        lines.append(f"隔离的行（未入库，可在“数据质量”页查看原值）：{parts}。")
    if report.missing_optional:
        lines.append(f"文件未提供的可选列：{_labels(report, report.missing_optional)}。")
    return lines


def summary_frame(reports: list[FileReport], dry_run: bool = False) -> pd.DataFrame:
    """One row per file: its data item, outcome, header counts, missing required fields, rows, and
    the first line of advice."""
    status = CHECK_STATUS if dry_run else LOAD_STATUS
    rows = []
    for r in reports:
        unknown = r.unrecognised
        notes = advice(r)
        rows.append(
            (
                r.file,
                entity_label(r.entity),
                status.get(r.status, r.status),
                sum(c is not None for _, c in r.headers),
                "、".join(unknown),
                _labels(r, r.missing_required),
                r.rows_read,
                r.rows_accepted,
                r.rows_quarantined,
                notes[0] if notes else "",
            )
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def header_frame(report: FileReport) -> pd.DataFrame:
    """Every header of the file in order: the field it maps to, or why it does not."""
    rows: list[tuple[str, str, str, str]] = []
    for i, (header, column) in enumerate(report.headers, 1):
        if column is not None:
            rows.append((str(i), header, field_label(report.entity, column), "已对应"))
        elif header in report.ignored_headers:
            rows.append((str(i), header, "", IGNORED_HEADER))
        else:
            hint = report.suggestions.get(header)
            note = UNRECOGNISED + (f"；可能是“{field_label(report.entity, hint)}”" if hint else "")
            rows.append((str(i), header, "", note))
    for column in report.missing_required:
        rows.append(("—", "（文件中没有）", field_label(report.entity, column), "缺少的必填列"))
    return pd.DataFrame(rows, columns=HEADER_COLUMNS)


def latest_load_reports(engine: Engine) -> tuple[runs.RunRecord | None, list[FileReport]]:
    """The newest load that read files, and its per-file reports (None, [] before any)."""
    record = runs.latest_reported_load(engine)
    return (record, runs.file_reports(engine, record.run_id)) if record is not None else (None, [])
