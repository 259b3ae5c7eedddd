"""The marts the 数据质量 and 分级分类 pages read (queries/marts/50_*.sql: rows per entity, records
whose USCC the registry does not know, the I03 problem records, P7 per department and day, the G1
distribution as changes by day). The query functions must give exactly what the full computation
over staging, facts and grade intervals gave before the marts existed — that SQL is kept here as
the reference — on hand-written warehouses, the pages' dataset, a loaded demo drop and an empty
warehouse, at every month-end of the data and the days around its changes, for every grouping and
for a department's scope. A snapshot built by a release without these marts is rebuilt with them."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from collections.abc import Callable, Iterator

import duckdb
import pandas as pd
import pytest
from loadkit import isolate
from pages_fixture import build_warehouse
from test_grading import graded  # noqa: F401 — fixture
from test_quality import con, quarantined  # noqa: F401 — fixtures

from dashboard.core import contract
from dashboard.core.dates import month_end
from dashboard.core.scope import Scope
from dashboard.core.settings import QUERIES_DIR, Settings
from dashboard.demo import generate as demo
from dashboard.load import loading
from dashboard.rules import credit_warnings, grading, indicators, quality
from dashboard.store import db, schema, snapshots
from tests.pg_kit import copy_table, pg_sql, plain_rows

D = dt.date
MARTS = {
    "50_grade_distribution_changes": "grade_distribution_changes",
    "50_quality_entity_rows": "entity_row_counts",
    "50_quality_orphan_records": "orphan_record_counts",
    "50_quality_p7_days": "p7_decision_days",
    "50_quality_uscc_problems": "uscc_problem_records",
}
SCOPES = (Scope.all(), Scope.of("market"), Scope.of("tax", "commerce"))

# --- the full computation, as the queries did it before the marts ------------------------------

_STAGED = "\nUNION ALL\n".join(
    f"""SELECT
    '{e.name}' AS entity,
    SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
    SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
    SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
    SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_{e.name}"""
    for e in contract.ENTITIES
)

_RECORDS = "\nUNION ALL\n".join(
    f"SELECT '{e.name}' AS entity, x.uscc FROM {e.name} AS x WHERE x.uscc IS NOT NULL"
    for e in contract.ENTITIES
    if e.name != "subjects" and "uscc" in e.column_names
)

FULL_COMPUTATION = {
    "quality_rows_per_entity": f"""
WITH staged AS (
{_STAGED}
),
quarantined AS (
    SELECT q.entity, COUNT(DISTINCT q.row_no) AS n_quarantined
    FROM quarantine AS q
    INNER JOIN latest_entity_loads AS l ON l.entity = q.entity AND l.run_id = q.run_id
    GROUP BY q.entity
)
SELECT
    s.entity,
    COALESCE(s.n_current, 0) AS n_current,
    COALESCE(s.n_flagged, 0) AS n_flagged,
    COALESCE(s.n_replaced, 0) AS n_replaced,
    COALESCE(s.n_retired, 0) AS n_retired,
    COALESCE(q.n_quarantined, 0) AS n_quarantined,
    s.last_loaded_at
FROM staged AS s
LEFT JOIN quarantined AS q ON q.entity = s.entity
""",
    "quality_orphan_records": f"""
WITH registry AS (SELECT DISTINCT uscc AS registry_uscc FROM subjects),
records AS (
{_RECORDS}
)
SELECT
    r.entity,
    COUNT(*) AS n_records,
    SUM(CASE WHEN g.registry_uscc IS NULL THEN 1 ELSE 0 END) AS n_orphans,
    COUNT(DISTINCT CASE WHEN g.registry_uscc IS NULL THEN r.uscc END) AS n_orphan_usccs
FROM records AS r
LEFT JOIN registry AS g ON g.registry_uscc = r.uscc
GROUP BY r.entity
""",
    "quality_uscc_problems": """
