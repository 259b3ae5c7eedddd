"""The onboarding view: per file of a load, which headers mapped to which field, which were not
recognised, which required fields were missing and why a data item failed — recorded by the load
(dashboard.load.onboarding), shown on 数据状态 in Chinese only (AppTest), and printed without loading
by `python -m dashboard check` (a dry run that writes nothing)."""

from __future__ import annotations

import re

import pytest
from loadkit import cli, isolate, uscc, write_csv
from streamlit.testing.v1 import AppTest

from dashboard.core.settings import PROJECT_DIR
from dashboard.load import loading, onboarding
from dashboard.rules import file_reports
from dashboard.store import runs
from dashboard.store.opstore import get_engine

PAGE = str(PROJECT_DIR / "pages" / "data_status.py")
SUBJECT_HEADERS = ["统一社会信用代码", "主体名称", "登记状态", "成立日期", "联系电话"]
PENALTY_HEADERS = ["行政处罚决定书文号", "行政相对人名称", "处罚日期", "处罚机关"]
MISSING = ["party_category", "uscc", "penalty_kinds", "decision_date", "authority_uscc"]
MISSING_LABELS = "行政相对人类别、统一社会信用代码、处罚类别、处罚决定日期、处罚机关统一社会信用代码"


@pytest.fixture
def settings(monkeypatch, tmp_path):
    return isolate(monkeypatch, tmp_path)


def onboarding_drop(folder):
    """Subjects that load (one row with an unreadable date is quarantined, one header is unknown),
    penalties whose export lacks five required columns and names the decision date its own way,
    and a file that is no data item."""
    write_csv(
        folder / "subjects.csv",
        SUBJECT_HEADERS,
        [
            (uscc(1), "鹤岗测试企业1有限公司", "存续", "2020-01-01", "0468-1234567"),
            (uscc(2), "鹤岗测试企业2有限公司", "存续", "2021-05-06", ""),
            (uscc(3), "鹤岗测试企业3有限公司", "存续", "2020-13-45", ""),
        ],
    )
    write_csv(
        folder / "penalties.csv",
        PENALTY_HEADERS,
        [("鹤税罚〔2024〕1号", "鹤岗测试企业1有限公司", "2024-01-02", "市税务局")],
    )
    (folder / "说明.txt").write_text("随数据报送的说明", encoding="utf-8")
    return folder


def expected_reports():
    return [
        runs.FileReport(
            file="subjects.csv",
            entity="subjects",
            status="ok",
            headers=[
                *zip(SUBJECT_HEADERS[:4], ["uscc", "name", "status", "established_date"], strict=True),
                ("联系电话", None),
            ],
            missing_optional=["district_code", "industry_code", "closed_date", "legal_rep", "approved_date", "reg_no"],
            rows_read=3,
            rows_accepted=2,
            rows_quarantined=1,
            quarantined={"bad_date": 1},
        ),
        runs.FileReport(
            file="penalties.csv",
            entity="penalties",
            status="failed",
            headers=[
                ("行政处罚决定书文号", "decision_no"),
                ("行政相对人名称", "party_name"),
                ("处罚日期", None),
                ("处罚机关", "authority"),
            ],
            missing_required=MISSING,
            suggestions={"处罚日期": "decision_date"},
            error=f"缺少必填列：{'、'.join(f'{label}（{name}）' for label, name in zip(MISSING_LABELS.split('、'), MISSING, strict=True))}",
        ),
        runs.FileReport(file="说明.txt", entity=None, status="ignored"),
    ]


def test_check_is_a_dry_run_that_reports_every_file(settings, tmp_path):
    drop = onboarding_drop(tmp_path / "drop")
    outcome = onboarding.check(settings, str(drop))
    got = outcome.reports
    want = expected_reports()
    assert [r.file for r in got] == [r.file for r in want]
    for g, w in zip(got, want, strict=True):
        assert (g.entity, g.status, g.headers, g.missing_required, g.suggestions) == (
            w.entity,
            w.status,
            w.headers,
            w.missing_required,
            w.suggestions,
        )
        assert (g.rows_read, g.rows_accepted, g.rows_quarantined, g.quarantined) == (
            w.rows_read,
            w.rows_accepted,
            w.rows_quarantined,
            w.quarantined,
        )
    assert got[1].error == want[1].error
    assert "district_code" in got[0].missing_optional and "reported_at" in got[1].missing_optional
    assert not outcome.ok
    # nothing written: no warehouse, no snapshot, no operational store
    assert not (tmp_path / "data").exists()


