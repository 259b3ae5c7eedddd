"""The frame and the shared helpers: Chinese number formats, exports (headers, masking, formula
neutralisation), the chart style, the freshness badge, navigation by role, and the whole drill path
总览 tile → indicator → department → subject in one session."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from dashboard.access import auth, users
from dashboard.app import charts, exports, ui
from dashboard.core import dates
from dashboard.core import formatting as fmt
from dashboard.core.scope import Scope
from dashboard.rules import indicators
from dashboard.store import runs, snapshots
from tests.pages_fixture import (
    AS_OF,
    MONTH,
    NAMES,
    PERSON_ID,
    PERSON_NAME,
    S2,
    app,
    crumbs,
    no_errors,
    select_row,
    texts,
)

# ---- formatting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (1234, "1,234"),
        (12345, "1.23万"),
        (10000, "1万"),
        (123456789, "1.23亿"),
        (-25000, "-2.5万"),
        (None, "—"),
        (float("nan"), "—"),
        (0.5, "0.5"),
    ],
)
def test_counts_in_wan_and_yi(value, text):
    assert fmt.fmt_count(value) == text


def test_values_dates_and_months():
    assert fmt.fmt_pct(0.1534) == "15.3%"
    assert fmt.fmt_value(0.15, "pct") == "15.0%"
    assert fmt.fmt_value(3, "months") == "3个月"
    assert fmt.fmt_delta(0.012, "pct") == "+1.2个百分点"
    assert fmt.fmt_delta(-2, "count") == "-2"
    assert fmt.fmt_delta(None, "pct") is None
    assert fmt.fmt_delta(0.00001, "pct") == fmt.fmt_delta(0, "count") == "持平"
    assert ui.change_delta(0, "count", "higher")["delta_arrow"] == "off"
    assert ui.change_delta(-0.02, "pct", "lower") == {
        "delta": "-2.0个百分点",
        "delta_color": "inverse",
        "delta_description": "较上月",
    }
    assert fmt.fmt_wan_yuan(12.5) == "12.5万元"
    assert fmt.fmt_wan_yuan(25000) == "2.5亿元"
    assert fmt.fmt_month(dt.date(2024, 6, 30)) == "2024年6月"
    assert fmt.fmt_date_cn(dt.date(2024, 6, 3)) == "2024年6月3日"
    assert dates.add_months(dt.date(2022, 8, 31), -6) == dt.date(2022, 2, 28)
    assert dates.latest_complete_month(dt.date(2024, 7, 3)) == dt.date(2024, 6, 30)
    assert dates.latest_complete_month(dt.date(2024, 7, 1)) == dt.date(2024, 6, 30)
    assert dates.month_ends(dt.date(2024, 2, 10), 3) == [
        dt.date(2024, 2, 29),
        dt.date(2024, 1, 31),
        dt.date(2023, 12, 31),
    ]
    assert fmt.parse_month_param("2024-02") == dt.date(2024, 2, 29)
    assert fmt.parse_month_param("2024-13") is None


def test_default_month_is_bounded_by_build_time_and_data():
    built = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)  # 11:00 Beijing
    assert dates.default_month(built, dt.date(2026, 7, 2)) == dt.date(2026, 6, 30)
    assert dates.default_month(built, dt.date(2026, 6, 30)) == dt.date(2026, 6, 30)
    assert dates.default_month(built, None) == dt.date(2026, 10, 31)
    # built on the last evening of a month in Beijing: that month is not complete yet
    late = dt.datetime(2026, 10, 31, 15, 0, tzinfo=dt.UTC)  # 23:00 Beijing, Oct 31
    assert dates.default_month(late, None) == dt.date(2026, 9, 30)


# ---- exports ---------------------------------------------------------------------------------------

PEOPLE = pd.DataFrame(
    {
        "subject_name": [PERSON_NAME, "鹤岗市兴业煤炭有限公司"],
        "party_id_no": [PERSON_ID, None],
        "is_natural_person": [True, False],
        "note": ['=HYPERLINK("http://x")', "+1"],
        "value": [0.1534, 1.0],
        "decided": [dt.date(2026, 6, 1), dt.date(2026, 5, 2)],
    }
)
SPEC = {
    "subject_name": "主体名称",
    "party_id_no": "证件号码",
    "note": "说明",
    "value": ("比例", exports.PCT),
    "decided": ("决定日期", exports.DATE),
}


def test_shown_frame_masks_natural_persons_only():
    shown = exports.shown_frame(
        PEOPLE,
        SPEC,
        Scope.all(),
        personal={"subject_name": "name", "party_id_no": "id_no"},
        person_flag="is_natural_person",
    )
    assert list(shown.columns) == ["主体名称", "证件号码", "说明", "比例", "决定日期"]
    assert list(shown["主体名称"]) == ["张**", "鹤岗市兴业煤炭有限公司"]
    assert shown["证件号码"].iloc[0] == PERSON_ID[:6] + "*" * 8 + PERSON_ID[-4:]
    granted = exports.shown_frame(
        PEOPLE, SPEC, Scope.all(personal_data=True), personal={"subject_name": "name"}, person_flag="is_natural_person"
    )
    assert granted["主体名称"].iloc[0] == PERSON_NAME


def test_xlsx_has_chinese_headers_formats_and_no_formulas():
    shown = exports.shown_frame(
        PEOPLE,
        SPEC,
        Scope.all(),
        personal={"subject_name": "name", "party_id_no": "id_no"},
        person_flag="is_natural_person",
    )
    data = exports.xlsx_bytes(shown, exports.kinds_by_label(SPEC), sheet_name="名单")
    sheet = openpyxl.load_workbook(io.BytesIO(data))["名单"]
    assert [c.value for c in sheet[1]] == ["主体名称", "证件号码", "说明", "比例", "决定日期"]
    assert sheet["A2"].value == "张**"
    assert sheet["C2"].value == '\'=HYPERLINK("http://x")' and sheet["C2"].data_type == "s"
    assert sheet["C3"].value == "'+1"
    assert sheet["D2"].value == pytest.approx(0.1534) and sheet["D2"].number_format == "0.00%"
    assert PERSON_ID not in "".join(str(c.value) for row in sheet.iter_rows() for c in row)


def test_csv_is_utf8_bom_with_neutralised_cells():
    shown = exports.shown_frame(
        PEOPLE, SPEC, Scope.all(), personal={"subject_name": "name"}, person_flag="is_natural_person"
    )
    data = exports.csv_bytes(shown, exports.kinds_by_label(SPEC))
    assert data.startswith("\ufeff".encode("utf-8"))
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "主体名称,证件号码,说明,比例,决定日期"
    assert "'+1" in text and "15.34%" in text and "2026-06-01" in text
    assert ",=" not in text and "\n=" not in text


def test_download_bytes_are_built_once_and_reported():
    built = []
    download = exports.Download(
        key="test|once",
        table=lambda: pd.DataFrame({"名称": ["甲"]}),
        kinds={},
        on_build=lambda kind, n: built.append((kind, n)),
    )
    assert download.csv() == download.csv()
    assert built == [("csv", 1), ("csv", 1)]
    assert exports.file_stem("预警/清单", dt.date(2026, 6, 30)) == "预警清单_2026年6月"


def test_zoned_times_become_beijing_text():
    frame = pd.DataFrame({"started_at": pd.to_datetime(["2026-06-30 16:30:00"]).tz_localize("UTC")})
    shown = exports.shown_frame(frame, {"started_at": "开始时间"}, Scope.all())
    assert shown["开始时间"].iloc[0] == "2026-07-01 00:30:00"


# ---- charts -----------------------------------------------------------------------------------------


def test_indicator_chart_has_target_line_and_status_colours():
    series = pd.DataFrame(
        {
            "month_end": [dt.date(2026, 5, 31), dt.date(2026, 6, 30)],
            "value": [0.1, 0.16],
            "target": [0.15, 0.15],
            "status": ["red", "green"],
        }
    )
    fig = charts.indicator_trend(series, "pct")
    actual, target = fig.data
    assert list(actual.marker.color) == [charts.STATUS_COLOURS["red"], charts.STATUS_COLOURS["green"]]
    assert target.name == "目标值" and target.line.dash == "dash"
    assert fig.layout.xaxis.tickformat == "%Y年%-m月" and fig.layout.yaxis.tickformat == ".0%"
    bars = charts.breakdown_bar(
        pd.DataFrame(
            {"department_code": ["tax"], "department_name": ["市税务局"], "value": [0.5], "status": ["amber"]}
        ),
        "department_code",
        "department_name",
        "pct",
        1.0,
    )
    assert bars.layout.shapes[0].line.dash == "dash"  # the target
    assert bars.data[0].customdata[0][0] == "tax"
    assert charts.selected_key({"selection": {"points": [{"customdata": ["tax", "临界"]}]}}) == "tax"
    assert charts.target_text(0.15, "higher", "pct") == "≥ 15.0%"


# ---- frame ------------------------------------------------------------------------------------------


def test_stale_data_and_failed_load_are_flagged(pages_env):
    old = snapshots.new_snapshot_id("old", now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=80))
    building = snapshots.paths(pages_env.settings).building_path(old)
    building.write_bytes(pages_env.snapshot.path.read_bytes())
    snapshots.install(pages_env.settings, building, old)
    snapshots.publish(pages_env.settings, old)
    runs.start_run(pages_env.engine, "r1", "load", "demo")
    runs.finish_run(pages_env.engine, "r1", runs.FAILED, error="行政处罚文件无法读取")
    at = app("office", params={"month": MONTH})
    shown = texts(at)
    assert f"数据截至 {dates.local_time_text(snapshots.built_at(old))}" in shown
    assert "最近一次装载未成功：行政处罚文件无法读取。当前显示的是上一次成功装载的数据。" in shown
    assert "数据已 3天8小时 未更新（应每 36 小时内更新），请检查定时装载。" in shown


def test_fresh_data_shows_no_warning(pages_env):
    at = app("office", params={"month": MONTH})
    no_errors(at)
    assert not at.warning
    assert f"数据截至 {dates.local_time_text(pages_env.snapshot.built_at)}" in texts(at)


def test_navigation_offers_only_the_roles_pages(pages_env):
    def pages_of(username):
        return [p.key for p in ui.allowed_specs(auth.viewer_for(users.get_user(pages_env.engine, username)))]

    assert pages_of("leader") == ["cockpit", "indicators", "departments", "briefing", "present", "data_status"]
    assert pages_of("tax_user") == [
        "home",
        "indicators",
        "warnings",
        "feedback",
        "subject",
        "grading",
        "data_quality",
        "data_status",
    ]
    at = app("tax_user")  # no cockpit: the department's home opens, 截至今日
    no_errors(at)
    assert at.title[0].value == "本单位工作台"
    assert at.query_params["month"] == ui.TODAY


def test_month_outside_the_offered_range_falls_back(pages_env):
    at = app("office", params={"month": "2031-01"})
    assert at.query_params["month"] == MONTH
    assert "链接中的月份 2031-01 不在可选范围内，已显示 2026年6月。" in texts(at)


def test_drill_path_cockpit_indicator_department_subject(pages_env):
    """总览 › I14 › 市税务局 › 某公司, every step in the URL, and the list is the hand-worked one."""
    at = app("office", params={"month": MONTH})
    at.button(key="tile_I14").click().run()
    no_errors(at)
    assert at.query_params == {"month": MONTH, "indicator": "I14"}
    at.selectbox(key="_param_department").set_value("tax").run()
    no_errors(at)
    assert at.query_params == {"month": MONTH, "indicator": "I14", "department": "tax"}
    # the tax bureau's I14 list: the surviving enterprises that are not A taxpayers, S2 (B) first
    select_row(at, "detail_I14", 0)
    no_errors(at)
    assert at.query_params == {
        "month": MONTH,
        "subject": S2,
        "from": "indicators",
        "indicator": "I14",
        "department": "tax",
    }
    assert [c[0] for c in crumbs(at)] == ["总览", "I14", "市税务局"]
    assert f"**{NAMES[S2]}**" in texts(at)
    # and back: the I14 crumb links to the indicator page with its month
    assert crumbs(at)[1] == ("I14", "indicators", f"month={MONTH}&indicator=I14")


def test_before_the_first_load_pages_say_so(monkeypatch, tmp_path):
    from dashboard.app import app_data
    from dashboard.store import opstore
    from tests.access_kit import isolated_settings, make_user

    settings = isolated_settings(monkeypatch, tmp_path)
    make_user(opstore.get_engine(settings), "office", "office")
    at = app("office")
    no_errors(at)
    assert app_data.NO_DATA_MESSAGE in [i.value for i in at.info]
    status = app("office", page="data_status")
    no_errors(status)
    assert status.title[0].value == "数据状态"
    opstore.dispose_all()


def test_download_of_a_ready_frame():
    download = exports.Download(key="test|ready", frame=pd.DataFrame({"说明": ["@SUM(A1)"]}), kinds={})
    assert download.csv().decode("utf-8-sig").splitlines() == ["说明", "'@SUM(A1)"]


def test_warming_after_a_publish_fills_the_cockpit_cache(pages_env, monkeypatch):
    import functools

    ui.warm_views(pages_env.snapshot.snapshot_id, AS_OF)
    calls = []
    original = indicators.indicators_at

    @functools.wraps(original)
    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(indicators, "indicators_at", counted)
    at = app("leader", params={"month": MONTH})
    no_errors(at)
    assert calls == []  # both months came from the warm cache
    app("leader", params={"month": "2026-04"})
    assert len(calls) == 2  # another month is computed on demand


# ---- filters that stay -------------------------------------------------------------------------------


def _switch(at, page: str):
    """Open another page as the sidebar menu does: without any query parameter."""
    at.query_params = {}
    return at.switch_page(f"../../pages/{page}.py").run()


def test_month_and_district_survive_a_page_switch_without_parameters(pages_env):
    at = app("office", page="indicators", params={"month": "2026-04", "indicator": "I14", "district": "230402"})
    no_errors(at)
    _switch(at, "warnings")
    no_errors(at)
    assert at.title[0].value == "信用预警 · 2026年4月"
    assert at.query_params == {"month": "2026-04", "district": "230402"}
    _switch(at, "grading")
    no_errors(at)
    assert at.selectbox(key="_param_district").value == "230402"
    assert at.selectbox(key="_param_month").value == "2026-04"
    # a month chosen in the picker is the one that stays
    at.selectbox(key="_param_month").set_value("2026-05").run()
    at.selectbox(key="_param_district").set_value("").run()
    _switch(at, "indicators")
    assert at.query_params == {"month": "2026-05", "indicator": "I02a"}
    assert metric_label_months(at) == ["实际值（2026年5月）"]
    # a link naming its own month keeps it
    at.query_params = {"month": "2026-03"}
    at.switch_page("../../pages/warnings.py").run()
    assert at.title[0].value == "信用预警 · 2026年3月"


def metric_label_months(at) -> list[str]:
    return [m.label for m in at.metric if m.label.startswith("实际值")]


def test_today_stays_for_the_pages_that_offer_it(pages_env, monkeypatch):
    monkeypatch.setattr(ui, "today", lambda: dt.date(2026, 7, 3))
    at = app("tax_user")  # lands on its home, 截至今日
    no_errors(at)
    assert at.selectbox(key="_param_month").value == ui.TODAY
    _switch(at, "indicators")  # a monthly page shows the latest month and leaves 截至今日 in the URL
    no_errors(at)
    assert at.query_params["month"] == ui.TODAY
    assert at.selectbox(key="_param_month").value == MONTH
    assert "本页按月统计，显示最近一个完整月份；本单位工作台、信用预警仍显示截至今日。" in texts(at)
    _switch(at, "warnings")
    no_errors(at)
    assert at.title[0].value == "信用预警 · 截至今日（2026年7月3日）"
    # the office opens on the latest month; 截至今日 is one of the warnings page's choices
    office = app("office", page="warnings")
    assert office.query_params["month"] == MONTH
    assert office.selectbox(key="_param_month").options[:2] == ["截至今日（2026年7月3日）", "2026年6月"]
