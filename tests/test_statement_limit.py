"""The statement time limit of the query runner (settings query.statement_seconds,
dashboard.store.db.run_sql): a runaway statement is interrupted and becomes QueryTimeLimit with its
Chinese message, the connection stays usable, and a load's derived tables are never cut."""

from __future__ import annotations

import dataclasses
import threading

import duckdb
import pytest
from loadkit import isolate, subjects_drop

from dashboard.core import settings as settings_module
from dashboard.core.scope import Scope
from dashboard.core.settings import Query
from dashboard.load import loading
from dashboard.rules import credit_warnings
from dashboard.store import db, runs

# A cross join of 10^18 rows: it never finishes on its own, so only the limit can end it.
RUNAWAY = "SELECT count(*) AS n FROM range(1000000000) a(i), range(1000000000) b(j) WHERE a.i + b.j = $never"
MESSAGE = "查询超过 0.2 秒仍未完成，已停止。请缩小统计范围或稍后重试；如反复出现请联系信用办管理员。"


@pytest.fixture
def cursor():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT i FROM range(10) r(i)")
    cur = con.cursor()  # as the app runs a page: a cursor of the shared read-only connection
    yield cur
    cur.close()
    con.close()


def _with_limit(monkeypatch, seconds: float) -> None:
    """settings query.statement_seconds = seconds, as the process-wide settings."""
    loaded = settings_module.get_settings()
    monkeypatch.setattr(settings_module, "_cached", dataclasses.replace(loaded, query=Query(statement_seconds=seconds)))


def test_a_runaway_statement_is_stopped_and_the_connection_is_reused(cursor):
    with db.statement_time_limit(0.2):
        with pytest.raises(db.QueryTimeLimit) as stopped:
            db.run_sql(cursor, RUNAWAY, {"never": -1})
        assert str(stopped.value) == MESSAGE
        assert stopped.value.seconds == 0.2 and stopped.value.query is None
        assert isinstance(stopped.value, duckdb.Error)  # handlers of database errors still see it
        # the same cursor runs the next statement, still under the limit
        assert db.run_sql(cursor, "SELECT sum(i) AS total FROM t")["total"].iloc[0] == 45
        with pytest.raises(db.QueryTimeLimit):  # … and is stopped again when it runs away again
            db.run_sql(cursor, RUNAWAY, {"never": -1})
    assert db.run_sql(cursor, "SELECT count(*) AS n FROM t")["n"].iloc[0] == 10


def test_run_query_names_its_file_in_the_stop(cursor, monkeypatch):
    monkeypatch.setattr(db, "query_text", lambda name: RUNAWAY)
    with db.statement_time_limit(0.2), pytest.raises(db.QueryTimeLimit) as stopped:
        db.run_query(cursor, "page_data_horizon", {"never": -1})
    assert stopped.value.query == "page_data_horizon"


def test_the_stop_of_one_cursor_leaves_the_others_alone(cursor):
    """A page's cursor interrupted at its limit; another session's cursor of the same connection
    keeps working (interrupt() stops only the statement of the connection it is called on)."""
    other = cursor.cursor()
    done = threading.Event()
    errors: list[BaseException] = []

    def another_session() -> None:
        try:
            while not done.is_set():
                assert db.run_sql(other, "SELECT count(*) AS n FROM range(1000)")["n"].iloc[0] == 1000
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    worker = threading.Thread(target=another_session)
    worker.start()
    try:
        with db.statement_time_limit(0.2), pytest.raises(db.QueryTimeLimit):
            db.run_sql(cursor, RUNAWAY, {"never": -1})
    finally:
        done.set()
        worker.join()
    assert errors == []
    other.close()


def test_an_interrupt_that_arrives_after_the_statement_harms_nothing(cursor):
    # the timer may fire between the statement's end and its cancellation
    cursor.interrupt()
    assert db.run_sql(cursor, "SELECT 1 AS one")["one"].iloc[0] == 1


