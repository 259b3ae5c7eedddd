"""Snapshots on the reader side: atomic publishing, readers during a publish, rollback, retention,
and the 数据状态 page (AppTest)."""

from __future__ import annotations

import datetime as dt

import pytest
from loadkit import cli, isolate, scalar, subjects_drop
from streamlit.testing.v1 import AppTest

from dashboard.core import contract, dates
from dashboard.core.settings import PROJECT_DIR
from dashboard.load import loading
from dashboard.store import runs, snapshots
from dashboard.store.opstore import get_engine

PAGE = str(PROJECT_DIR / "pages" / "data_status.py")


@pytest.fixture
def settings(monkeypatch, tmp_path):
    return isolate(monkeypatch, tmp_path)


def load_n(settings, tmp_path, n):
    """Load a drop of n subjects; the snapshot id."""
    outcome = loading.load_drop(settings, subjects_drop(tmp_path / f"drop{n}", n))
    assert outcome.status == "ok", outcome.error
    return outcome.snapshot_id


def live_rows(settings):
    return scalar(snapshots.current_snapshot(settings).path, "SELECT count(*) FROM subjects")


def test_snapshot_ids_sort_by_build_time_and_are_validated():
    t = dt.datetime(2026, 11, 29, 2, 30, 5, 123456, tzinfo=dt.UTC)
    sid = snapshots.new_snapshot_id("ab12cd34ef56", t)
    assert sid == "20261129T023005.123Z-ab12cd34ef56"
    assert snapshots.built_at(sid) == dt.datetime(2026, 11, 29, 2, 30, 5, 123000, tzinfo=dt.UTC)
    later = snapshots.new_snapshot_id("000000000000", t + dt.timedelta(milliseconds=1))
    assert sorted([later, sid]) == [sid, later]
    assert not snapshots.is_snapshot_id("../../etc/passwd")


def test_publish_switches_current_atomically_and_published_files_are_read_only(settings, tmp_path):
    assert snapshots.current_snapshot(settings) is None
    first = load_n(settings, tmp_path, 2)
    wp = snapshots.paths(settings)
    assert wp.current.read_text(encoding="utf-8") == first + "\n"
    assert not wp.current.with_name("CURRENT.tmp").exists()
    assert wp.snapshot_path(first).stat().st_mode & 0o222 == 0
    with pytest.raises(FileNotFoundError):
        snapshots.publish(settings, "20990101T000000.000Z-notkept")
    assert snapshots.current_snapshot(settings).snapshot_id == first


def test_a_reader_keeps_reading_its_snapshot_while_a_new_one_is_published(monkeypatch, tmp_path):
    settings = isolate(monkeypatch, tmp_path, keep_snapshots=1)  # the old file is even deleted
    old = load_n(settings, tmp_path, 2)
    reader = snapshots.connect_readonly(snapshots.current_snapshot(settings).path)
    try:
        assert reader.execute("SELECT count(*) FROM subjects").fetchone()[0] == 2
        published = cli("load", str(subjects_drop(tmp_path / "more", 5)))
        assert published.returncode == 0, published.stderr
        assert [s.snapshot_id for s in snapshots.list_snapshots(settings)] != [old]
        assert reader.execute("SELECT count(*) FROM subjects").fetchone()[0] == 2
        assert (
            reader.execute("SELECT string_agg(name, '|' ORDER BY name) FROM subjects").fetchone()[0]
            == "鹤岗测试企业1有限公司|鹤岗测试企业2有限公司"
        )
    finally:
        reader.close()
    assert live_rows(settings) == 5


