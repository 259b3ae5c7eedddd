"""The load orchestrator: publishing, run records, crashes and concurrent loads (real DuckDB files,
real child processes)."""

from __future__ import annotations

import os
import signal
import time

import pytest
from loadkit import (
    TAX_CREDIT_HEADER,
    big_subjects_drop,
    cli,
    isolate,
    scalar,
    start_cli,
    subjects_drop,
    uscc,
    write_csv,
)

from dashboard.load import loading
from dashboard.store import runs, snapshots
from dashboard.store.opstore import get_engine, load_runs

BIG_ROWS = 200_000


@pytest.fixture
def settings(monkeypatch, tmp_path):
    return isolate(monkeypatch, tmp_path)


@pytest.fixture(scope="module")
def big_drop(tmp_path_factory):
    return big_subjects_drop(tmp_path_factory.mktemp("big") / "drop", BIG_ROWS)


def entity_counts(settings, run_id):
    rows = runs.run_entities(get_engine(settings), [run_id])[run_id]
    return {r["entity"]: (r["status"], *(r[f] for f in runs.COUNT_FIELDS)) for r in rows}


def wait_for(predicate, what, seconds=60.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.005)


def building_files(settings):
    folder = snapshots.paths(settings).building
    return list(folder.glob("*.duckdb")) if folder.is_dir() else []


def test_first_load_publishes_a_snapshot_and_records_an_ok_run(settings, tmp_path):
    drop = subjects_drop(tmp_path / "drop", 3)
    write_csv(drop / "tax_credit.csv", TAX_CREDIT_HEADER, [(uscc(1), 2024, "A"), (uscc(2), 2024, "B")])
    (drop / "readme.txt").write_text("not an entity", encoding="utf-8")

    outcome = loading.load_drop(settings, drop)

    live = snapshots.current_snapshot(settings)
    assert outcome.status == "ok" and live is not None and live.snapshot_id == outcome.snapshot_id
    assert scalar(live.path, "SELECT count(*) FROM subjects") == 3
    assert scalar(live.path, "SELECT count(*) FROM tax_credit") == 2
    assert scalar(live.path, "SELECT run_id FROM meta_snapshot") == outcome.run_id
    #                          status read acc  quar flag ins  repl ret  unch
    assert entity_counts(settings, outcome.run_id) == {
        "subjects": ("ok", 3, 3, 0, 0, 3, 0, 0, 0),
        "tax_credit": ("ok", 2, 2, 0, 0, 2, 0, 0, 0),
    }
    record = runs.get_run(get_engine(settings), outcome.run_id)
    assert (record.kind, record.status, record.snapshot_id, record.base_snapshot_id, record.error) == (
        "load",
        "ok",
        outcome.snapshot_id,
        None,
        None,
    )
    assert record.notes == "未识别的文件（已忽略）：readme.txt"
    assert building_files(settings) == []


def test_reloading_the_same_drop_changes_nothing_and_full_mode_retires(settings, tmp_path):
    drop = subjects_drop(tmp_path / "drop", 3)
    first = loading.load_drop(settings, drop)
    again = loading.load_drop(settings, drop)
    assert entity_counts(settings, again.run_id)["subjects"] == ("ok", 3, 3, 0, 0, 0, 0, 0, 3)
    assert runs.get_run(get_engine(settings), again.run_id).base_snapshot_id == first.snapshot_id

    subjects_drop(drop, 2)  # subject 3 no longer in the full extract
    fewer = loading.load_drop(settings, drop)
    assert entity_counts(settings, fewer.run_id)["subjects"] == ("ok", 2, 2, 0, 0, 0, 0, 1, 2)
    live = snapshots.current_snapshot(settings).path
    assert scalar(live, "SELECT count(*) FROM subjects") == 2
    assert scalar(live, "SELECT count(*) FROM stg_subjects WHERE _end_reason = 'retired'") == 1


def test_one_unreadable_file_makes_a_partial_run_that_still_publishes(settings, tmp_path):
    drop = subjects_drop(tmp_path / "drop", 2)
    (drop / "penalties.csv").write_bytes(b"\xff\xfe\xfd,\xff\n\xff\xff\n")  # neither UTF-8 nor GB18030

    outcome = loading.load_drop(settings, drop)

    assert outcome.status == "partial" and outcome.snapshot_id is not None
    assert entity_counts(settings, outcome.run_id)["penalties"] == ("failed", 0, 0, 0, 0, 0, 0, 0, 0)
    failed = [
        r
        for r in runs.run_entities(get_engine(settings), [outcome.run_id])[outcome.run_id]
        if r["entity"] == "penalties"
    ][0]
    assert failed["error"] == "无法读取文件 penalties.csv：编码无法识别（不是 UTF-8 或 GB18030）"
    assert scalar(snapshots.current_snapshot(settings).path, "SELECT count(*) FROM subjects") == 2


