"""数据状态 with a load held by the shrink guard: the office is told with the figures, only a role
with the `load` grant (系统管理员) gets the button, and the button re-runs the load of that source with
the shrink confirmed — in a real child process — and audits who confirmed."""

from __future__ import annotations

import json
import time

from loadkit import scalar, write_csv
from pages_fixture import app, texts

from dashboard.access import audit
from dashboard.core import contract
from dashboard.load import loading
from dashboard.store import runs, snapshots
from tests.access_kit import make_user

PENALTY_HEADER = [c.name for c in contract.ENTITY_BY_NAME["penalties"].columns]


def no_errors(at) -> None:
    """No exception, and no error but the file report's (数据状态's onboarding view) reason why
    the held file was not loaded."""
    assert not at.exception, [e.value for e in at.exception]
    assert all(e.value.startswith("未装载的原因：全量抽取只有 0 行") for e in at.error), [e.value for e in at.error]


def held_load(pages_env, tmp_path):
    drop = tmp_path / "drop"
    write_csv(drop / "penalties.csv", PENALTY_HEADER, [])  # header only: would retire every penalty
    outcome = loading.load_drop(pages_env.settings, drop)
    assert outcome.status == "held", outcome.error
    return runs.get_run(pages_env.engine, outcome.run_id)


def wait_for_run_after(engine, run_id: str, seconds: float = 180.0) -> runs.RunRecord:
    """The first load run started after `run_id`, once it has ended."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        latest = runs.recent_runs(engine, limit=1, kind="load")[0]
        if latest.run_id != run_id and latest.status != runs.RUNNING:
            return latest
        time.sleep(0.2)
    raise AssertionError("the confirmed load did not finish")


def test_the_held_load_is_shown_and_only_the_admin_may_confirm_it(pages_env, tmp_path):
    make_user(pages_env.engine, "admin1", "admin")
    live_before = pages_env.snapshot.snapshot_id
    n_penalties = scalar(pages_env.snapshot.path, "SELECT count(*) FROM penalties")
    held = held_load(pages_env, tmp_path)
    key = f"confirm_shrink_{held.run_id}"

    office = app("office", page="data_status")
    no_errors(office)
    shown = texts(office)
    assert "待确认的装载：数据目录“drop”" in shown  # the source by its name, not its path
    assert held.source not in shown
    assert "装载待确认：行政处罚的全量抽取将使大量现有记录退役" in shown  # data items in Chinese
    assert "请系统管理员在本页确认" in shown
    assert "最近一次装载待确认：全量抽取的记录数骤减，未发布" in shown  # the frame's badge, on every page
    assert key not in [b.key for b in office.button]
    entities = office.dataframe[0].value
    assert list(entities[["数据项", "状态"]].itertuples(index=False, name=None)) == [("行政处罚", "待确认")]
    assert (
        entities["错误"]
        .iloc[0]
        .startswith(f"全量抽取只有 0 行，将使当前 {n_penalties} 条记录中的 {n_penalties} 条退役")
    )

    admin = app("admin1", page="data_status")
    no_errors(admin)
    assert admin.button(key=key).label == "确认退役并重新装载"
    assert snapshots.current_snapshot(pages_env.settings).snapshot_id == live_before

    admin.button(key=key).click().run()

    no_errors(admin)
    assert "已开始按确认重新装载该数据源" in texts(admin)
    confirmed = wait_for_run_after(pages_env.engine, held.run_id)
    assert confirmed.status == "ok", confirmed.error
    live = snapshots.current_snapshot(pages_env.settings)
    assert live.snapshot_id == confirmed.snapshot_id != live_before
    assert scalar(live.path, "SELECT count(*) FROM penalties") == 0
    entries = audit.search(pages_env.engine, action="load")
    details = [(u, json.loads(d)) for u, d in zip(entries["user"], entries["detail"])]
    by_admin = [d for u, d in details if u == "admin1"]
    assert by_admin == [
        {"confirm_shrink": True, "held_run_id": held.run_id, "source": held.source, "where": "数据状态"}
    ]
    applied = [d for u, d in details if u.startswith("cli:") and d.get("confirm_shrink")]
    assert [(d["confirms_held_runs"], d["rows_retired"]) for d in applied] == [
        ([held.run_id], {"penalties": n_penalties})
    ]

    after = app("admin1", page="data_status")
    no_errors(after)
    assert "待确认的装载" not in texts(after)