def test_a_load_records_what_check_said_and_the_page_shows_it_in_chinese(settings, tmp_path):
    drop = onboarding_drop(tmp_path / "drop")
    checked = onboarding.check(settings, str(drop)).reports
    outcome = loading.load_drop(settings, drop)
    assert outcome.status == runs.PARTIAL
    recorded = runs.file_reports(get_engine(settings), outcome.run_id)
    assert recorded == checked  # the dry run says exactly what the load records
    assert runs.latest_reported_load(get_engine(settings)).run_id == outcome.run_id

    at = AppTest.from_file(PAGE).run()
    assert not at.exception
    assert "文件与表头对照" in [s.value for s in at.subheader]
    summary = next(d.value for d in at.dataframe if list(d.value.columns) == file_reports.SUMMARY_COLUMNS)
    assert summary[
        ["文件", "数据项", "结果", "已对应的列", "未识别的列", "缺少的必填列", "读取行数", "接受", "隔离"]
    ].values.tolist() == [
        ["subjects.csv", "市场主体登记", "已装载", 4, "联系电话", "", 3, 2, 1],
        ["penalties.csv", "行政处罚", "装载失败", 3, "处罚日期", MISSING_LABELS, 0, 0, 0],
        ["说明.txt", "—", "未识别的文件（未装载）", 0, "", "", 0, 0, 0],
    ]
    assert [e.label for e in at.expander] == [
        "subjects.csv → 市场主体登记：已装载",
        "penalties.csv → 行政处罚：装载失败",
        "说明.txt：未识别的文件（未装载）",
    ]
    errors = [e.value for e in at.error]
    assert (
        f"缺少必填列：{MISSING_LABELS}。该数据项未装载。请在导出时保留这些列，或在数据源配置中指明文件中哪一列对应它们。"
        in errors
    )
    assert "该文件未对应任何数据项，未装载。请核对文件名，或在数据源配置中为其指定文件名规则。" in errors
    notes = [m.value for m in at.markdown]
    assert any("未识别的列" in n and "联系电话" in n for n in notes)
    assert any("“处罚日期”可能是“处罚决定日期”" in n for n in notes)
    assert any("日期无法识别 1 行" in n for n in notes)
    headers = next(
        d.value
        for d in at.dataframe
        if list(d.value.columns) == file_reports.HEADER_COLUMNS and "处罚日期" in set(d.value["文件中的表头"])
    )
    assert headers[["文件中的表头", "对应字段"]].values.tolist()[:4] == [
        ["行政处罚决定书文号", "行政处罚决定书文号"],
        ["行政相对人名称", "行政相对人名称"],
        ["处罚日期", ""],
        ["处罚机关", "处罚机关"],
    ]
    assert list(headers["说明"])[2] == "未识别（原样保留，不参与计算）；可能是“处罚决定日期”"
    assert list(headers.loc[headers["说明"] == "缺少的必填列", "对应字段"]) == MISSING_LABELS.split("、")
    # Chinese only: no canonical column or entity names, no codes (file names aside)
    shown = [*errors, *notes, *(e.label for e in at.expander), summary.to_csv(), headers.to_csv()]
    for text in shown:
        text = re.sub(r"subjects\.csv|penalties\.csv|说明\.txt", "", text)
        assert not re.search(r"[A-Za-z_]{3,}", text), text
    # the last-load table names the failure without canonical names too
    last_load = at.dataframe[0].value
    assert list(last_load["错误"]) == ["", f"缺少必填列：{MISSING_LABELS}"]


def test_check_command_prints_the_report_and_fails_when_an_item_would(settings, tmp_path):
    drop = onboarding_drop(tmp_path / "drop")
    done = cli("check", str(drop))
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "预检" in out and "不装载" in out
    assert "【penalties.csv】行政处罚：无法装载" in out
    assert f"缺少必填列：{MISSING_LABELS}" in out
    assert "“处罚日期”可能是“处罚决定日期”" in out
    assert "【subjects.csv】市场主体登记：可以装载" in out and "日期无法识别 1 行" in out
    assert "【说明.txt】未识别的文件（不会装载）" in out
    assert not (tmp_path / "data").exists()  # a dry run: no warehouse, no run record

    (drop / "penalties.csv").unlink()
    assert cli("check", str(drop)).returncode == 0
    missing = cli("check", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "既不是目录" in missing.stderr


def test_report_round_trip_and_chinese_error():
    report = expected_reports()[1]
    assert runs.FileReport.from_json(report.to_json()) == report
    assert report.unrecognised == ["处罚日期"]
    assert file_reports.error_text(report) == f"缺少必填列：{MISSING_LABELS}"
    assert file_reports.reason_label("duplicate_key") == "本批数据中关键字段重复"
