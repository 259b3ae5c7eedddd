"""The dashboard's access to data: the live snapshot, read-only, and the load records.

One read-only DuckDB connection per published snapshot lives in `st.cache_resource` (keyed by the
snapshot id); every script run takes its own cursor from it, because one connection shared by
Streamlit's script threads fails with "connection is busy". CURRENT is read at every run, so when a
load publishes, the next interaction uses the new snapshot without a restart, and results cached
with `st.cache_data` on the snapshot id follow it.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboard.access import audit
from dashboard.app import load_labels
from dashboard.core import contract
from dashboard.core.dates import local_time_text
from dashboard.core.settings import PROJECT_DIR, get_settings
from dashboard.rules import file_reports, quality
from dashboard.store import runs, snapshots
from dashboard.store.opstore import get_engine

NO_DATA_MESSAGE = (
    "尚未装载数据。请在项目目录运行 `python -m dashboard load <数据目录>`"
    "（例如演示数据 `data/drops/demo`），或运行 `scripts/start.sh` 自动生成并装载演示数据；"
    "装载完成后刷新本页。"
)


@dataclass(frozen=True)
class Warehouse:
    """The live snapshot and a cursor on it for this script run."""

    info: snapshots.SnapshotInfo
    con: duckdb.DuckDBPyConnection


@st.cache_resource(max_entries=2, show_spinner=False)
def _snapshot_connection(snapshot_id: str, path: str) -> duckdb.DuckDBPyConnection:
    # Keyed by id: a new snapshot gets a new connection, the old one is dropped when no run uses it.
    return snapshots.connect_readonly(path)


def live_snapshot() -> snapshots.SnapshotInfo | None:
    """The snapshot CURRENT names now (None before the first load)."""
    return snapshots.current_snapshot(get_settings())


def warehouse() -> Warehouse | None:
    """The live snapshot with a fresh cursor; call once per script run."""
    info = live_snapshot()
    if info is None:
        return None
    return Warehouse(info, _snapshot_connection(info.snapshot_id, str(info.path)).cursor())


def snapshot_cursor(snapshot_id: str) -> duckdb.DuckDBPyConnection:
    """A cursor on a kept snapshot, for cached functions keyed on the snapshot id."""
    info = snapshots.get_snapshot(get_settings(), snapshot_id)
    if info is None:
        raise LookupError(f"snapshot {snapshot_id} is no longer kept")
    return _snapshot_connection(info.snapshot_id, str(info.path)).cursor()


def snapshot_time_text(info: snapshots.SnapshotInfo) -> str:
    return local_time_text(info.built_at)


def is_stale(info: snapshots.SnapshotInfo, now: dt.datetime | None = None) -> bool:
    """Older than settings.warehouse.stale_after_hours (the schedule is daily)."""
    now = now or dt.datetime.now(dt.UTC)
    return now - info.built_at > dt.timedelta(hours=get_settings().warehouse.stale_after_hours)


@st.cache_data(show_spinner=False, max_entries=4)
def entity_rows_frame(snapshot_id: str) -> pd.DataFrame:
    """Rows per entity in a snapshot (dashboard.rules.quality.rows_per_entity), with Chinese headers."""
    frame = quality.rows_per_entity(snapshot_cursor(snapshot_id))
    return pd.DataFrame(
        {
            "数据项": frame["label"],
            "当前记录数": frame["n_current"],
            "其中带质量标记": frame["n_flagged"],
            "已被替换的版本": frame["n_replaced"],
            "已退役": frame["n_retired"],
            "最近一次装载隔离": frame["n_quarantined"],
        }
    )


def recent_runs(limit: int = 20) -> list[runs.RunRecord]:
    return runs.recent_runs(get_engine(get_settings()), limit=limit)


def load_history_frame(records: list[runs.RunRecord], ids: bool = False) -> pd.DataFrame:
    """Runs, newest first, as the office reads them: the source by its name, the snapshot a run
    published by the time it was built (dashboard.app.load_labels). With `ids` (viewers with the
    `load` grant) the snapshot's id and the source as recorded follow at the end."""
    frame = pd.DataFrame(
        [
            (
                local_time_text(r.started_at),
                r.kind_label,
                load_labels.source_text(r.source),
                r.status_label,
                None if r.seconds is None else round(r.seconds, 1),
                load_labels.snapshot_text(r.snapshot_id),
                r.error or r.notes or "",
            )
            for r in records
        ],
        columns=["开始时间", "类型", "来源", "状态", "用时（秒）", "生成的数据快照", "说明"],
    )
    if ids:
        frame["快照编号"] = [r.snapshot_id or "" for r in records]
        frame["来源（配置）"] = [r.source or "" for r in records]
    return frame


