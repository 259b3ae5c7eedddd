"""The audit log: append-only, hash-chained, verified on SQLite and PostgreSQL; search, export, CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

import pandas as pd
import pytest
from sqlalchemy import select, update

from dashboard.__main__ import main
from dashboard.access import audit
from dashboard.core.settings import PROJECT_DIR


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request):
    store = request.getfixturevalue("store")  # isolated settings: the key file and anchors in tmp_path
    if request.param == "sqlite":
        return store.engine
    return request.getfixturevalue("pg_engine")


def fill(engine, n: int = 5) -> list[audit.Entry]:
    return [
        audit.record(engine, f"user{i % 2}", "export", {"what": "信用预警清单", "n": i}, rows=i)
        for i in range(1, n + 1)
    ]


def kinds(problems):
    return [(p.entry_id, p.kind) for p in problems]


def test_entries_chain_by_the_documented_formula(engine, monkeypatch):
    key = "k" * 40
    monkeypatch.setenv("DASHBOARD_AUDIT_KEY", key)
    entries = fill(engine, 3)
    assert [e.id for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == "0" * 64
    for before, after in zip(entries, entries[1:]):
        assert after.prev_hash == before.entry_hash
    first = entries[0]
    body = json.dumps(
        {
            "id": 1,
            "at": first.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "user": "user1",
            "action": "export",
            "detail": '{"n":1,"what":"信用预警清单"}',
            "rows": 1,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    expected = hmac.new(key.encode("utf-8"), ("0" * 64 + body).encode("utf-8"), hashlib.sha256).hexdigest()
    assert first.entry_hash == expected
    assert audit.verify(engine) == []


def test_stored_entries_read_back_with_the_same_hashes(engine):
    written = fill(engine, 4)
    found = audit.search(engine).sort_values("id")
    assert found["entry_hash"].tolist() == [e.entry_hash for e in written]
    assert found["user"].tolist() == ["user1", "user0", "user1", "user0"]
    assert found["rows"].tolist() == [1, 2, 3, 4]


def test_a_modified_entry_is_reported(engine):
    fill(engine, 5)
    with engine.begin() as conn:
        conn.execute(update(audit.audit_log).where(audit.audit_log.c.id == 3).values(rows=999))
    assert kinds(audit.verify(engine)) == [(3, "modified")]


def test_a_modified_and_rehashed_entry_breaks_the_link_to_the_next(engine):
    entries = fill(engine, 4)
    e = entries[1]
    forged = audit.entry_hash(e.prev_hash, e.id, e.at, "someone_else", e.action, e.detail, e.rows)
    with engine.begin() as conn:
        conn.execute(
            update(audit.audit_log).where(audit.audit_log.c.id == 2).values(username="someone_else", entry_hash=forged)
        )
    # re-hashed without the key: the entry itself no longer verifies, and the next one's link breaks
    # (and the anchor file still holds entry 2's real MAC)
    assert kinds(audit.verify(engine)) == [(2, "forged"), (3, "broken_chain"), (2, "anchor")]


def test_a_deleted_entry_in_the_middle_at_the_start_and_at_the_end_is_reported(engine):
    fill(engine, 6)
    with engine.begin() as conn:
        conn.execute(audit.audit_log.delete().where(audit.audit_log.c.id.in_([1, 4])))
    problems = audit.verify(engine)
    assert kinds(problems) == [(2, "deleted"), (5, "deleted"), (4, "anchor")]  # anchors of 1 and 4 name them
    assert problems[0].message == "缺少第 1 条审计记录（1 条已被删除）"
    with engine.begin() as conn:
        conn.execute(audit.audit_log.delete().where(audit.audit_log.c.id == 6))
    assert kinds(audit.verify(engine))[-2] == (None, "deleted")
    assert audit.verify(engine)[-2].message == "缺少第 6–6 条审计记录（末尾 1 条已被删除）"


def test_reordered_entries_are_reported(engine):
    fill(engine, 4)
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(audit.audit_log))}
    swapped = {2: rows[3], 3: rows[2]}
    with engine.begin() as conn:
        for entry_id, source in swapped.items():
            conn.execute(
                update(audit.audit_log)
                .where(audit.audit_log.c.id == entry_id)
                .values(
                    at=source.at,
                    username=source.username,
                    detail=source.detail,
                    rows=source.rows,
                    prev_hash=source.prev_hash,
                    entry_hash=source.entry_hash,
                )
            )
    found = kinds(audit.verify(engine))
    assert (2, "modified") in found and (3, "modified") in found
    assert (2, "broken_chain") in found and (3, "reordered") in found


def test_the_chain_continues_after_a_gap_free_restart_and_time_never_goes_back(engine):
    first = fill(engine, 2)
    later = audit.record(engine, "cli:root", "load", {"source": "data/drops/demo"})
    assert later.id == 3 and later.prev_hash == first[-1].entry_hash
    assert later.at >= first[-1].at


def test_detail_never_carries_a_resident_id_number_and_unknown_actions_are_refused(store):
    e = audit.record(
        store.engine, "office", "profile_viewed", {"party": "230402199001011234", "note": "x 23040219900101123X y"}
    )
    assert "199001011234" not in e.detail and "19900101123X" not in e.detail
    assert json.loads(e.detail) == {"note": "x 230402********123X y", "party": "230402********1234"}
    with pytest.raises(ValueError):
        audit.record(store.engine, "office", "drop_table", {})


def test_the_module_offers_no_way_to_change_or_remove_entries():
    own = {n for n, v in vars(audit).items() if callable(v) and getattr(v, "__module__", None) == audit.__name__}
    assert {"record", "verify", "search"} <= own
    assert not {n for n in own if any(w in n.lower() for w in ("delete", "update", "remove", "truncate", "edit"))}


def test_search_filters_by_user_action_and_time(store):
    engine = store.engine
    audit.record(engine, "tax_user", "sign_in", {"method": "password"})
    audit.record(engine, "tax_user", "export", {"what": "清单"}, rows=12)
    audit.record(engine, "office", "export", {"what": "清单"}, rows=3)
    found = audit.search(engine, user="tax_user", action="export")
    assert found[["id", "user", "action", "action_label", "rows"]].values.tolist() == [
        [2, "tax_user", "export", "导出/下载", 12]
    ]
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert audit.search(engine, since=today, until=today + dt.timedelta(days=1))["id"].tolist() == [3, 2, 1]
    assert audit.search(engine, since=today + dt.timedelta(days=1)).empty
    assert audit.search(engine, until=today).empty
    shown = audit.display_frame(audit.search(engine, action="sign_in"))
    assert list(shown.columns) == ["序号", "时间（北京时间）", "用户", "操作", "详情", "行数", "记录哈希"]
    assert shown.iloc[0]["操作"] == "登录"


def test_cli_verify_passes_then_reports_a_modified_and_a_deleted_entry(store, capsys):
    fill(store.engine, 4)
    assert main(["audit", "verify"]) == 0
    assert "审计日志校验通过：共 4 条记录，签名链完整，与链外检查点一致" in capsys.readouterr().out
    with store.engine.begin() as conn:
        conn.execute(update(audit.audit_log).where(audit.audit_log.c.id == 2).values(detail='{"n":0}'))
        conn.execute(audit.audit_log.delete().where(audit.audit_log.c.id == 3))
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "审计日志校验未通过：发现 3 个问题" in out
    assert "第 2 条审计记录的内容被修改（签名不符）" in out
    assert "缺少第 3 条审计记录（1 条已被删除）" in out
    assert "锚点文件记录过第 3–3 条中的 1 条审计记录，数据库中已不存在" in out


def test_cli_export_writes_the_filtered_log_and_records_the_export(store, tmp_path):
    fill(store.engine, 3)
    out = tmp_path / "audit.xlsx"
    assert main(["audit", "export", "--user", "user1", "--out", str(out)]) == 0
    frame = pd.read_excel(out)
    assert frame["序号"].tolist() == [3, 1]
    last = audit.search(store.engine, action="export", user=audit.cli_user())
    assert len(last) == 1 and int(last.iloc[0]["rows"]) == 2
    assert json.loads(last.iloc[0]["detail"])["filters"] == {"user": "user1"}
    assert audit.verify(store.engine) == []


def test_audit_verify_command_in_a_child_process(store):
    fill(store.engine, 2)
    with store.engine.begin() as conn:
        conn.execute(update(audit.audit_log).where(audit.audit_log.c.id == 1).values(action="sign_in"))
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "audit", "verify"],
        cwd=PROJECT_DIR,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "第 1 条审计记录的内容被修改（哈希值不符）" in done.stdout  # before the first verified MAC


APPENDER = """
import sys, time
from pathlib import Path
from sqlalchemy import create_engine
from dashboard.access import audit
from dashboard.store import opstore
url, schema, who, n, barrier = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5])
args = {"options": f"-csearch_path={schema}"} if schema else {"timeout": 30}
engine = create_engine(url, connect_args=args)
if not schema:
    from sqlalchemy import event
    event.listen(engine, "connect", opstore._sqlite_pragmas)
engine.connect().close()
(barrier / who).touch()
while not (barrier / "go").exists():  # both start appending at the same moment
    time.sleep(0.01)
for i in range(n):
    audit.record(engine, who, "export", {"i": i}, rows=i)
"""


def test_two_processes_appending_at_once_never_fork_the_chain(engine, tmp_path):
    audit.record(engine, "first", "sign_in", {})  # tables and head exist before the race
    schema = getattr(engine, "info_schema", "")
    url = engine.url.render_as_string(hide_password=False)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER, url, schema, f"p{k}", "40", str(tmp_path)],
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(2)
    ]
    while not all((tmp_path / f"p{k}").exists() for k in range(2)):
        assert all(c.poll() is None for c in children), children[0].stderr
        time.sleep(0.01)
    (tmp_path / "go").touch()
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    found = audit.search(engine)
    assert sorted(found["id"]) == list(range(1, 82))
    assert (found["user"] == "p0").sum() == 40 and (found["user"] == "p1").sum() == 40
    assert audit.verify(engine) == []
