"""The shrink guard (dashboard.load.ingest.shrink): a full extract that would retire more than
warehouse.max_retire_share of an entity's current rows — or holds no row at all — is held as
待确认, publishes nothing, and is applied only by an audited confirmation (real DuckDB files, the
real command line in a child process, a SQLite operational store)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from loadkit import SUBJECT_HEADER, cli, isolate, scalar, subject_rows, write_csv

from dashboard.access import audit
from dashboard.core.settings import PROJECT_DIR
from dashboard.load import loading, scheduler
from dashboard.load.ingest import shrink
from dashboard.load.sources import parse_sources
from dashboard.store import runs, snapshots
from dashboard.store.opstore import get_engine

PENALTY_HEADER = (
    "decision_no",
    "party_name",
    "party_category",
    "uscc",
    "penalty_kinds",
    "decision_date",
    "authority",
    "authority_uscc",
    "reported_at",
)
MARKET = "112304001123002194"  # 鹤岗市市场监督管理局 (valid P3)


def penalty_rows(numbers) -> list[tuple[str, ...]]:
    return [
        (
            f"鹤市监罚〔2024〕{i}号",
            "鹤岗市甲商贸有限公司",
            "法人及非法人组织",
            "91350100M000100Y43",
            "罚款",
            "2024-01-05",
            "鹤岗市市场监督管理局",
            MARKET,
            "2024-01-10",
        )
        for i in numbers
    ]


@pytest.fixture
def settings(monkeypatch, tmp_path):
    return isolate(monkeypatch, tmp_path)


def penalties_drop(folder, numbers):
    write_csv(folder / "penalties.csv", PENALTY_HEADER, penalty_rows(numbers))
    return folder


def live_penalties(settings) -> int:
    return scalar(snapshots.current_snapshot(settings).path, "SELECT count(*) FROM penalties")


def entity_record(settings, run_id, entity="penalties"):
    rows = runs.run_entities(get_engine(settings), [run_id])[run_id]
    return next(r for r in rows if r["entity"] == entity)


def load_audits(settings):
    frame = audit.search(get_engine(settings), action="load")
    return [json.loads(d) for d in frame["detail"]]


def test_is_shrink_boundaries():
    assert not shrink.is_shrink(rows_read=2, rows_current=4, rows_to_retire=2, max_share=0.5)  # exactly half
    assert shrink.is_shrink(rows_read=1, rows_current=3, rows_to_retire=2, max_share=0.5)  # 67 %
    assert shrink.is_shrink(rows_read=0, rows_current=3, rows_to_retire=3, max_share=1.0)  # 0 rows always
    assert not shrink.is_shrink(rows_read=0, rows_current=0, rows_to_retire=0, max_share=0.5)  # nothing to lose
    assert not shrink.is_shrink(rows_read=5, rows_current=3, rows_to_retire=0, max_share=0.0)


def test_a_header_only_full_extract_is_held_and_the_live_snapshot_unchanged(settings, tmp_path):
    drop = penalties_drop(tmp_path / "drop", range(1, 4))
    first = loading.load_drop(settings, drop)
    assert first.status == "ok" and live_penalties(settings) == 3

    penalties_drop(drop, [])  # a broken export: the header and nothing else
    held = loading.load_drop(settings, drop)

    # Before the guard this run reported 成功 and retired all three penalties.
    assert (held.status, held.snapshot_id) == ("held", None)
    assert snapshots.current_snapshot(settings).snapshot_id == first.snapshot_id
    assert live_penalties(settings) == 3
    record = runs.get_run(get_engine(settings), held.run_id)
    assert (record.status, record.status_label, record.snapshot_id) == ("held", "待确认", None)
    assert record.error.startswith("待确认：penalties 的全量抽取将使大量现有记录退役")
    entity = entity_record(settings, held.run_id)
    assert (entity["status"], entity["rows_read"], entity["rows_retired"]) == ("held", 0, 0)
    assert entity["error"].startswith("全量抽取只有 0 行，将使当前 3 条记录中的 3 条退役（100%，上限 50%")
    assert [h.run_id for h in runs.held_loads(get_engine(settings))] == [held.run_id]
    assert snapshots.list_snapshots(settings) == [snapshots.current_snapshot(settings)]


def test_a_held_load_publishes_none_of_its_entities(settings, tmp_path):
    drop = penalties_drop(tmp_path / "drop", range(1, 4))
    write_csv(drop / "subjects.csv", SUBJECT_HEADER, subject_rows(2))
    first = loading.load_drop(settings, drop)
    write_csv(drop / "subjects.csv", SUBJECT_HEADER, subject_rows(5))
    penalties_drop(drop, [1])  # retires 2 of 3 (67 % > 50 %)

    held = loading.load_drop(settings, drop)

    assert held.status == "held" and snapshots.current_snapshot(settings).snapshot_id == first.snapshot_id
    assert entity_record(settings, held.run_id, "subjects")["status"] == "ok"  # figures of the others shown
    assert entity_record(settings, held.run_id)["error"].startswith(
        "全量抽取只有 1 行，将使当前 3 条记录中的 2 条退役（67%"
    )
    assert scalar(snapshots.current_snapshot(settings).path, "SELECT count(*) FROM subjects") == 2


def test_a_small_retirement_is_applied_and_the_share_is_a_setting(settings, tmp_path):
    drop = penalties_drop(tmp_path / "drop", range(1, 5))
    loading.load_drop(settings, drop)
    penalties_drop(drop, [1, 2])  # retires 2 of 4: exactly the share, not more
    assert loading.load_drop(settings, drop).status == "ok" and live_penalties(settings) == 2

    penalties_drop(drop, [1, 2, 3])
    assert loading.load_drop(settings, drop).status == "ok" and live_penalties(settings) == 3
    penalties_drop(drop, [1])  # retires 2 of 3: held at 0.5, applied when the share allows it
    assert loading.load_drop(settings, drop).status == "held"
    lenient = dataclasses.replace(settings, warehouse=dataclasses.replace(settings.warehouse, max_retire_share=0.9))
    assert loading.load_drop(lenient, drop).status == "ok" and live_penalties(settings) == 1

    penalties_drop(drop, [])  # no row at all is held whatever the share
    whatever = dataclasses.replace(settings, warehouse=dataclasses.replace(settings.warehouse, max_retire_share=1.0))
    assert loading.load_drop(whatever, drop).status == "held" and live_penalties(settings) == 1


def test_cli_load_holds_with_exit_3_and_confirm_shrink_applies_and_is_audited(settings, tmp_path):
    drop = penalties_drop(tmp_path / "drop", range(1, 4))
    assert cli("load", str(drop)).returncode == 0
    penalties_drop(drop, [])

    held = cli("load", str(drop))

    assert held.returncode == loading.EXIT_HELD == 3, held.stderr
    assert "penalties.csv：待确认：全量抽取只有 0 行" in held.stderr
    assert "penalties penalties.csv full 待确认 0 0 0 0 0 0 0 0".split() in [
        line.split() for line in held.stdout.splitlines()
    ]
    assert "未发布新快照，当前快照保持不变" in held.stdout
    assert f"python -m dashboard load {drop} --confirm-shrink" in held.stdout
    assert "待确认的实体：" in held.stdout and live_penalties(settings) == 3
    held_run = runs.held_loads(get_engine(settings))[0]
    assert "待确认" in cli("status").stdout

    confirmed = cli("load", str(drop), "--confirm-shrink")

    assert confirmed.returncode == 0, confirmed.stderr
    live = snapshots.current_snapshot(settings).path
    assert scalar(live, "SELECT count(*) FROM penalties") == 0
    assert scalar(live, "SELECT count(*) FROM stg_penalties WHERE _end_reason = 'retired'") == 3
    assert runs.held_loads(get_engine(settings)) == []
    confirmation = [d for d in load_audits(settings) if d.get("confirm_shrink")]
    assert len(confirmation) == 1
    assert confirmation[0]["confirms_held_runs"] == [held_run.run_id]
    assert confirmation[0]["rows_retired"] == {"penalties": 3} and confirmation[0]["status"] == "ok"
    assert audit.verify(get_engine(settings)) == []


def test_the_scheduler_records_a_held_load_once_and_does_not_retry_it(settings, tmp_path):
    drop = penalties_drop(tmp_path / "incoming", range(1, 4))
    config = parse_sources(
        {
            "sources": {
                "daily": {
                    "kind": "drop",
                    "path": str(drop),
                    "schedule": {"cron": "0 3 * * *", "retries": 3, "backoff_seconds": 30},
                }
            }
        },
        PROJECT_DIR,
    )
    assert scheduler.run_job(settings, config["daily"], sleep=lambda s: None).status == "ok"
    penalties_drop(drop, [])
    slept: list[float] = []
    said: list[str] = []

    outcome = scheduler.run_job(settings, config["daily"], sleep=slept.append, progress=said.append)

    assert (outcome.status, outcome.retryable, slept) == ("held", False, [])
    assert "数据源 daily 第 1 次尝试：待确认" in "\n".join(said)
    assert [r.status for r in runs.recent_runs(get_engine(settings))] == ["held", "ok"]
    now = scheduler.local_now()
    assert scheduler.due_sources(settings, config, now) == []  # attempted: not again until 03:00 fires
    assert live_penalties(settings) == 3
