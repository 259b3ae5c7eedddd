"""Kept briefing files (issue 13 item 5): every generated file kept beside the warehouse with its
month, snapshot, who generated it and when (SQLite and PostgreSQL); the draft after the first
load of a new month, once; generation audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import create_engine

from dashboard.access import audit
from dashboard.app import briefing_keep
from dashboard.core.settings import get_settings
from dashboard.store import briefings

NOV = dt.date(2026, 11, 30)
AT = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


def _exercise(engine, settings):
    first = briefings.keep_file(
        engine, dt.date(2026, 11, 5), "snap-1", "docx", "通报.docx", b"one", "office1", settings, at=AT
    )
    assert first.month == NOV and first.path.read_bytes() == b"one"
    assert first.path.parent == settings.data_dir / "briefings" / "2026-11"
    later = AT + dt.timedelta(hours=1)
    second = briefings.keep_file(
        engine, NOV, "snap-2", "pptx", "../../调度会.pptx", b"two", "office2", settings, at=later
    )
    assert second.file_name == "调度会.pptx" and second.path.parent == first.path.parent  # no way out of the folder
    briefings.keep_file(engine, dt.date(2026, 10, 31), "snap-1", "pdf", "十月.pdf", b"x", "office1", settings, at=AT)
    files = briefings.kept_files(engine, NOV)
    assert files[["kind", "snapshot_id", "generated_by"]].values.tolist() == [
        ["pptx", "snap-2", "office2"],
        ["docx", "snap-1", "office1"],
    ]
    assert files["created_at"].tolist() == [later, AT]
    assert briefings.months_with_files(engine) == [NOV, dt.date(2026, 10, 31)]
    assert briefings.has_files_for(engine, NOV, "snap-2") and not briefings.has_files_for(engine, NOV, "snap-3")
    kept, data = briefings.read_kept(engine, first.file_id, settings)
    assert data == b"one" and kept.sha256 == first.sha256
    first.path.write_bytes(b"changed")
    with pytest.raises(ValueError, match="校验值不一致"):
        briefings.read_kept(engine, first.file_id, settings)
    second.path.unlink()
    with pytest.raises(ValueError, match="已不在保存目录中"):
        briefings.read_kept(engine, second.file_id, settings)
    with pytest.raises(KeyError):
        briefings.read_kept(engine, 9999, settings)
    with pytest.raises(ValueError, match="未知的通报文件类型"):
        briefings.keep_file(engine, NOV, "s", "xlsx", "a.xlsx", b"", "office1", settings)
    with pytest.raises(ValueError, match="须记录生成人"):
        briefings.keep_file(engine, NOV, "s", "pdf", "a.pdf", b"", " ", settings)


def test_kept_files_in_sqlite(tmp_path):
    settings = dataclasses.replace(get_settings(), data_dir=tmp_path)
    engine = create_engine(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    _exercise(engine, settings)
    engine.dispose()


@pytest.mark.postgres
def test_kept_files_in_postgresql(pg_schema, tmp_path):
    _exercise(pg_schema.engine, dataclasses.replace(get_settings(), data_dir=tmp_path))


def test_draft_after_the_first_load_of_a_month_once(pages_env):
    settings, engine = pages_env.settings, pages_env.engine
    assert briefing_keep.draft_after_load(settings, ["another-snapshot"]) == []  # not the live one
    kept = briefing_keep.draft_after_load(settings, [pages_env.snapshot.snapshot_id])
    assert [k.kind for k in kept] == ["docx", "pdf", "pptx"]
    assert {k.generated_by for k in kept} == {briefing_keep.SCHEDULE_USER}
    assert {k.snapshot_id for k in kept} == {pages_env.snapshot.snapshot_id}
    assert all(k.path.is_file() and k.path.stat().st_size > 0 for k in kept)
    month = kept[0].month
    # a second load in the same month keeps what is there
    assert briefing_keep.draft_after_load(settings, [pages_env.snapshot.snapshot_id]) == []
    assert len(briefings.kept_files(engine, month)) == 3
    entries = audit.search(engine, action="briefing_generated")
    assert len(entries) == 1
    detail = json.loads(entries["detail"].iloc[0])
    assert detail["month"] == f"{month:%Y-%m}" and detail["snapshot"] == pages_env.snapshot.snapshot_id