def test_the_setting_decides_the_limit_and_zero_means_none(cursor, monkeypatch):
    _with_limit(monkeypatch, 0.2)
    assert db.time_limit_seconds() == 0.2
    with pytest.raises(db.QueryTimeLimit, match="查询超过 0.2 秒"):
        db.run_sql(cursor, RUNAWAY, {"never": -1})
    with db.statement_time_limit(0):
        assert db.time_limit_seconds() == 0
    assert db.time_limit_seconds() == 0.2  # the block's limit ends with the block

    _with_limit(monkeypatch, 0)
    assert db.time_limit_seconds() == 0

    def no_timer(*args, **kwargs):
        raise AssertionError("no limit: no timer")

    monkeypatch.setattr(db.threading, "Timer", no_timer)
    assert db.run_sql(cursor, "SELECT count(*) AS n FROM t")["n"].iloc[0] == 10


def test_the_shipped_limit_is_sixty_seconds():
    assert settings_module.Settings.load().query.statement_seconds == 60


def test_a_load_computes_its_derived_tables_without_the_limit(monkeypatch, tmp_path):
    """The marts and the precomputed warnings run long on purpose at province scale: the load
    runs them with no limit, whatever settings query.statement_seconds says."""
    settings = dataclasses.replace(isolate(monkeypatch, tmp_path), query=Query(statement_seconds=0.001))
    monkeypatch.setattr(settings_module, "_cached", settings)
    assert db.time_limit_seconds() == 0.001
    seen: list[float] = []
    precompute = credit_warnings.precompute

    def watched(*args, **kwargs):
        seen.append(db.time_limit_seconds())
        return precompute(*args, **kwargs)

    monkeypatch.setattr(credit_warnings, "precompute", watched)
    outcome = loading.load_drop(settings, subjects_drop(tmp_path / "drop", 5))
    assert outcome.status == runs.OK, outcome.error
    assert seen == [0]
    assert db.time_limit_seconds() == 0.001  # only the load's own block is without it


# --- several queries of one computation at once (dashboard.store.db.run_queries) -----------------


def test_run_queries_keeps_the_order_of_its_calls_on_any_number_of_workers(cursor, monkeypatch):
    texts = {f"q{i}": f"SELECT {i} AS n, count(*) AS rows FROM t WHERE i < $below" for i in range(5)}
    monkeypatch.setattr(db, "query_text", texts.__getitem__)
    calls = [db.QueryCall(name, {"below": 3}) for name in texts]
    for workers in (1, 2, 4):
        frames = db.run_queries(cursor, calls, workers=workers)
        assert [int(f["n"].iloc[0]) for f in frames] == [0, 1, 2, 3, 4]
        assert all(int(f["rows"].iloc[0]) == 3 for f in frames)


def test_run_queries_applies_the_scope_filter_of_each_call(cursor, monkeypatch):
    monkeypatch.setattr(db, "query_text", lambda name: "SELECT 'tax' AS department_code UNION ALL SELECT 'market'")
    tax_only = Scope.of("tax")
    frames = db.run_queries(
        cursor, [db.QueryCall("a", {}, tax_only, "department_code"), db.QueryCall("b", {})], workers=2
    )
    assert frames[0]["department_code"].tolist() == ["tax"]
    assert sorted(frames[1]["department_code"]) == ["market", "tax"]


def test_run_queries_runs_each_call_under_the_callers_time_limit(cursor, monkeypatch):
    texts = {"quick": "SELECT count(*) AS n FROM t", "runaway": RUNAWAY}
    monkeypatch.setattr(db, "query_text", texts.__getitem__)
    calls = [db.QueryCall("quick", {}), db.QueryCall("runaway", {"never": -1})]
    with db.statement_time_limit(0.2), pytest.raises(db.QueryTimeLimit) as stopped:
        db.run_queries(cursor, calls, workers=2)
    assert stopped.value.query == "runaway"
    # the connection and its other cursors go on
    assert db.run_queries(cursor, calls[:1] * 3, workers=2)[2]["n"].iloc[0] == 10