WITH names_per_uscc AS (
    SELECT uscc, COUNT(DISTINCT name) AS n_names FROM subject_facts GROUP BY uscc
),
problems AS (
    SELECT
        s.uscc,
        s.name,
        s.status,
        NOT s.is_uscc_valid AS is_wrong_code,
        n.n_names >= 2 AS is_duplicate_code,
        n.n_names AS n_names_on_uscc,
        SUBSTR(s.uscc, 1, 1) AS registering_authority_code
    FROM subject_facts AS s
    INNER JOIN names_per_uscc AS n ON n.uscc = s.uscc
    WHERE NOT s.is_uscc_valid OR n.n_names >= 2
)
SELECT
    p.uscc,
    p.name,
    p.status,
    p.is_wrong_code,
    p.is_duplicate_code,
    p.n_names_on_uscc,
    p.registering_authority_code,
    CASE p.registering_authority_code
        WHEN '1' THEN $department_for_1 WHEN '3' THEN $department_for_3 WHEN '9' THEN $department_for_9
    END AS department_code,
    dep.short_name AS department_name
FROM problems AS p
LEFT JOIN ref_departments AS dep ON dep.department_code = CASE p.registering_authority_code
    WHEN '1' THEN $department_for_1 WHEN '3' THEN $department_for_3 WHEN '9' THEN $department_for_9
END
ORDER BY department_code NULLS LAST, p.uscc, p.name
""",
    "quality_p7_excluded_by_department": """
