"""`python -m dashboard indicators`: every indicator at a date from the live snapshot, as JSON
(UTF-8, nothing else on stdout), CSV or a Chinese text table."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

from indicator_data import build, subject, uscc

from dashboard.__main__ import main
from dashboard.core import settings as settings_module
from dashboard.core.settings import PROJECT_DIR, Settings
from dashboard.store import snapshots


def _cli(data_dir, *args):
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(data_dir)}
    env.pop("DASHBOARD_SETTINGS", None)
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "indicators", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        timeout=120,
    )


def _publish(data_dir):
    settings = Settings.load(env={"DASHBOARD_DATA_DIR": str(data_dir)})
    snapshot_id = snapshots.new_snapshot_id("clitest")
    path = snapshots.paths(settings).snapshot_path(snapshot_id)
    path.parent.mkdir(parents=True)
    a, b = uscc("91", 1), uscc("91", 2)
    con = build(
        path,
        {
            "subjects": [subject(a, "甲公司"), subject(b, "乙公司")],
            "tax_credit": [dict(uscc=a, year=2023, grade="A"), dict(uscc=b, year=2023, grade="B")],
        },
    )
    con.close()
    snapshots.publish(settings, snapshot_id)


def test_json_csv_and_table(tmp_path):
    _publish(tmp_path)
    result = _cli(tmp_path, "--as-of", "2024-06-30")
    assert result.returncode == 0, result.stderr.decode()
    records = json.loads(result.stdout.decode("utf-8"))  # stdout holds the JSON and nothing else
    by_id = {r["id"]: r for r in records}
    assert len(records) == 21 and list(by_id)[0] == "I02a" and list(by_id)[-1] == "I19"
    i14 = by_id["I14"]
    assert {k: i14[k] for k in ("name", "value", "numerator", "denominator", "target", "status", "as_of")} == {
        "name": "A级纳税人占比",
        "value": 0.5,
        "numerator": 1,
        "denominator": 2,
        "target": 0.15,
        "status": "green",
        "as_of": "2024-06-30",
    }
    assert i14["responsible_departments"] == ["tax"]
    assert by_id["I04a"]["value"] is None and by_id["I04a"]["status"] == "none"
    assert "A级纳税人占比".encode() in result.stdout  # not \\u-escaped


def test_csv_and_table(tmp_path, monkeypatch, capsys):
    _publish(tmp_path)
    monkeypatch.setattr(settings_module, "_cached", Settings.load(env={"DASHBOARD_DATA_DIR": str(tmp_path)}))
    assert main(["indicators", "--as-of", "2024-06-30", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["indicator_id"] for r in rows][:2] == ["I02a", "I02b"]
    assert {r["indicator_id"]: r["status"] for r in rows}["I14"] == "green"
    assert main(["indicators", "--as-of", "2024-06-30", "--format", "table"]) == 0
    table = capsys.readouterr().out
    assert "城市信用监测指标（截至 2024-06-30）" in table and "50.0%" in table and "达标" in table


def test_without_a_snapshot_it_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(settings_module, "_cached", Settings.load(env={"DASHBOARD_DATA_DIR": str(tmp_path)}))
    assert main(["indicators", "--as-of", "2024-06-30"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "尚无已发布的数据快照" in captured.err
