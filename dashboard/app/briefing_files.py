"""The kept 通报 and deck files on the 月度通报 page (dashboard.store.briefings): the list of a month's
files, each with its download — built on click, checked against its checksum and recorded in the
audit log (issue 13 item 5: generation and every download are audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.access import audit
from dashboard.core import formatting as fmt
from dashboard.core.dates import local_time_text
from dashboard.store import briefings
from dashboard.store.opstore import get_engine


def files_view(files: pd.DataFrame) -> pd.DataFrame:
    """The kept files with their Chinese kind, local creation time and size text."""
    out = files.copy()
    out["kind_label"] = [briefings.KIND_LABELS.get(k, k) for k in out["kind"]]
    out["created_text"] = [local_time_text(v) for v in out["created_at"]]
    out["size_text"] = [f"{v / 1024:.0f} KB" for v in out["size_bytes"]]
    return out


def kept_files_section(viewer: Any, month: dt.date, key: str = "kept") -> None:
    """The month's kept files, newest first, each with its download (viewers with the export
    grant); a file gone from disk or changed since is reported, not served."""
    engine = get_engine()
    files = briefings.kept_files(engine, month)
    if files.empty:
        st.caption(f"{fmt.fmt_month(month)}尚未生成通报文件。")
        return
    st.caption(f"共 {fmt.fmt_count(len(files))} 个文件，按生成时间由新到旧排列。")
    for row in files_view(files).itertuples():
        line = st.container(horizontal=True, vertical_alignment="center", key=f"{key}_{row.file_id}")
        line.markdown(
            f"**{row.kind_label}** {row.file_name}　生成于 {row.created_text}，生成人 {row.generated_by}，"
            f"数据快照 `{row.snapshot_id}`，{row.size_text}",
            width="stretch",
        )
        if not viewer.may("export"):
            continue

        def data(file_id: int = int(row.file_id), name: str = str(row.file_name)) -> bytes:
            try:
                _, payload = briefings.read_kept(engine, file_id)
            except (KeyError, ValueError) as exc:
                raise RuntimeError(str(exc)) from exc
            audit.record(
                engine, viewer, "briefing_downloaded", {"file_id": file_id, "file": name, "month": f"{month:%Y-%m}"}
            )
            return payload

        line.download_button(
            "下载",
            data=data,
            file_name=str(row.file_name),
            mime=briefings.MIME_TYPES.get(str(row.kind), "application/octet-stream"),
            on_click="ignore",
            key=f"{key}_dl_{row.file_id}",
            icon=":material/download:",
        )
