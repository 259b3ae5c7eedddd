"""Loads, their sources and snapshots as 数据状态 and 数据质量 name them: in Chinese words and times,
never as a folder path or a snapshot id. The path or id stays available, on hover, to the viewers
who work with them (`ids_help`: the `load` grant — the administrator, who names snapshots when
rolling back and sources when loading).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

from dashboard.core import contract, glossary
from dashboard.core import formatting as fmt
from dashboard.core.dates import local_time_text
from dashboard.core.settings import get_settings
from dashboard.store import runs, snapshots
from dashboard.store.opstore import get_engine

# A named source of sources.toml (dashboard.load.sources: letters, digits, '_' and '-').
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def source_text(source: Any) -> str:
    """A load's source as people name it: the demo drop → 演示数据; a named source of sources.toml →
    数据源“platform_drop”; a drop folder loaded by its path → 数据目录“incoming” (the folder's own
    name, not where it lies on the server); nothing → —."""
    if source is None or fmt.is_missing(source) or not str(source).strip():
        return fmt.MISSING
    text = str(source).strip()
    if _SOURCE_NAME.match(text):
        return f"数据源“{text}”"
    path = PurePath(text)
    try:
        demo = PurePath(get_settings().demo_drop_dir)
    except Exception:  # settings unreadable: the folder's name still says enough
        demo = None
    if demo is not None and path == demo:
        return "演示数据"
    return f"数据目录“{path.name or text}”"


def source_labels(sources: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    """Col labels (source → source_text) for the sources of a list (exports.Col.labels)."""
    return tuple((str(s), source_text(s)) for s in dict.fromkeys(sources) if s is not None and not fmt.is_missing(s))


def snapshot_text(snapshot_id: Any) -> str:
    """A snapshot as the time it was built (Beijing time, to the second): '' for none; the id as it
    is when it is not a snapshot id."""
    if snapshot_id is None or fmt.is_missing(snapshot_id) or not str(snapshot_id):
        return ""
    try:
        return local_time_text(snapshots.built_at(str(snapshot_id)))
    except ValueError:
        return str(snapshot_id)


def entity_label(entity: Any) -> str:
    """A data item's Chinese name (行政处罚 for penalties); an unknown name as it is."""
    found = contract.ENTITY_BY_NAME.get(str(entity))
    return found.label if found is not None else str(entity)


def entity_labels() -> tuple[tuple[str, str], ...]:
    """Col labels: every entity of the contract → its Chinese name."""
    return tuple((e.name, e.label) for e in contract.ENTITIES)


def held_text(record: runs.RunRecord) -> str:
    """What a load held by the shrink guard (待确认) tells the viewer, with the data items by their
    Chinese names (the run's own message names them by code, for the command line)."""
    rows = runs.run_entities(get_engine(get_settings()), [record.run_id]).get(record.run_id, [])
    held = "、".join(entity_label(r["entity"]) for r in rows if r["status"] == runs.HELD) or glossary.DATA_ITEM
    return (
        f"{local_time_text(record.started_at)} 开始的{source_text(record.source)}{glossary.LOAD}待确认："
        f"{held}的全量抽取将使大量现有记录退役，疑为导出不完整，本次{glossary.LOAD}未发布，当前数据保持不变。"
        "请核实数据源，重新导出后再装载。"
    )


def ids_help(show: bool, *values: Any, labels: Sequence[str] = ()) -> str | None:
    """The hover text naming ids and paths (`labels[i]：values[i]`) when `show` — for viewers with
    the `load` grant (dashboard.app.ui.may_in_frame("load")): the administrator names snapshots
    when rolling back and sources when loading — else None."""
    if not show:
        return None
    named = zip(values, [*labels, *[""] * len(values)], strict=False)
    lines = [f"{label}：{v}" if label else str(v) for v, label in named if v]
    return "\n\n".join(lines) or None