def test_a_failed_run_keeps_the_live_snapshot(settings, tmp_path):
    good = loading.load_drop(settings, subjects_drop(tmp_path / "good", 2))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "subjects.csv").write_bytes(b"\xff\xfe\xfd\n")

    outcome = loading.load_drop(settings, bad)

    assert (outcome.status, outcome.snapshot_id, outcome.error) == ("failed", None, "所有实体均装载失败，未发布新快照")
    assert snapshots.current_snapshot(settings).snapshot_id == good.snapshot_id
    assert [s.snapshot_id for s in snapshots.list_snapshots(settings)] == [good.snapshot_id]
    assert building_files(settings) == []
    assert runs.get_run(get_engine(settings), outcome.run_id).status == "failed"

    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = loading.load_drop(settings, empty)
    assert nothing.status == "failed" and nothing.error.startswith("没有可装载的数据")


def test_a_load_refuses_to_start_over_when_the_live_snapshot_file_is_gone(settings, tmp_path):
    kept = loading.load_drop(settings, subjects_drop(tmp_path / "drop", 2))
    lost = loading.load_drop(settings, subjects_drop(tmp_path / "drop", 3))
    snapshots.paths(settings).snapshot_path(lost.snapshot_id).unlink()

    outcome = loading.load_drop(settings, tmp_path / "drop")

    assert outcome.status == "failed" and outcome.error.startswith(f"CURRENT 指向的快照 {lost.snapshot_id} 不存在")
    assert snapshots.current_name(settings) == lost.snapshot_id
    assert loading.rollback(settings).snapshot_id == kept.snapshot_id
    assert loading.load_drop(settings, tmp_path / "drop").status == "ok"


def test_cli_load_exit_codes_summary_and_status(settings, tmp_path):
    ok = cli("load", str(subjects_drop(tmp_path / "drop", 2)))
    assert ok.returncode == 0, ok.stderr
    assert "[1/1] subjects（subjects.csv）" in ok.stderr
    assert "subjects：读取 2 行，接受 2，隔离 0，标记 0；新增 2，替换 0，退役 0，未变 0" in ok.stderr
    live = snapshots.current_snapshot(settings)
    assert f"已发布快照 {live.snapshot_id}" in ok.stdout
    assert "subjects subjects.csv full 成功 2 2 0 0 2 0 0 0".split() in [
        line.split() for line in ok.stdout.splitlines()
    ]

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "subjects.csv").write_bytes(b"\xff\xfe\xfd\n")
    failed = cli("load", str(bad))
    assert failed.returncode == 1 and "未发布新快照，当前快照保持不变" in failed.stdout
    unknown = cli("load", "no_such_source")
    assert unknown.returncode == 1 and "既不是目录，也不是 sources.toml 中配置的数据源" in unknown.stderr

    status = cli("status")
    assert status.returncode == 0
    assert f"当前快照：{live.snapshot_id}" in status.stdout
    assert "失败" in status.stdout and "成功" in status.stdout


def test_a_load_killed_mid_way_leaves_current_and_the_next_load_cleans_up(settings, tmp_path, big_drop):
    previous = loading.load_drop(settings, subjects_drop(tmp_path / "small", 2))
    child = start_cli("load", str(big_drop))
    wait_for(lambda: building_files(settings) or child.poll() is not None, "the building file")
    assert child.poll() is None, "the load ended before it could be killed: make the drop bigger"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    live = snapshots.current_snapshot(settings)
    assert live.snapshot_id == previous.snapshot_id
    assert scalar(live.path, "SELECT count(*) FROM subjects") == 2
    assert len(building_files(settings)) == 1  # the dead load's leftover
    killed = runs.recent_runs(get_engine(settings), limit=1)[0]
    assert (killed.status, killed.status_label, killed.snapshot_id) == ("interrupted", "中断", None)

    after = loading.load_drop(settings, subjects_drop(tmp_path / "small", 3))
    assert after.status == "ok"
    assert building_files(settings) == []
    assert scalar(snapshots.current_snapshot(settings).path, "SELECT count(*) FROM subjects") == 3
    with get_engine(settings).connect() as conn:  # no longer "running" in the store either
        stored = conn.execute(load_runs.select().where(load_runs.c.run_id == killed.run_id)).first()
    assert (stored.status, stored.error) == ("interrupted", "装载进程意外终止，本次装载未发布")