def held_loads() -> list[runs.RunRecord]:
    """Sources whose latest load the shrink guard held (待确认), newest first."""
    return runs.held_loads(get_engine(get_settings()))


def confirm_command(record: runs.RunRecord) -> list[str]:
    """The load that applies a held run: the same source again, with the shrink confirmed (and the
    run's mode when all its entities had one)."""
    modes = {r["mode"] for r in runs.run_entities(get_engine(get_settings()), [record.run_id])[record.run_id]}
    command = [sys.executable, "-m", "dashboard", "load", record.source, "--confirm-shrink", "--wait"]
    return command + (["--mode", modes.pop()] if len(modes) == 1 else [])


def confirm_held_load(record: runs.RunRecord, viewer: Any) -> subprocess.Popen[bytes]:
    """The administrator's confirmation on 数据状态: audited under the viewer's name, then the load
    of that source re-run with the shrink confirmed, in a process of its own (the app does not
    load data itself; the load holds the load lock, records its run and audits the confirmation
    again as it applies it). Its output goes to confirm-shrink.log in the warehouse folder."""
    settings = get_settings()
    command = confirm_command(record)
    audit.record(
        get_engine(settings),
        viewer,
        "load",
        {"confirm_shrink": True, "held_run_id": record.run_id, "source": record.source, "where": "数据状态"},
    )
    log_path = snapshots.paths(settings).root / "confirm-shrink.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log_file:
        return subprocess.Popen(command, cwd=PROJECT_DIR, stdout=log_file, stderr=subprocess.STDOUT)


def run_entities_frame(run_id: str) -> pd.DataFrame:
    """One run's per-entity counts."""
    rows = runs.run_entities(get_engine(get_settings()), [run_id])[run_id]
    labels = {e.name: e.label for e in contract.ENTITIES}
    return pd.DataFrame(
        [
            (
                labels.get(r["entity"], r["entity"]),
                r["source"],
                "全量" if r["mode"] == "full" else "增量",
                runs.ENTITY_STATUS_LABELS.get(r["status"], r["status"]),
                *(int(r[f] or 0) for f in runs.COUNT_FIELDS),
                file_reports.chinese_error(r["entity"], r["error"]) or "",
            )
            for r in rows
        ],
        columns=[
            "数据项",
            "来源",
            "模式",
            "状态",
            "读取",
            "接受",
            "隔离",
            "带标记",
            "新增",
            "替换",
            "退役",
            "未变",
            "错误",
        ],
    )


# ---- the onboarding view: per file of the last load that read files --------------------------------

_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~$])")  # what would turn a file name or header into markup


def last_load_file_reports() -> tuple[runs.RunRecord | None, list[runs.FileReport]]:
    """The newest load that read files, and what each of its files made of its headers."""
    return file_reports.latest_load_reports(get_engine(get_settings()))


def file_report_title(report: runs.FileReport) -> str:
    """An expander's title: file, data item, outcome."""
    item = f" → {file_reports.entity_label(report.entity)}" if report.entity else ""
    return _MARKDOWN.sub(r"\\\1", f"{report.file}{item}：{file_reports.LOAD_STATUS.get(report.status, report.status)}")


def file_report_lines(report: runs.FileReport) -> list[str]:
    """The advice of one file as markdown-safe text (file names and headers carry _ * [ …)."""
    return [_MARKDOWN.sub(r"\\\1", line) for line in file_reports.advice(report)]
