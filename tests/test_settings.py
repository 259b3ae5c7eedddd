"""Settings are data and documented: every key of dashboard/settings.toml (and every environment
variable the package reads) is listed in README.md with its shipped default, and changing a
setting changes a result without touching SQL."""

from __future__ import annotations

import json
import re
import tomllib

import duckdb
import pytest
from indicator_data import D, build, penalty, subject, uscc

from dashboard.core.scope import Scope
from dashboard.core.settings import DEFAULT_SETTINGS_FILE, PACKAGE_DIR, PROJECT_DIR, Settings
from dashboard.load.ingest import EntitySource, ingest_entity
from dashboard.rules import indicators as ind
from dashboard.store import schema

DOC = PROJECT_DIR / "README.md"
T = D(2024, 6, 30)


def _flat_settings() -> dict[str, object]:
    raw = tomllib.loads(DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8"))
    flat = {}
    for section, values in raw.items():
        for key, value in values.items():
            flat[f"{section}.{key}"] = value
    return flat


def _settings_section() -> list[str]:
    """The lines of the README's settings section (up to the next top-level section)."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Settings and environment variables")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def _doc_rows() -> dict[str, list[str]]:
    rows = {}
    for line in _settings_section():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 2:
            rows[cells[0].strip("`")] = [c.strip("`") for c in cells[1:]]
    return rows


def _doc(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_every_setting_is_documented_with_its_default():
    docs = _doc_rows()
    flat = _flat_settings()
    missing, wrong = [], []
    for key, value in flat.items():
        if key.startswith("indicators."):
            continue
        if key not in docs:
            missing.append(key)
        elif docs[key][0] != _doc(value):
            wrong.append((key, docs[key][0], _doc(value)))
    assert not missing, f"settings not in README.md: {missing}"
    assert not wrong, f"documented defaults differ from settings.toml: {wrong}"
    documented = {k for k in docs if "." in k and not k.startswith("indicators.")}
    assert documented <= set(flat), f"documented but not settings: {sorted(documented - set(flat))}"


def test_every_indicator_target_is_documented():
    docs = _doc_rows()
    targets = tomllib.loads(DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8"))["indicators"]
    assert set(targets) == set(ind.indicator_catalogue(Settings.load(env={}))["indicator_id"])
    for indicator_id, values in targets.items():
        row = docs.get(f"indicators.{indicator_id}")
        assert row is not None, f"indicators.{indicator_id} not in README.md"
        assert row[:2] == [_doc(values["target"]), _doc(values["tolerance"])], indicator_id


def test_every_environment_variable_is_documented():
    used = set()
    for path in list(PACKAGE_DIR.rglob("*.py")) + list((PROJECT_DIR / "scripts").glob("*.sh")):
        used |= set(re.findall(r"DASHBOARD_[A-Z_]+", path.read_text(encoding="utf-8")))
    docs = _doc_rows()
    assert used and used <= set(docs), f"not documented: {sorted(used - set(docs))}"


# --- a changed setting changes the result ---------------------------------------------------


def _settings(tmp_path, *replacements: tuple[str, str]) -> Settings:
    text = DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return Settings.load(path, env={})


def _value(con, indicator_id, settings):
    row = ind.indicators_at(con, T, Scope.all(), settings=settings).set_index("indicator_id").loc[indicator_id]
    return row["numerator"], row["denominator"], row["status"]


def test_disclosure_working_days_changes_timeliness(tmp_path):
    e = uscc("91", 1)
    con = build(
        tmp_path / "w.duckdb",
        {
            "penalties": [
                # 8 working days (the 调休 Saturday 2024-05-11 included)
                penalty("P1", e, D(2024, 4, 30), reported=D(2024, 5, 14))
            ]
        },
    )
    default = Settings.load(env={})
    assert _value(con, "I04c", default) == (0, 1, "red")
    eight = _settings(tmp_path, ("disclosure_working_days = 7", "disclosure_working_days = 8"))
    assert _value(con, "I04c", eight) == (1, 1, "green")


def test_objection_working_days_change_i05(tmp_path):
    e = uscc("91", 1)
    con = build(
        tmp_path / "w.duckdb",
        {
            "objections": [
                dict(
                    objection_id="O1",
                    uscc=e,
                    department="市税务局",
                    received_date=D(2024, 4, 30),
                    answered_date=D(2024, 5, 11),
                )
            ]
        },
    )
    assert _value(con, "I05", Settings.load(env={}))[0] == 0
    six = _settings(tmp_path, ("objection_working_days = 5", "objection_working_days = 6"))
    assert _value(con, "I05", six)[0] == 1


def test_indicator_window_and_targets_change_results(tmp_path):
    e = uscc("91", 1)
    con = build(
        tmp_path / "w.duckdb",
        {
            "subjects": [subject(e, "甲")],
            "tax_credit": [dict(uscc=e, year=2023, grade="B")],
            "commitments": [
                dict(commitment_id="C1", uscc=e, kind="告知承诺", department="市商务局", signed_date=D(2023, 11, 1))
            ],
        },
    )
    default = Settings.load(env={})
    assert _value(con, "I08a", default)[::2] == (1, "green")
    short = _settings(tmp_path, ("indicator_months = 12", "indicator_months = 6"))
    assert _value(con, "I08a", short)[::2] == (0, "red")
    assert _value(con, "I14", default)[2] == "red"
    lenient = _settings(tmp_path, ("[indicators.I14]\ntarget = 0.15", "[indicators.I14]\ntarget = 0.0"))
    assert _value(con, "I14", lenient)[2] == "green"
    series = ind.indicator_series(
        con, "I14", T, Scope.all(), settings=_settings(tmp_path, ("trend_months = 24", "trend_months = 3"))
    )
    assert len(series) == 3


def test_government_keywords_change_i19(tmp_path):
    rows = {
        "executees": [
            dict(
                case_no="X1",
                party_name="鹤岗市某某站",
                court="鹤岗市中级人民法院",
                filed_date=D(2024, 1, 1),
                is_dishonest=True,
            )
        ]
    }
    default = Settings.load(env={})
    assert _value(build(tmp_path / "a.duckdb", rows, default), "I19", default)[0] == 1
    narrow = _settings(tmp_path, ('"院", "站", "场"]', '"院", "场"]'))
    assert _value(build(tmp_path / "b.duckdb", rows, narrow), "I19", narrow)[0] == 0
    excluded = _settings(tmp_path, ('name_exclusions = ["公司", "合作社"]', 'name_exclusions = ["某某"]'))
    assert _value(build(tmp_path / "c.duckdb", rows, excluded), "I19", excluded)[0] == 0


@pytest.mark.parametrize("indicator_id", ["I14", "I03"])
def test_catalogue_targets_come_from_settings(tmp_path, indicator_id):
    changed = _settings(
        tmp_path, (f"[indicators.{indicator_id}]\ntarget = ", f"[indicators.{indicator_id}]\ntarget = 0.5 #")
    )
    cat = ind.indicator_catalogue(changed).set_index("indicator_id")
    assert cat.loc[indicator_id, "target"] == 0.5


def test_notify_quiet_hours_change_when_reminders_go_out(tmp_path):
    import datetime as dt

    from dashboard.core.dates import DISPLAY_TZ
    from dashboard.notify import dispatch

    evening = dt.datetime(2026, 12, 9, 20, 30, tzinfo=DISPLAY_TZ)  # a working Wednesday
    default = Settings.load(env={})
    assert dispatch.next_allowed(evening, default.notify) == dt.datetime(2026, 12, 10, 8, 0, tzinfo=DISPLAY_TZ)
    later = _settings(tmp_path, ('quiet_start = "20:00"', 'quiet_start = "21:00"'))
    assert dispatch.next_allowed(evening, later.notify) == evening


def test_max_field_bytes_decides_which_rows_are_quarantined(tmp_path):
    """warehouse.max_field_bytes: a value longer than it quarantines its row (issue 11)."""
    path = tmp_path / "subjects.csv"
    path.write_text(
        f"uscc,name,status,established_date\n{uscc('91', 1)},{'长' * 40},存续,2020-01-01\n", encoding="utf-8"
    )
    source = EntitySource("subjects", "file", path=path, label=path.name)
    results = []
    for settings in (
        Settings.load(env={}),
        _settings(tmp_path, ("max_field_bytes = 1048576", "max_field_bytes = 100")),
    ):
        con = duckdb.connect()
        schema.create_warehouse(con)
        result = ingest_entity(con, source, "incremental", "r1", settings=settings)
        results.append((result.rows_accepted, result.rows_quarantined))
    assert results == [(1, 0), (0, 1)]