def test_rollback_walks_back_the_build_lineage(settings, tmp_path):
    a, b, c = (load_n(settings, tmp_path, n) for n in (2, 3, 4))
    engine = get_engine(settings)

    record = loading.rollback(settings)
    assert (record.kind, record.status, record.snapshot_id, record.base_snapshot_id) == ("rollback", "ok", b, c)
    assert live_rows(settings) == 3
    assert loading.rollback(settings).snapshot_id == a
    assert live_rows(settings) == 2
    with pytest.raises(loading.RollbackError, match="没有可回退的更早快照"):
        loading.rollback(settings)

    assert loading.rollback(settings, c).snapshot_id == c
    with pytest.raises(loading.RollbackError, match="已是当前快照"):
        loading.rollback(settings, c)
    with pytest.raises(loading.RollbackError, match="不存在"):
        loading.rollback(settings, "../../etc/passwd")

    loading.rollback(settings, a)
    d = load_n(settings, tmp_path, 6)  # built from a: rolling back returns to a, not to c
    assert loading.rollback(settings).snapshot_id == a
    assert [r.kind for r in runs.recent_runs(engine, limit=6)] == [
        "rollback",
        "load",
        "rollback",
        "rollback",
        "rollback",
        "rollback",
    ]
    assert d in {s.snapshot_id for s in snapshots.list_snapshots(settings)}


def test_rollback_command(settings, tmp_path):
    first = load_n(settings, tmp_path, 2)
    second = load_n(settings, tmp_path, 3)
    done = cli("rollback")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"已回退：当前快照为 {first}（由 {second} 回退）"
    assert cli("rollback", "20990101T000000.000Z-nosuch").returncode == 1


def test_retention_keeps_the_newest_and_never_the_live_one(monkeypatch, tmp_path):
    settings = isolate(monkeypatch, tmp_path, keep_snapshots=2)
    ids = [load_n(settings, tmp_path, n) for n in (1, 2, 3, 4)]
    assert [s.snapshot_id for s in snapshots.list_snapshots(settings)] == ids[2:]
    loading.rollback(settings, ids[2])
    assert snapshots.prune(settings, keep=1) == []  # the newest is kept, and so is the live one
    assert [s.snapshot_id for s in snapshots.list_snapshots(settings)] == ids[2:]
    load_n(settings, tmp_path, 5)
    kept = [s.snapshot_id for s in snapshots.list_snapshots(settings)]
    assert len(kept) == 2 and ids[2] not in kept and snapshots.current_snapshot(settings).snapshot_id == kept[-1]


def test_data_status_page_without_data_says_how_to_load(settings):
    at = AppTest.from_file(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "数据状态"
    assert "尚未装载数据" in at.info[0].value and "python -m dashboard load" in at.info[0].value
    assert at.caption[-1].value == "尚无装载记录。"


def test_data_status_page_shows_snapshot_time_rows_and_history_and_follows_current(settings, tmp_path):
    first = load_n(settings, tmp_path, 2)
    at = AppTest.from_file(PAGE).run()
    assert not at.exception
    built = dates.local_time_text(snapshots.built_at(first))
    assert at.subheader[0].value == f"数据截至 {built}（北京时间）"
    assert not at.subheader[0].help  # the id only on hover, and only for the administrator
    assert [m.value for m in at.metric][0] == "成功"
    frames = [d.value for d in at.dataframe]  # between them: the files of the load (test_onboarding.py)
    last_load, rows, history = frames[0], frames[-2], frames[-1]
    assert list(last_load["数据项"]) == ["市场主体登记"] and list(last_load["新增"]) == [2]
    assert list(rows["数据项"]) == [e.label for e in contract.ENTITIES]
    assert rows.set_index("数据项").loc["市场主体登记", "当前记录数"] == 2
    assert list(history["状态"]) == ["成功"]
    assert list(history["生成的数据快照"]) == [built]  # the snapshot by its build time, not its id

    second = load_n(settings, tmp_path, 3)  # published while the page is open: the next run shows it
    at.run()
    assert at.subheader[0].value == f"数据截至 {dates.local_time_text(snapshots.built_at(second))}（北京时间）"
    assert at.dataframe[-2].value.set_index("数据项").loc["市场主体登记", "当前记录数"] == 3
    assert list(at.dataframe[-1].value["状态"]) == ["成功", "成功"]
