"""A lean load (issue 14): DuckDB's memory limit, spill folder and threads of [warehouse] reach every
connection a load or a check opens; a load under a tight limit spills and builds exactly the
warehouse an unlimited one builds; the load log names each stage's time, processor time and
memory; the marts report their own seconds."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pytest
from loadkit import cli, isolate, subjects_drop

from dashboard.core.settings import Settings
from dashboard.demo.generate import generate_drop
from dashboard.load import loading, meter, onboarding
from dashboard.load.ingest import EntitySource, describe_source
from dashboard.store import schema, snapshots


@pytest.fixture
def settings(monkeypatch, tmp_path):
    return isolate(monkeypatch, tmp_path)


@pytest.fixture
def tiny_drop(tmp_path):
    return generate_drop(tmp_path / "tiny", scale="tiny", seed=42, as_of=dt.date(2026, 3, 15))


def with_warehouse(settings: Settings, **changes) -> Settings:
    return dataclasses.replace(settings, warehouse=dataclasses.replace(settings.warehouse, **changes))


def test_shipped_settings_limit_memory_and_spill_inside_the_data_folder(settings):
    assert settings.warehouse.memory_limit == "3GB"
    assert settings.warehouse.temp_directory == "" and settings.warehouse.threads == 0
    assert snapshots.load_config(settings) == {"memory_limit": "3GB", "temp_directory": str(settings.data_dir / "tmp")}


def test_load_config_reads_every_setting(settings, tmp_path):
    relative = with_warehouse(settings, memory_limit=" 512MB ", temp_directory="spill", threads=1)
    assert snapshots.load_config(relative) == {
        "memory_limit": "512MB",
        "temp_directory": str(settings.data_dir / "spill"),
        "threads": 1,
    }
    absolute = with_warehouse(settings, memory_limit="", temp_directory=str(tmp_path / "elsewhere"))
    assert snapshots.load_config(absolute) == {"temp_directory": str(tmp_path / "elsewhere")}


def test_a_memory_limit_that_is_no_size_is_refused_in_chinese(settings):
    for good in ("3GB", "500 MB", "2.5GiB", "4gb"):
        assert snapshots.load_config(with_warehouse(settings, memory_limit=good))["memory_limit"] == good
        snapshots.connect_for_load(with_warehouse(settings, memory_limit=good)).close()  # DuckDB takes it
    for bad in ("3 gigs", "1073741824"):
        with pytest.raises(ValueError, match=f"memory_limit 的值“{bad}”无效"):
            snapshots.load_config(with_warehouse(settings, memory_limit=bad))


def test_connect_for_load_applies_the_settings_and_duckdb_spills_into_the_folder(settings):
    custom = with_warehouse(settings, memory_limit="64MB", threads=1)
    spill = settings.data_dir / "tmp"
    con = snapshots.connect_for_load(custom)
    try:
        limit, folder, threads = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory'), current_setting('threads')"
        ).fetchone()
        assert limit in ("61.0 MiB", "64.0 MB")  # DuckDB shows 64 MB in binary units
        assert Path(folder) == spill and threads == 1
        # more than the limit: DuckDB makes the folder and spills into it …
        con.execute("CREATE TEMP TABLE big AS SELECT range AS n, md5(CAST(range AS VARCHAR)) AS h FROM range(2000000)")
        assert any(spill.iterdir())
        assert con.execute("SELECT count(DISTINCT h) FROM big").fetchone()[0] == 2_000_000
    finally:
        con.close()
    assert not spill.exists()  # … and removes it when the connection closes


@pytest.fixture
def connections(monkeypatch):
    """Every duckdb.connect of the test: (database, read_only, config)."""
    opened: list[tuple[str, bool, dict]] = []
    real = duckdb.connect

    def spy(database=":memory:", read_only=False, config=None, **kwargs):
        opened.append((str(database), read_only, dict(config or {})))
        return real(database, read_only=read_only, config=config or {}, **kwargs)

    monkeypatch.setattr(duckdb, "connect", spy)
    return opened


def test_every_connection_a_load_a_check_and_a_description_open_carries_the_settings(settings, tmp_path, connections):
    custom = with_warehouse(settings, memory_limit="300MB", threads=1)
    drop = subjects_drop(tmp_path / "drop", 3)
    assert loading.load_drop(custom, drop).status == "ok"
    assert onboarding.check(custom, str(drop)).ok
    describe_source(EntitySource("subjects", "file", path=drop / "subjects.csv"), settings=custom)

    writable = [(db, config) for db, read_only, config in connections if not read_only]
    assert any(db.endswith(".duckdb") and "building" in db for db, _ in writable)  # the snapshot built
    assert any(db.endswith("check.duckdb") for db, _ in writable)
    assert any(db == ":memory:" for db, _ in writable)
    for db, config in writable:
        spill = Path(db).parent / "spill" if db.endswith("check.duckdb") else None  # the check spills in its own folder
        assert config == snapshots.load_config(custom, spill), db


def _contents(path: Path) -> dict[str, object]:
    """Row count and an order-free digest of every table's data columns (run ids and times of
    day, which differ between loads, left out)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        out = {}
        for table in tables:
            if table.startswith("meta_") or table.startswith("warnings_precomputed_dates"):
                continue
            columns = [
                r[0]
                for r in con.execute(
                    """SELECT column_name FROM duckdb_columns() WHERE table_name = $t
                    AND data_type NOT LIKE 'TIMESTAMP%' AND column_name NOT IN ('_run_id', 'run_id')
                    ORDER BY column_index""",
                    {"t": table},
                ).fetchall()
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            out[table] = con.execute(
                f"SELECT count(*), sum(hash({select})) FROM (SELECT {select} FROM {table})"
            ).fetchone()
        return out
    finally:
        con.close()


def test_a_load_under_a_tight_memory_limit_builds_the_same_warehouse(monkeypatch, tmp_path, tiny_drop):
    unlimited = with_warehouse(isolate(monkeypatch, tmp_path / "a"), memory_limit="", threads=0)
    first = loading.load_drop(unlimited, tiny_drop)
    tight = with_warehouse(isolate(monkeypatch, tmp_path / "b"), memory_limit="100MB", threads=1)
    second = loading.load_drop(tight, tiny_drop)

    assert first.status == second.status == "ok"
    assert first.rows_read == second.rows_read > 0
    a = _contents(snapshots.current_snapshot(unlimited).path)
    b = _contents(snapshots.current_snapshot(tight).path)
    assert a.keys() == b.keys() and "penalty_facts" in a and "warnings_precomputed" in a
    assert a == b


def test_the_load_log_names_each_stages_time_processor_time_and_memory(settings, tmp_path):
    ok = cli("load", str(subjects_drop(tmp_path / "drop", 2)))
    assert ok.returncode == 0, ok.stderr
    entity = next(line for line in ok.stderr.splitlines() if "subjects：读取 2 行" in line)
    marts = next(line for line in ok.stderr.splitlines() if "重建指标数据集市完成" in line)
    for line in (entity, marts):
        assert " 秒，处理器 " in line and "峰值 " in line and " GB" in line, line
    assert "最慢：" in marts
    assert any("预先计算" in line and "处理器" in line for line in ok.stderr.splitlines())
    assert any(line.startswith("[") and "已发布快照" in line and "装载共" in line for line in ok.stderr.splitlines())


def test_stage_cost_reads_the_clock_the_processor_and_memory():
    stage = meter.Stage()
    sum(i * i for i in range(200_000))  # some processor time
    cost = stage.cost()
    assert cost.seconds >= 0 and cost.cpu_seconds >= 0
    assert cost.peak >= (cost.resident or 0) > 0
    text = meter.StageCost(12.34, 20.06, 3 * 2**30, 4 * 2**30).text()
    assert text == "12.3 秒，处理器 20.1 秒，内存 3.0 GB，峰值 4.0 GB"
    assert meter.StageCost(1.0, 0.5, None, 2**30).text() == "1.0 秒，处理器 0.5 秒，峰值 1.0 GB"


def test_build_marts_returns_each_marts_seconds_in_build_order(settings):
    con = duckdb.connect()
    try:
        schema.create_warehouse(con)
        schema.load_reference(con)
        timings = schema.build_marts(con, settings)
    finally:
        con.close()
    assert [name for name, _ in timings] == [p.stem for p in schema.mart_files()]
    assert all(seconds >= 0 for _, seconds in timings)
