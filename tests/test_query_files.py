"""The queries/ tree as dashboard.store.db reads it: one file per name whatever its folder, the rule →
file maps taken from the `-- rule:` headers, and the shared steps (`-- steps:`) put in front of the
files that read them; plus the guard that the shared steps stay written once."""

import datetime as dt
import re

import pytest

from dashboard.core.settings import QUERIES_DIR
from dashboard.rules import credit_warnings, indicators
from dashboard.store import db, schema

D = dt.date
FOLDERS = {"indicators", "warnings", "profile", "quality", "grading", "reference", "steps"}


def _write(root, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_every_query_file_has_one_name_in_a_known_folder():
    files = db.query_files()
    assert {q.folder for q in files.values()} == FOLDERS
    on_disk = [p for p in QUERIES_DIR.rglob("*.sql") if p.parent.name != db.MARTS_FOLDER]
    assert sorted(p.stem for p in on_disk) == sorted(files)
    assert not list(QUERIES_DIR.glob("*.sql")), "every query file lives in a subfolder"
    assert {p.parent for p in schema.mart_files()} == {QUERIES_DIR / db.MARTS_FOLDER}


def test_rule_maps_come_from_the_headers():
    assert credit_warnings.WARNING_QUERIES == {
        "W1": "warnings_w1_repeated_penalties",
        "W1b": "warnings_w1b_should_repair",
        "W1c": "warnings_w1c_campaign_lists",
        "W2": "warnings_w2_licence_expiry",
        "W3": "warnings_w3_evaluation_below_medium",
        "W4": "warnings_w4_government_executees",
        "W5": "warnings_w5_loan_default",
    }
    assert list(credit_warnings.WARNING_QUERIES) == list(credit_warnings.WARNING_TYPES)
    assert indicators.RULE_QUERIES["indicator_i04_disclosure"] == ("I04a", "I04b", "I04c")
    assert indicators.QUERY_OF["I15b"] == "indicator_i15_serious_dishonest"
    assert indicators.DETAIL_QUERIES["I04b"] == indicators.DETAIL_QUERIES["I04c"] == "indicator_i04_record_detail"
    # notes in parenthesis mark the other files of a rule: its detail list, its document, imported data
    assert db.rule_queries("warnings", "告知书") == {"W1b": "warnings_w1b_repair_notice"}
    assert "I00" not in indicators.QUERY_OF


def test_a_rule_named_by_two_files_is_an_error(tmp_path):
    header = "-- rule: W1\n-- returns: x\n-- parameters: none\n-- source: x\nSELECT 1 AS x\n"
    _write(tmp_path, "warnings/a.sql", header)
    _write(tmp_path, "warnings/b.sql", header)
    _write(tmp_path, "warnings/c.sql", header.replace("W1\n", "W1 (告知书)\n"))
    with pytest.raises(ValueError, match="rule W1 .* is in both a and b"):
        db.rule_queries("warnings", queries_dir=tmp_path)
    assert db.rule_queries("warnings", "告知书", queries_dir=tmp_path) == {"W1": "c"}


def test_one_name_in_two_folders_is_an_error(tmp_path):
    _write(tmp_path, "a/same.sql", "-- rule: none\nSELECT 1\n")
    _write(tmp_path, "b/same.sql", "-- rule: none\nSELECT 2\n")
    with pytest.raises(ValueError, match="two query files named same"):
        db.query_files(tmp_path)


def test_a_step_is_put_in_front_as_a_cte(tmp_path, warehouse):
    _write(tmp_path, "steps/numbers.sql", "-- rule: none\n-- returns: n\nSELECT 1 AS n UNION ALL SELECT $k AS n\n")
    _write(
        tmp_path,
        "x/with_ctes.sql",
        "-- rule: none\n-- steps: numbers (the step)\n"
        "WITH doubled AS (\n    SELECT n * 2 AS m FROM numbers\n)\n\n"
        "SELECT m FROM doubled ORDER BY m\n",
    )
    _write(tmp_path, "x/plain.sql", "-- rule: none\n-- steps: numbers\nSELECT SUM(n) AS total FROM numbers\n")
    text = db.query_text("with_ctes", tmp_path)
    assert text == (
        "-- rule: none\n-- steps: numbers (the step)\n"
        "WITH numbers AS (\n    SELECT 1 AS n UNION ALL SELECT $k AS n\n),\n\n"
        "doubled AS (\n    SELECT n * 2 AS m FROM numbers\n)\n\nSELECT m FROM doubled ORDER BY m\n"
    )
    assert db.run_sql(warehouse, text, {"k": 5})["m"].tolist() == [2, 10]
    plain = db.query_text("plain", tmp_path)
    assert db.run_sql(warehouse, plain, {"k": 5})["total"].tolist() == [6]


@pytest.mark.parametrize(
    "as_of, months, points",
    [
        (D(2024, 3, 15), 3, [D(2023, 12, 31), D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 15)]),
        (D(2024, 3, 31), 2, [D(2024, 2, 29), D(2024, 3, 31)]),  # T a month-end: counted once
        (D(2024, 3, 15), 0, [D(2024, 3, 15)]),  # no series: T alone
    ],
)
def test_series_points(warehouse, as_of, months, points):
    schema.build_marts(warehouse)
    sql = db.query_text("series_points") + "\nORDER BY as_of_date"
    frame = db.run_sql(warehouse, sql, {"as_of": as_of, "series_months": months})
    assert [d.date() for d in frame["as_of_date"]] == points


def _code(path) -> str:
    return re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))


def test_shared_steps_are_written_once():
    """CONVENTIONS 10: the month-end series, "in publicity and unrepaired at T" (P9, P11) and the
    latest load per entity each have one home (steps/series_points.sql, marts/10_calendar_months.sql,
    marts/25_penalty_publicity_spans.sql, marts/10_latest_entity_loads.sql)."""
    rule_files = [q.path for q in db.query_files().values() if q.folder != "steps"]
    for path in rule_files:
        code = _code(path)
        assert "ref_calendar" not in code or "workday" in code, f"{path.name}: month-ends come from series_points"
        assert not re.search(r"[<>]=?\s*[\w.]*publicity_end_date|publicity_end_date\s*[<>]", code), (
            f"{path.name}: P9/P11 at T come from penalty_publicity_spans"
        )
        assert "meta_entity_loads" not in code, f"{path.name}: the latest load comes from latest_entity_loads"
    readers = {q.name for q in db.query_files().values() if "series_points" in q.steps}
    assert readers == set(indicators.RULE_QUERIES)


def test_working_day_deadlines_come_from_deadline_days():
    """A deadline of N working days is a date with one home (steps/deadline_days.sql, the twin of
    dashboard.core.workdays.deadline_date): every file that takes a `$…_working_days` setting reads
    that step instead of comparing a working-day difference with N."""
    for query in db.query_files().values():
        code = _code(query.path)
        if re.search(r"\$\w*working_days\b", code):
            assert "deadline_days" in query.steps, f"{query.name}: the deadline comes from deadline_days"
            assert not re.search(r"<=?\s*\$\w*working_days\b", code), f"{query.name}: compares a count with N"
