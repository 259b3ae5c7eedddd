"""Named sources (sources.toml) and the scheduler: cron due times, retries with backoff against a
database that is down, and a real PostgreSQL source."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
import sqlalchemy as sa
from loadkit import cli, isolate, scalar, subject_rows, subjects_drop, uscc

from dashboard.core.settings import PROJECT_DIR
from dashboard.load import scheduler
from dashboard.load.sources import Schedule, SourcesError, load_sources, parse_sources
from dashboard.store import runs, snapshots
from dashboard.store.opstore import get_engine
from tests.pg_kit import unique_name

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def settings(monkeypatch, tmp_path):
    return isolate(monkeypatch, tmp_path)


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_sources(tmp_path, text: str):
    path = tmp_path / "sources.toml"  # where isolate() points DASHBOARD_SOURCES
    path.write_text(text, encoding="utf-8")
    return path


def test_cron_due_times():
    at = dt.datetime(2026, 11, 29, 2, 30, tzinfo=CST)
    assert scheduler.previous_due("30 2 * * *", at) == at  # fires exactly now
    assert scheduler.previous_due("30 2 * * *", at - dt.timedelta(seconds=1)) == at - dt.timedelta(days=1)
    assert scheduler.next_due("30 2 * * *", at) == at + dt.timedelta(days=1)
    assert scheduler.next_due("0 3 * * 1", at) == dt.datetime(2026, 11, 30, 3, 0, tzinfo=CST)  # a Monday
    assert scheduler.next_due("*/15 * * * *", at + dt.timedelta(minutes=1)) == at + dt.timedelta(minutes=15)
    # due when the expression fired since the last attempt started; a source never loaded is due
    assert scheduler.is_due("30 2 * * *", None, at)
    assert scheduler.is_due("30 2 * * *", at - dt.timedelta(hours=23), at + dt.timedelta(minutes=5))
    assert not scheduler.is_due("30 2 * * *", at + dt.timedelta(seconds=1), at + dt.timedelta(hours=23))
    assert scheduler.is_due("30 2 * * *", at + dt.timedelta(seconds=1), at + dt.timedelta(days=1))


def test_backoff_doubles_up_to_its_cap():
    s = Schedule(cron="0 3 * * *", retries=5, backoff_seconds=60, max_backoff_seconds=300)
    assert [s.delay(i) for i in range(1, 6)] == [60, 120, 240, 300, 300]


def test_the_example_sources_file_is_valid():
    sources = load_sources(PROJECT_DIR / "sources.example.toml")
    drop, db = sources["platform_drop"], sources["platform_db"]
    assert (drop.kind, drop.path, drop.mode_for("penalties"), drop.mode_for("subjects")) == (
        "drop",
        PROJECT_DIR / "data" / "drops" / "incoming",
        "incremental",
        "full",
    )
    assert (db.kind, db.url_env, db.mode_for("penalties"), db.mode_for("subjects")) == (
        "sql",
        "CREDIT_DB_URL",
        "incremental",
        "full",
    )
    assert db.schedule == Schedule("0 3 * * *", 4, 60.0, 1800.0)
    with pytest.raises(SourcesError, match="环境变量 CREDIT_DB_URL 未设置"):
        db.entity_sources(env={})
    listed = db.entity_sources(env={"CREDIT_DB_URL": "postgresql://u:p@h/db"})
    assert [(s.entity, s.table, s.label) for s in listed] == [
        ("subjects", None, "db:query:subjects"),
        ("penalties", "sgs_xzcf", "db:sgs_xzcf"),
        ("licenses", "sgs_xzxk", "db:sgs_xzxk"),
    ]


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"kind": "sql", "url": "postgresql://u:p@h/db"}, "连接串不得写在配置文件中"),
        ({"kind": "ftp"}, "kind 须为 drop 或 sql"),
        ({"kind": "drop", "path": "x", "schedule": {"cron": "61 * * * *"}}, "cron 表达式无效"),
        ({"kind": "drop", "path": "x", "mode": "delta"}, "mode 须为 full 或 incremental"),
        ({"kind": "drop", "path": "x", "modes": {"fines": "full"}}, "未知实体 'fines'"),
        (
            {"kind": "sql", "url_env": "U", "entities": {"penalties": {"table": "a", "query": "SELECT 1"}}},
            "须且只能指定 table 或 query 之一",
        ),
        ({"kind": "sql", "url_env": "U", "entities": {"penalties": {"table": "a; drop table b"}}}, "表名无效"),
        ({"kind": "sql", "url_env": "U", "entities": {"penalties": {"query": "DELETE FROM a"}}}, "query 须为 SELECT"),
    ],
)
def test_bad_sources_are_refused_with_a_clear_message(tmp_path, spec, message):
    with pytest.raises(SourcesError, match=message):
        parse_sources({"sources": {"s": spec}}, tmp_path)


def test_a_named_drop_source_with_per_entity_modes(settings, tmp_path):
    drop = subjects_drop(tmp_path / "incoming", 3)
    write_sources(
        tmp_path,
        '[sources.daily]\nkind = "drop"\npath = "incoming"\nmode = "full"\nmodes = { subjects = "incremental" }\n',
    )
    assert cli("load", "daily").returncode == 0
    subjects_drop(drop, 1)  # incremental: the two subjects missing from this extract stay current
    again = cli("load", "daily")
    assert again.returncode == 0, again.stderr
    assert "subjects subjects.csv incremental 成功 1 1 0 0 0 0 0 1".split() in [
        line.split() for line in again.stdout.splitlines()
    ]
    assert scalar(snapshots.current_snapshot(settings).path, "SELECT count(*) FROM subjects") == 3
    assert runs.recent_runs(get_engine(settings), limit=1)[0].source == "daily"


def test_a_database_that_is_down_is_retried_with_backoff_and_recorded_as_failed(settings, tmp_path, monkeypatch):
    port = closed_port()
    monkeypatch.setenv("TEST_DOWN_DB_URL", f"postgresql+psycopg2://reader:s3cret-pw@127.0.0.1:{port}/credit")
    write_sources(
        tmp_path,
        '[sources.platform]\nkind = "sql"\nurl_env = "TEST_DOWN_DB_URL"\n'
        'schedule = { cron = "0 3 * * *", retries = 2, backoff_seconds = 0.01 }\n'
        '[sources.platform.entities.subjects]\ntable = "ztdj"\n',
    )

    done = cli("schedule", "--once")  # never loaded: due at once; fails without crashing

    assert done.returncode == 1, done.stderr
    assert "数据源 platform 暂时无法连接，0.01 秒后重试（剩余 2 次）" in done.stderr
    assert "数据源 platform 暂时无法连接，0.02 秒后重试（剩余 1 次）" in done.stderr
    assert "s3cret-pw" not in done.stderr + done.stdout
    history = runs.recent_runs(get_engine(settings))
    assert [(r.source, r.status) for r in history] == [("platform", "failed")] * 3
    assert all(r.error.startswith("无法连接数据库 db:ztdj：") and "s3cret-pw" not in r.error for r in history)
    assert snapshots.current_snapshot(settings) is None
    assert building_empty(settings)
    idle = cli("schedule", "--once")  # attempted since 03:00 last fired: not due again until then
    assert idle.returncode == 0 and "没有到期的数据源" in idle.stderr

    config = parse_sources(
        {
            "sources": {
                "platform": {
                    "kind": "sql",
                    "url_env": "TEST_DOWN_DB_URL",
                    "entities": {"subjects": {"table": "ztdj"}},
                    "schedule": {"cron": "0 3 * * *", "retries": 3, "backoff_seconds": 30},
                }
            }
        },
        tmp_path,
    )["platform"]
    slept: list[float] = []
    outcome = scheduler.run_job(settings, config, sleep=slept.append)
    assert slept == [30, 60, 120]
    assert (outcome.status, outcome.retryable, outcome.snapshot_id) == ("failed", True, None)
    assert len(runs.recent_runs(get_engine(settings))) == 7


def building_empty(settings):
    folder = snapshots.paths(settings).building
    return not folder.is_dir() or not any(folder.iterdir())


@pytest.mark.postgres
def test_a_postgresql_source_loaded_through_sources_toml(settings, tmp_path, monkeypatch, pg_url):
    url = pg_url
    schema_name = unique_name("load_test")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema_name}"'))
        conn.execute(
            sa.text(
                f'CREATE TABLE "{schema_name}".ztdj (统一社会信用代码 text, 主体名称 text, '
                "登记状态 text, 成立日期 date)"
            )
        )
        conn.execute(
            sa.text(f'INSERT INTO "{schema_name}".ztdj VALUES (:u, :n, :s, :d)'),
            [dict(u=u, n=n, s=s, d=dt.date.fromisoformat(d)) for u, n, s, d in subject_rows(3)],
        )
        conn.execute(sa.text(f'CREATE TABLE "{schema_name}".nsxy (nsrsbh text, pjnd integer, jb text)'))
        conn.execute(
            sa.text(f'INSERT INTO "{schema_name}".nsxy VALUES (:u, 2024, :g)'),
            [dict(u=uscc(1), g="A"), dict(u=uscc(2), g="D")],
        )
    try:
        monkeypatch.setenv("TEST_CREDIT_DB_URL", url)
        write_sources(
            tmp_path,
            f'''
[sources.platform]
kind = "sql"
url_env = "TEST_CREDIT_DB_URL"
mode = "full"
schedule = {{ cron = "0 3 * * *", retries = 1, backoff_seconds = 1 }}
[sources.platform.entities.subjects]
table = "{schema_name}.ztdj"
[sources.platform.entities.tax_credit]
query = "SELECT nsrsbh AS uscc, pjnd AS year, jb AS grade FROM {schema_name}.nsxy"
mode = "incremental"
''',
        )
        done = cli("schedule", "--once")
        assert done.returncode == 0, done.stderr
        live = snapshots.current_snapshot(settings)
        assert scalar(live.path, "SELECT count(*) FROM subjects") == 3
        assert scalar(live.path, "SELECT string_agg(grade, '' ORDER BY grade) FROM tax_credit") == "AD"
        last = runs.recent_runs(get_engine(settings), limit=1)[0]
        assert (last.source, last.status, last.snapshot_id) == ("platform", "ok", live.snapshot_id)
        per_entity = runs.run_entities(get_engine(settings), [last.run_id])[last.run_id]
        assert [(e["entity"], e["source"], e["mode"], e["rows_inserted"]) for e in per_entity] == [
            ("subjects", f"db:{schema_name}.ztdj", "full", 3),
            ("tax_credit", "db:query:tax_credit", "incremental", 2),
        ]
        assert "dashboard_test" not in (last.error or "") + done.stderr  # the role name is in the URL only
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema_name}" CASCADE'))
        engine.dispose()


def test_run_forever_loads_what_is_due_then_sleeps_until_the_next_time(settings, tmp_path):
    subjects_drop(tmp_path / "incoming", 2)
    sources_file = write_sources(
        tmp_path, '[sources.daily]\nkind = "drop"\npath = "incoming"\nschedule = { cron = "*/5 * * * *" }\n'
    )
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 1:  # an edit that breaks the file: the last good version stays in force
            sources_file.write_text("[sources.daily\n", encoding="utf-8")
        if len(naps) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scheduler.run_forever(settings, sleep=sleep, progress=lambda message: None)

    assert [r.status for r in runs.recent_runs(get_engine(settings))] == ["ok"]  # due once, loaded once
    assert all(0 < nap <= 5 * 60 + 1 for nap in naps)