def test_two_loads_at_once_one_refuses_one_waits_and_the_result_is_consistent(settings, tmp_path, big_drop):
    first = start_cli("load", str(big_drop))
    wait_for(lambda: building_files(settings) or first.poll() is not None, "the first load to start")
    waiting = start_cli("load", str(big_drop), "--wait")
    refused = cli("load", str(big_drop))
    _, first_err = first.communicate(timeout=300)
    _, waiting_err = waiting.communicate(timeout=300)

    assert refused.returncode == loading.EXIT_BUSY
    assert any(f"已有装载任务在运行（PID {p.pid}）" in refused.stderr for p in (first, waiting)), refused.stderr
    assert first.returncode == 0, first_err
    assert waiting.returncode == 0, waiting_err
    assert f"已有装载任务在运行（PID {first.pid}），等待其结束…" in waiting_err
    history = runs.recent_runs(get_engine(settings))
    assert [r.status for r in history] == ["ok", "ok"]  # the refused one never started a run
    live = snapshots.current_snapshot(settings)
    assert live.snapshot_id == history[0].snapshot_id
    assert scalar(live.path, "SELECT count(*) FROM subjects") == BIG_ROWS
    assert entity_counts(settings, history[0].run_id)["subjects"][-1] == BIG_ROWS  # second: all unchanged
    assert building_files(settings) == []


def test_load_lock_refuses_in_process_and_is_released(settings):
    with snapshots.load_lock(settings):
        with pytest.raises(snapshots.LoadBusy, match=rf"已有装载任务在运行（PID {os.getpid()}）"):
            with snapshots.load_lock(settings):
                pass
    with snapshots.load_lock(settings):  # released on exit
        pass


def test_a_running_record_of_a_dead_process_reads_as_interrupted(settings):
    engine = get_engine(settings)
    runs.start_run(engine, "deadbeef0001", "load", "drop")
    assert runs.get_run(engine, "deadbeef0001").status == "running"  # this process is alive
    with engine.begin() as conn:
        conn.execute(load_runs.update().values(pid=2**22 + 12345))  # above pid_max: no such process
    assert runs.get_run(engine, "deadbeef0001").status_label == "中断"


def test_rebuild_republishes_the_live_data_with_this_releases_derived_tables(settings, tmp_path):
    from dashboard.cli import serve

    drop = subjects_drop(tmp_path / "drop", 3)
    first = loading.load_drop(settings, drop)
    live = snapshots.current_snapshot(settings)
    con = snapshots.connect_readonly(live.path)
    try:
        assert loading.derived_tables_current(con, settings)
    finally:
        con.close()
    # up to date: --if-stale changes nothing
    same = cli("rebuild", "--if-stale")
    assert same.returncode == 0 and "无需重建" in same.stderr
    assert snapshots.current_snapshot(settings).snapshot_id == first.snapshot_id

    # a snapshot built under other settings (or by another release) is stale: serve rebuilds it first
    other = tmp_path / "settings.toml"
    from dashboard.core.settings import DEFAULT_SETTINGS_FILE, Settings

    other.write_text(
        DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8").replace(
            "licence_horizon_months = 1", "licence_horizon_months = 2"
        ),
        encoding="utf-8",
    )
    changed = Settings.load(other)
    con = snapshots.connect_readonly(live.path)
    try:
        assert not loading.derived_tables_current(con, changed)
    finally:
        con.close()
    rebuilt = serve.ensure_snapshot(changed)
    assert rebuilt.snapshot_id != first.snapshot_id
    assert scalar(rebuilt.path, "SELECT count(*) FROM subjects") == 3  # the data is unchanged
    con = snapshots.connect_readonly(rebuilt.path)
    try:
        assert loading.derived_tables_current(con, changed) and not loading.derived_tables_current(con, settings)
    finally:
        con.close()
    record = runs.run_producing(get_engine(settings), rebuilt.snapshot_id)
    # recorded as a run of the same source, so demo data stays demo data
    assert (record.status, record.source, record.notes) == ("ok", first.source, loading.REBUILD_NOTE)
    assert entity_counts(settings, record.run_id) == {}

    # the command rebuilds unconditionally without --if-stale
    again = cli("rebuild")
    assert again.returncode == 0, again.stderr
    assert snapshots.current_snapshot(settings).snapshot_id not in (first.snapshot_id, rebuilt.snapshot_id)


def test_rebuild_without_a_live_snapshot_fails_clearly(settings):
    outcome = loading.rebuild(settings)
    assert outcome.status == "failed" and "没有已发布的数据快照" in outcome.error
    assert snapshots.current_snapshot(settings) is None