WITH windowed AS (
    SELECT p.*, CASE WHEN p.department_code IS NULL THEN p.authority END AS unmapped_authority
    FROM penalty_facts AS p
    WHERE p.decision_date <= $as_of
      AND p.decision_date > CAST($as_of - $months * INTERVAL 1 MONTH AS DATE)
)
SELECT
    w.department_code,
    COALESCE(MAX(dep.short_name), w.unmapped_authority) AS department_name,
    COUNT(*) AS n_penalties,
    SUM(CASE WHEN w.procedure = '简易' THEN 1 ELSE 0 END) AS n_simple_procedure,
    SUM(CASE WHEN COALESCE(w.minor_first_offence, FALSE) THEN 1 ELSE 0 END) AS n_minor_first_offence,
    SUM(CASE WHEN w.is_excluded_p7 THEN 1 ELSE 0 END) AS n_excluded,
    SUM(CASE WHEN w.is_revoked THEN 1 ELSE 0 END) AS n_revoked,
    CAST(SUM(CASE WHEN w.is_excluded_p7 THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS excluded_share
FROM windowed AS w
LEFT JOIN ref_departments AS dep ON dep.department_code = w.department_code
GROUP BY w.department_code, w.unmapped_authority
ORDER BY n_excluded DESC, n_penalties DESC, department_name
""",
    "grade_distribution": """
WITH graded AS (
    SELECT uscc, department_code, grade
    FROM grade_intervals
    WHERE valid_from <= $as_of
      AND (valid_until IS NULL OR valid_until > $as_of)
      AND (registered_from IS NULL OR registered_from <= $as_of)
      AND (registered_until IS NULL OR registered_until > $as_of)
),
grouped AS (
    SELECT
        g.department_code,
        g.grade,
        CASE $by WHEN 'industry' THEN s.industry_code WHEN 'district' THEN s.district_code ELSE g.department_code END
            AS group_code
    FROM graded AS g
    LEFT JOIN indicator_subjects AS s ON s.uscc = g.uscc
    WHERE $by = 'department' OR g.department_code = s.supervising_department_code
),
named AS (
    SELECT
        g.group_code,
        CASE $by WHEN 'industry' THEN i.name WHEN 'district' THEN r.name ELSE d.short_name END AS group_name,
        g.grade,
        g.department_code
    FROM grouped AS g
    LEFT JOIN ref_industries AS i ON i.industry_code = g.group_code
    LEFT JOIN ref_districts AS r ON r.district_code = g.group_code
    LEFT JOIN ref_departments AS d ON d.department_code = g.group_code
)
SELECT group_code, group_name, grade, department_code, COUNT(*) AS n_subjects
FROM named
GROUP BY group_code, group_name, grade, department_code
""",
}


@contextlib.contextmanager
def full_computation() -> Iterator[None]:
    """run_query runs the reference SQL above instead of the mart-reading query files."""
    real = db.query_text
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(db, "query_text", lambda name, *a: FULL_COMPUTATION.get(name) or real(name, *a))
        yield


def same_as_full_computation(compute: Callable[[], pd.DataFrame], sort: list[str] | None = None) -> pd.DataFrame:
    """compute() on the marts equals compute() with the full computation: the same columns, dtypes
    and rows (in order, unless `sort` names the columns whose order the query does not fix)."""
    got = compute()
    with full_computation():
        expected = compute()
    if sort:
        got = got.sort_values(sort, kind="stable", na_position="first").reset_index(drop=True)
        expected = expected.sort_values(sort, kind="stable", na_position="first").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    return got


def as_of_dates(duck: duckdb.DuckDBPyConnection, limit: int = 24) -> list[dt.date]:
    """As-of dates to compare at: the days grades, registrations or penalty decisions change, the
    days before and after them, and the month-ends from a year before the data to a year after it —
    at most `limit` of them, evenly spread, with the first and last — and two leap-year month-ends."""
    days = sorted(
        {
            d
            for (d,) in duck.execute(
                """
                SELECT valid_from FROM grade_intervals UNION SELECT valid_until FROM grade_intervals
                UNION SELECT registered_from FROM grade_intervals UNION SELECT registered_until FROM grade_intervals
                UNION SELECT decision_date FROM penalty_facts
                """
            ).fetchall()
            if d is not None
        }
    )
    fixed = {D(2024, 2, 29), D(2025, 2, 28)}
    if not days:
        return sorted(fixed)
    candidates = {d + dt.timedelta(days=k) for d in days for k in (-1, 0, 1)}
    month = D(days[0].year - 1, days[0].month, 1)
    while month <= D(days[-1].year + 1, days[-1].month, 1):
        candidates.add(month_end(month))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    ordered = sorted(candidates)
    step = max(1, len(ordered) // limit)
    return sorted({*ordered[::step], ordered[-1], *fixed})


# --- the warehouses ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory) -> Iterator[tuple]:
    """A tiny seeded demo drop loaded through the loader into an isolated data folder (the live
    snapshot has every mart): (settings, path of that snapshot)."""
    tmp = tmp_path_factory.mktemp("page_marts_demo")
    with pytest.MonkeyPatch.context() as mp:
        settings = isolate(mp, tmp)
        drop = demo.generate_drop(tmp / "drop", scale="tiny", seed=42, as_of=D(2026, 11, 29))
        outcome = loading.load_drop(settings, drop)
        assert outcome.status == "ok", outcome.error
        yield settings, snapshots.current_snapshot(settings).path


@pytest.fixture(params=["hand_written", "grading", "pages", "empty", "demo"])
def warehouse_con(request, tmp_path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A warehouse with every mart built: test_quality's (with quarantined rows), test_grading's, the
    pages' dataset, an empty one (schema and reference data only) and the loaded demo drop."""
    if request.param == "hand_written":
        yield request.getfixturevalue("quarantined")
    elif request.param == "grading":
        yield request.getfixturevalue("graded")
    elif request.param == "pages":
        path = tmp_path / "pages.duckdb"
        build_warehouse(path)
        with contextlib.closing(duckdb.connect(str(path), read_only=True)) as c:
            yield c
    elif request.param == "empty":
        warehouse = request.getfixturevalue("warehouse")
        schema.build_marts(warehouse)
        yield warehouse
    else:
        _, path = request.getfixturevalue("demo_snapshot")
        with contextlib.closing(duckdb.connect(str(path), read_only=True)) as c:
            yield c


# --- the tests -----------------------------------------------------------------------------------


def test_the_data_quality_summaries_equal_the_full_computation(warehouse_con):
    duck = warehouse_con
    rows = same_as_full_computation(lambda: quality.rows_per_entity(duck))
    orphans = same_as_full_computation(lambda: quality.orphan_records(duck))
    problems = same_as_full_computation(lambda: quality.uscc_problems(duck))
    same_as_full_computation(lambda: quality.uscc_problems(duck, scope=Scope.of("tax")))
    assert list(rows["entity"]) == [e.name for e in contract.ENTITIES]
    assert len(orphans) == 12 and problems["uscc"].notna().all()


def test_p7_by_department_equals_the_full_computation_at_every_date_and_scope(warehouse_con):
    duck = warehouse_con
    dates = as_of_dates(duck)
    for as_of in dates:
        for months in (12, 1):
            for scope in SCOPES:
                same_as_full_computation(
                    lambda: quality.p7_excluded_by_department(duck, as_of, scope, months=months),
                    sort=["department_code", "department_name"],
                )
    assert len(dates) >= 2


def test_grade_distribution_equals_the_full_computation_at_every_date_grouping_and_scope(warehouse_con):
    duck = warehouse_con
    for as_of in as_of_dates(duck):
        for by in grading.GROUPINGS:
            for scope in SCOPES:
                same_as_full_computation(lambda: grading.grade_distribution(duck, as_of, scope, by=by))


def test_the_comparisons_see_real_data(demo_snapshot, quarantined):  # noqa: F811 — fixture
    """The warehouses compared have what the comparisons need to mean something: the demo drop 错码
    and 重码, P7 exclusions in several departments and grades changing on many days in every
    grouping; test_quality's records whose USCC the registry does not know."""
    assert quality.orphan_records(quarantined)["n_orphans"].sum() > 0
    _, path = demo_snapshot
    with contextlib.closing(duckdb.connect(str(path), read_only=True)) as duck:
        problems = quality.uscc_problems(duck)
        days, groupings, p7_departments = duck.execute(
            """
            SELECT (SELECT count(DISTINCT change_date) FROM grade_distribution_changes),
                   (SELECT count(DISTINCT grouped_by) FROM grade_distribution_changes),
                   (SELECT count(DISTINCT department_code) FROM p7_decision_days WHERE n_excluded > 0)
            """
        ).fetchall()[0]
    assert problems["is_wrong_code"].any() and problems["is_duplicate_code"].any()
    assert days >= 10 and groupings == 3 and p7_departments >= 3, (days, groupings, p7_departments)


def test_the_grade_distribution_is_a_sum_of_changes_up_to_t(graded):  # noqa: F811 — fixture
    """The mart's reading on test_grading's subjects: G3's public A stops counting for commerce on the
    day it was deregistered (2024-01-01), the day G4's own B starts; G1's public B stops counting
    for commerce the day commerce's own D starts (2024-03-01)."""

    def by_department(as_of):
        frame = grading.grade_distribution(graded, as_of, Scope.all())
        return sorted(zip(frame["group_code"], frame["grade"], frame["n_subjects"]))

    assert by_department(D(2023, 12, 31)) == [("commerce", "A", 1), ("commerce", "B", 1)]
    assert by_department(D(2024, 1, 1)) == [("commerce", "B", 2)]
    assert by_department(D(2024, 3, 1)) == [("commerce", "B", 1), ("commerce", "D", 1)]
    assert by_department(D(2020, 1, 1)) == []


def test_scope_filters_the_mart_rows_in_the_query_layer(graded):  # noqa: F811 — fixture
    market = grading.grade_distribution(graded, D(2024, 8, 31), Scope.of("market"))
    assert set(market["group_code"]) == {"market"} and market["n_subjects"].sum() == 2
    assert grading.grade_distribution(graded, D(2024, 8, 31), Scope.of("justice")).empty


def test_a_snapshot_built_without_these_marts_is_rebuilt_with_them(demo_snapshot, monkeypatch):
    """A release without the marts recorded another digest in its snapshots: the live snapshot is
    then not current, and a rebuild (what `serve` and the benchmarks run first) builds the marts,
    giving the figures of a snapshot loaded by this release."""
    settings, path = demo_snapshot
    ours = {p for p in schema.mart_files() if p.stem in MARTS}
    assert {p.stem for p in ours} == set(MARTS)
    # the digest a release without these mart files would have recorded
    every_mart = schema.mart_files()
    monkeypatch.setattr(schema, "mart_files", lambda queries_dir=None: [p for p in every_mart if p not in ours])
    credit_warnings._release_digest.cache_clear()
    indicators._release_digest.cache_clear()
    older_key = loading.derived_key(settings)
    monkeypatch.undo()
    credit_warnings._release_digest.cache_clear()
    indicators._release_digest.cache_clear()
    assert older_key != loading.derived_key(settings)

    snapshot_id = snapshots.new_snapshot_id("olderrelease")
    building = snapshots.paths(settings).building_path(snapshot_id)
    building.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, building)
    with contextlib.closing(duckdb.connect(str(building))) as duck:
        for table in MARTS.values():  # names of tables (module constants), which SQL cannot bind
            duck.execute(f"DROP TABLE {table}")
        duck.execute("UPDATE meta_derived SET derived_key = $key", {"key": older_key})
    snapshots.install(settings, building, snapshot_id)
    snapshots.publish(settings, snapshot_id)
    assert not loading.live_derived_tables_current(settings)

    outcome = loading.rebuild(settings, wait=True)
    assert outcome.status == "ok", outcome.error
    assert loading.live_derived_tables_current(settings)
    rebuilt = snapshots.current_snapshot(settings)
    assert rebuilt.snapshot_id not in (snapshot_id, path.stem)
    with (
        contextlib.closing(duckdb.connect(str(path), read_only=True)) as loaded,
        contextlib.closing(duckdb.connect(str(rebuilt.path), read_only=True)) as duck,
    ):
        for table in MARTS.values():
            # every row of the mart, in one order whatever order the engine stored them in
            assert sorted(duck.table(table).fetchall(), key=repr) == sorted(loaded.table(table).fetchall(), key=repr), (
                table
            )
        as_of = D(2026, 10, 31)
        pd.testing.assert_frame_equal(
            grading.grade_distribution(duck, as_of, Scope.all()), grading.grade_distribution(loaded, as_of, Scope.all())
        )


# the marts the page queries read, in build order, and the tables those marts read
PG_MARTS = (
    "10_latest_entity_loads",
    "10_subject_facts",
    "20_penalty_facts",
    "30_indicator_subjects",
    "40_grade_intervals",
    *MARTS,
)


@pytest.mark.postgres
def test_the_page_marts_and_queries_give_the_same_rows_on_postgresql(tmp_path, pg_cursor):
    path = tmp_path / "pages.duckdb"
    build_warehouse(path)
    with contextlib.closing(duckdb.connect(str(path), read_only=True)) as duck:
        sources = [
            *(e.name for e in contract.ENTITIES),
            *(f"stg_{e.name}" for e in contract.ENTITIES),
            *("ref_departments", "ref_department_names", "ref_department_usccs", "ref_districts", "ref_industries"),
            *("quarantine", "meta_entity_loads"),
        ]
        for name in sources:
            copy_table(duck, pg_cursor, name)
        marts = schema.mart_params(Settings.load(env={}))
        for mart in PG_MARTS:
            sql = (QUERIES_DIR / "marts" / f"{mart}.sql").read_text(encoding="utf-8")
            pg_cursor.execute(pg_sql(sql), db.bind(sql, marts))
        routing = {f"department_for_{k}": v for k, v in quality.REGISTERING_AUTHORITY_DEPARTMENTS.items()}
        cases = [
            ("quality_rows_per_entity", {}),
            ("quality_orphan_records", {}),
            ("quality_uscc_problems", routing),
            *(
                ("quality_p7_excluded_by_department", {"as_of": d, "months": 12})
                for d in (D(2026, 6, 30), D(2025, 2, 28))
            ),
            *(("grade_distribution", {"as_of": D(2026, 6, 30), "by": by}) for by in grading.GROUPINGS),
        ]
        compared = 0
        for query, params in cases:
            sql = db.query_text(query)
            expected = duck.execute(sql, db.bind(sql, params)).df()
            pg_cursor.execute(pg_sql(sql), db.bind(sql, params))
            got = pd.DataFrame(pg_cursor.fetchall(), columns=[c.name for c in pg_cursor.description])
            assert list(got.columns) == list(expected.columns), query
            assert plain_rows(got) == plain_rows(expected), f"{query} differs on PostgreSQL"
            compared += len(expected)
    assert compared >= 40
