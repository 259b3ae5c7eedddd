"""The anchored audit log (issue 11 item 5): entries MAC'd with a key that is never in the database,
checkpoints of the head outside it (the anchor file, the published snapshots), and `audit verify`
catching every rewrite that passed the unkeyed chain: one test per tampering class, each done the
way someone with full write access to the database but without the key would do it. Also: where
the key comes from, migration of an unkeyed log, key rotation."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys

import duckdb
import pytest
from loadkit import subjects_drop
from sqlalchemy import select, text, update

from dashboard.__main__ import main
from dashboard.access import audit
from dashboard.core.settings import PROJECT_DIR
from dashboard.load import loading
from dashboard.store import opstore, runs, snapshots

KEY = "audit-key-for-tests-" + "x" * 24
OTHER_KEY = "a-different-audit-key-" + "y" * 24


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request):
    store = request.getfixturevalue("store")  # isolated settings: key file and anchors under tmp_path
    if request.param == "sqlite":
        return store.engine
    return request.getfixturevalue("pg_engine")


def fill(engine, n: int) -> list[audit.Entry]:
    return [
        audit.record(engine, f"user{i % 2}", "export", {"what": "信用预警清单", "n": i}, rows=i)
        for i in range(1, n + 1)
    ]


def kinds(problems) -> list[tuple[int | None, str]]:
    return [(p.entry_id, p.kind) for p in problems]


def rows_of(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(audit.audit_log).order_by(audit.audit_log.c.id)))


def set_head(conn, last_id: int, last_hash: str) -> None:
    conn.execute(
        update(audit.audit_head).where(audit.audit_head.c.id == 1).values(last_id=last_id, last_hash=last_hash)
    )


def plain_hash(row, entry_id: int, prev: str) -> str:
    """What a forger without the key can compute: the documented chain formula with sha256."""
    return audit.entry_hash(prev, entry_id, row.at, row.username, row.action, row.detail, row.rows)


# ---- the tampering classes of issue 11 ---------------------------------------------------------


def test_deleting_an_entry_and_rehashing_the_rest_is_detected(engine):
    fill(engine, 6)
    rows = rows_of(engine)
    prev = rows[1].entry_hash  # entry 2 stays; entry 3 goes; 4–6 become 3–5, re-chained
    with engine.begin() as conn:
        conn.execute(audit.audit_log.delete().where(audit.audit_log.c.id >= 3))
        for new_id, row in enumerate(rows[3:], start=3):
            digest = plain_hash(row, new_id, prev)
            conn.execute(
                audit.audit_log.insert().values(
                    id=new_id,
                    at=row.at,
                    username=row.username,
                    action=row.action,
                    detail=row.detail,
                    rows=row.rows,
                    prev_hash=prev,
                    entry_hash=digest,
                )
            )
            prev = digest
        set_head(conn, 5, prev)
    problems = audit.verify(engine)
    assert [(3, "forged"), (4, "forged"), (5, "forged")] == kinds(problems)[:3]
    assert (6, "anchor") in kinds(problems)  # the anchor file knew of a 6th entry
    assert (3, "anchor") in kinds(problems)  # and of entry 3's real MAC


def test_cutting_the_tail_and_updating_the_head_is_detected(engine):
    entries = fill(engine, 6)
    with engine.begin() as conn:
        conn.execute(audit.audit_log.delete().where(audit.audit_log.c.id >= 5))
        set_head(conn, 4, entries[3].entry_hash)
    problems = audit.verify(engine)
    assert kinds(problems) == [(6, "anchor")]  # the chain itself is consistent; the anchors are not
    assert problems[0].message.startswith("锚点文件记录过第 5–6 条中的 2 条审计记录，数据库中已不存在（现有 4 条）")


def test_deleting_every_entry_and_the_head_is_detected(engine, capsys):
    fill(engine, 4)
    with engine.begin() as conn:
        conn.execute(audit.audit_log.delete())
        conn.execute(audit.audit_head.delete())
    assert kinds(audit.verify(engine)) == [(4, "anchor")]
    if engine.dialect.name == "sqlite":  # the command the office runs says so too (exit 1)
        assert main(["audit", "verify"]) == 1
        out = capsys.readouterr().out
        assert "审计日志校验未通过" in out and "哈希链完整" not in out
        assert "锚点文件记录过第 1–4 条中的 4 条审计记录，数据库中已不存在（现有 0 条）" in out


def test_appending_a_forged_entry_is_detected(engine):
    entries = fill(engine, 3)
    forged_at = entries[-1].at + dt.timedelta(seconds=1)
    body = audit.detail_text({"what": "信用预警清单"})
    for forged_id, digest in (
        (4, audit.entry_hash(entries[-1].entry_hash, 4, forged_at, "office", "export", body, 1)),  # no key
        (5, None),  # a key of the forger's own
    ):
        prev = rows_of(engine)[-1].entry_hash
        if digest is None:
            digest = audit.entry_mac(OTHER_KEY.encode(), prev, forged_id, forged_at, "office", "export", body, 1)
        with engine.begin() as conn:
            conn.execute(
                audit.audit_log.insert().values(
                    id=forged_id,
                    at=forged_at,
                    username="office",
                    action="export",
                    detail=body,
                    rows=1,
                    prev_hash=prev,
                    entry_hash=digest,
                )
            )
            set_head(conn, forged_id, digest)
    problems = audit.verify(engine)
    assert kinds(problems) == [(4, "forged"), (5, "modified")]
    assert problems[0].message == "第 4 条审计记录没有有效的密钥签名（出现在已签名的记录之后：伪造、追加或重写）"


def test_wiping_the_table_is_detected(engine):
    fill(engine, 5)
    with engine.begin() as conn:  # both tables dropped, then recreated empty as a restart would
        conn.execute(text("DROP TABLE audit_log"))
        conn.execute(text("DROP TABLE audit_head"))
    opstore.metadata.create_all(engine)
    assert kinds(audit.verify(engine)) == [(5, "anchor")]
    with engine.begin() as conn:  # the table emptied while the head stays
        conn.execute(text("DELETE FROM audit_head"))
    fill(engine, 2)  # a fresh chain after the wipe does not hide it
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
    assert kinds(audit.verify(engine)) == [(None, "deleted"), (5, "anchor")]


def test_cutting_the_tail_is_detected(engine):
    fill(engine, 6)
    with engine.begin() as conn:
        conn.execute(audit.audit_log.delete().where(audit.audit_log.c.id >= 5))
    problems = audit.verify(engine)
    assert kinds(problems) == [(None, "deleted"), (6, "anchor")]
    assert problems[0].message == "缺少第 5–6 条审计记录（末尾 2 条已被删除）"


def test_a_deleted_anchor_file_is_reported(store):
    fill(store.engine, 2)
    audit.anchor_path(store.settings).unlink()
    problems = audit.verify(store.engine)
    assert kinds(problems) == [(None, "anchor")]
    assert "审计锚点文件" in problems[0].message and "不存在" in problems[0].message


# ---- checkpoints in the published snapshots ----------------------------------------------------


def test_a_load_records_the_audit_head_in_the_snapshot_it_publishes(store, tmp_path):
    fill(store.engine, 3)
    sealed_head = audit.head(store.engine)
    outcome = loading.load_drop(store.settings, subjects_drop(tmp_path / "drop", 3))
    assert outcome.snapshot_id
    live = snapshots.current_snapshot(store.settings)
    assert snapshots.audit_head_of(live.path) == sealed_head
    report = audit.verify_report(store.engine)
    assert report.ok and report.snapshots_checked == 1 and report.anchors_checked == report.entries


def test_snapshot_heads_catch_a_wipe_even_when_the_anchor_file_is_gone_too(store):
    fill(store.engine, 4)
    snapshot_id = snapshots.new_snapshot_id(runs.new_run_id())
    path = snapshots.paths(store.settings).snapshot_path(snapshot_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    snapshots.record_audit_head(con, *audit.head(store.engine))
    con.close()
    with store.engine.begin() as conn:
        conn.execute(audit.audit_log.delete())
        conn.execute(audit.audit_head.delete())
    audit.anchor_path(store.settings).unlink()
    problems = audit.verify(store.engine)
    assert kinds(problems) == [(None, "anchor"), (4, "snapshot")]
    assert problems[1].message == (
        f"数据快照 {snapshot_id} 记录的审计链头为第 4 条，数据库中已不存在（记录被截断或清空）"
    )


# ---- the key ---------------------------------------------------------------------------------------


def test_without_a_configured_key_one_is_generated_into_a_private_file_never_into_the_database(store):
    entry = fill(store.engine, 1)[0]
    path = audit.key_file_path(store.settings)
    assert path == store.settings.data_dir / "audit.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text(encoding="utf-8").strip()
    assert len(key) == 64
    assert entry.entry_hash == audit.entry_mac(
        key.encode(), entry.prev_hash, 1, entry.at, entry.user, entry.action, entry.detail, entry.rows
    )
    ops = (store.settings.data_dir / "ops.sqlite").read_bytes() + b"".join(
        p.read_bytes() for p in store.settings.data_dir.glob("ops.sqlite-*")
    )
    assert key.encode() not in ops
    assert audit.verify_report(store.engine).key_source == f"密钥文件 {path}"


def test_the_key_comes_from_the_environment_then_secrets_toml(store, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f'audit_key = "{OTHER_KEY}"\n', encoding="utf-8")
    assert audit.keyring(store.settings).current == OTHER_KEY.encode()
    assert "secrets.toml 的 audit_key" in audit.keyring(store.settings).source
    monkeypatch.setenv("DASHBOARD_AUDIT_KEY", KEY)
    ring = audit.keyring(store.settings)
    assert (ring.current, ring.source) == (KEY.encode(), "环境变量 DASHBOARD_AUDIT_KEY")
    entry = fill(store.engine, 1)[0]
    assert entry.entry_hash == audit.entry_mac(
        KEY.encode(), entry.prev_hash, 1, entry.at, entry.user, entry.action, entry.detail, entry.rows
    )
    assert not audit.key_file_path(store.settings).exists()  # nothing generated when a key is configured
    monkeypatch.setenv("DASHBOARD_AUDIT_KEY", "too-short")
    with pytest.raises(audit.AuditKeyError, match="审计密钥太短：至少需要 32 个字符"):
        audit.record(store.engine, "office", "export", {})


def test_a_lost_or_wrong_key_is_named_as_the_likely_cause(store):
    fill(store.engine, 2)
    audit.key_file_path(store.settings).write_text(OTHER_KEY + "\n", encoding="utf-8")  # the key file replaced
    problems = audit.verify(store.engine)
    assert kinds(problems) == [(1, "modified"), (2, "modified"), (None, "key")]
    assert problems[2].message.startswith("没有一条审计记录能用已配置的密钥")


# ---- migration and rotation ----------------------------------------------------------------------


def write_unkeyed(engine, n: int) -> None:
    """A log as an earlier release wrote it: plain sha256 chain, no anchors."""
    prev = audit.GENESIS_HASH
    at = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        for i in range(1, n + 1):
            body = audit.detail_text({"n": i})
            digest = audit.entry_hash(prev, i, at, "office", "export", body, i)
            conn.execute(
                audit.audit_log.insert().values(
                    id=i,
                    at=at,
                    username="office",
                    action="export",
                    detail=body,
                    rows=i,
                    prev_hash=prev,
                    entry_hash=digest,
                )
            )
            prev = digest
        conn.execute(audit.audit_head.insert().values(id=1, last_id=n, last_hash=prev))


def test_an_unkeyed_log_continues_keyed_from_a_marked_entry(engine):
    write_unkeyed(engine, 3)
    report = audit.verify_report(engine)
    assert report.ok and report.unkeyed_entries == 3 and report.keyed_from is None
    later = audit.record(engine, "office", "sign_in", {"method": "password"})
    marker = rows_of(engine)[3]
    assert (marker.id, marker.action, marker.username, later.id) == (4, "audit_keyed", "system:audit", 5)
    report = audit.verify_report(engine)
    assert report.ok and (report.unkeyed_entries, report.keyed_from, report.entries) == (3, 4, 5)
    # the old part can still not be rewritten: re-hashing entries 2–3 consistently breaks the marker's link
    rows = rows_of(engine)
    prev = rows[0].entry_hash
    with engine.begin() as conn:
        for row in rows[1:3]:
            digest = audit.entry_hash(prev, row.id, row.at, "someone_else", row.action, row.detail, row.rows)
            conn.execute(
                update(audit.audit_log)
                .where(audit.audit_log.c.id == row.id)
                .values(username="someone_else", prev_hash=prev, entry_hash=digest)
            )
            prev = digest
    assert kinds(audit.verify(engine)) == [(4, "broken_chain")]


def test_keyed_entries_after_unmarked_plain_ones_are_reported(store):
    fill(store.engine, 3)
    rows = rows_of(store.engine)
    with store.engine.begin() as conn:  # entry 1 rewritten as a plain-hash entry, entry 2 re-linked to it
        digest = plain_hash(rows[0], 1, audit.GENESIS_HASH)
        conn.execute(update(audit.audit_log).where(audit.audit_log.c.id == 1).values(entry_hash=digest))
    found = kinds(audit.verify(store.engine))
    assert (2, "forged") in found and (2, "broken_chain") in found


def test_rotating_a_file_held_key_keeps_the_chain_verifiable(store, capsys):
    fill(store.engine, 2)
    path = audit.key_file_path(store.settings)
    old = path.read_text(encoding="utf-8").strip()
    assert main(["audit", "rotate-key"]) == 0
    assert "审计密钥已轮换（第 3 条记录，由旧密钥与新密钥共同签名）" in capsys.readouterr().out
    lines = path.read_text(encoding="utf-8").split()
    assert lines[0] == old and len(lines) == 2 and lines[1] != old
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rotation = rows_of(store.engine)[2]
    message = audit._message(
        rotation.prev_hash, 3, audit._utc(rotation.at), rotation.username, rotation.action, rotation.detail, None
    )
    assert rotation.entry_hash == audit.rotation_mac(old.encode(), lines[1].encode(), message)
    after = fill(store.engine, 2)[-1]
    assert after.entry_hash == audit.entry_mac(
        lines[1].encode(), after.prev_hash, after.id, after.at, after.user, after.action, after.detail, after.rows
    )
    assert main(["audit", "verify"]) == 0
    # an entry after the rotation MAC'd with the retired key does not verify
    path.write_text(old + "\n", encoding="utf-8")
    audit.record(store.engine, "office", "export", {})
    path.write_text(f"{old}\n{lines[1]}\n", encoding="utf-8")
    assert kinds(audit.verify(store.engine)) == [(6, "modified")]


def test_rotating_a_key_from_the_environment(store, monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_AUDIT_KEY", KEY)
    fill(store.engine, 2)
    assert main(["audit", "rotate-key"]) == 1  # the new key must be given: nothing is printed or stored
    assert "请先把新密钥放入环境变量 DASHBOARD_AUDIT_NEW_KEY" in capsys.readouterr().err
    monkeypatch.setenv("DASHBOARD_AUDIT_NEW_KEY", OTHER_KEY)
    assert main(["audit", "rotate-key"]) == 0
    assert "并把旧密钥加入 DASHBOARD_AUDIT_OLD_KEYS" in capsys.readouterr().out
    monkeypatch.setenv("DASHBOARD_AUDIT_KEY", OTHER_KEY)
    monkeypatch.delenv("DASHBOARD_AUDIT_NEW_KEY")
    assert (None, "key") in kinds(audit.verify(store.engine))  # the old key is needed for entries 1–3
    monkeypatch.setenv("DASHBOARD_AUDIT_OLD_KEYS", KEY)
    fill(store.engine, 1)
    assert audit.verify(store.engine) == []
    assert not audit.key_file_path(store.settings).exists()


def test_a_change_of_the_configured_key_is_recorded_as_a_rotation_while_the_old_key_is_known(store, monkeypatch):
    fill(store.engine, 2)  # MAC'd with the generated key file
    monkeypatch.setenv("DASHBOARD_AUDIT_KEY", KEY)  # production configures its own key; the file stays
    audit.record(store.engine, "office", "sign_in", {"method": "password"})
    handover = rows_of(store.engine)[2]
    assert (handover.id, handover.action, handover.username) == (3, "audit_key_rotated", "system:audit")
    assert audit.verify(store.engine) == []
    # and again from the environment, with the old key listed as retired
    monkeypatch.setenv("DASHBOARD_AUDIT_KEY", OTHER_KEY)
    monkeypatch.setenv("DASHBOARD_AUDIT_OLD_KEYS", KEY)
    audit.record(store.engine, "office", "sign_in", {"method": "password"})
    assert [r.action for r in rows_of(store.engine)[4:]] == ["audit_key_rotated", "sign_in"]
    assert audit.verify(store.engine) == []


def test_verify_in_a_child_process_reads_the_same_key_and_anchors(store):
    fill(store.engine, 3)
    with store.engine.begin() as conn:
        conn.execute(audit.audit_log.delete().where(audit.audit_log.c.id == 3))
        set_head(conn, 2, rows_of(store.engine)[1].entry_hash)
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "audit", "verify"],
        cwd=PROJECT_DIR,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "锚点文件记录过第 3–3 条中的 1 条审计记录，数据库中已不存在（现有 2 条）" in done.stdout
