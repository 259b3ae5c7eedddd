"""Chinese everywhere (AppTest): every page at its own path (`/cockpit` …), the root URL on the
viewer's home page, an unknown path answered in Chinese on the home page with the frame's filters
kept (never Streamlit's English "Page not found"), and 数据状态 / 数据质量 naming sources, snapshots,
data items and quarantine reasons in words, the ids on hover for the administrator only.

A typed URL reaches Streamlit as a page *name* on the first run of a tab (later runs send a page
hash); `typed_url` makes AppTest's first run ask for a path the same way."""

from __future__ import annotations

import re
import tomllib

import pytest
from streamlit.commands import navigation as st_navigation
from streamlit.testing.v1 import local_script_runner

from dashboard.app import load_labels, table_toolbar, ui
from dashboard.core import contract, glossary
from dashboard.core.reasons import REASON_LABELS
from dashboard.core.settings import PROJECT_DIR
from dashboard.rules import indicators, quality
from dashboard.store import runs
from tests.access_kit import make_user
from tests.pages_fixture import MONTH, app, no_errors, table, texts

NOT_FOUND = "页面不存在"


@pytest.fixture
def typed_url(monkeypatch):
    """typed_url(path): the next AppTest's first run asks for `path` by name, as a browser does
    for a URL typed or pasted into a new tab. Records whether Streamlit's own English "Page not
    found" message was sent (`english_not_found`)."""
    original = local_script_runner.RerunData
    sent: list[object] = []
    monkeypatch.setattr(st_navigation, "send_page_not_found", lambda ctx: sent.append(ctx))

    def ask_for(path: str):
        def rerun_data(**kwargs):
            if not kwargs.get("page_script_hash"):
                kwargs["page_name"] = path
            return original(**kwargs)

        monkeypatch.setattr(local_script_runner, "RerunData", rerun_data)
        return sent

    return ask_for


def home_title(at) -> str:
    return at.title[0].value


# ---- paths -----------------------------------------------------------------------------------------


def test_root_opens_each_viewers_home_page(pages_env):
    office = app("office", params={"month": MONTH})
    no_errors(office)
    assert home_title(office).startswith("城市信用监测总览")
    department = app("tax_user", params={"month": MONTH})
    no_errors(department)
    home = ui.allowed_specs(department.session_state[ui.CONTEXT_KEY].viewer)[0]
    assert department.session_state[ui.CONTEXT_KEY].page == home
    assert home.key != "cockpit"  # a department may not open 总览: its own first page instead
    assert NOT_FOUND not in texts(office) + texts(department)


@pytest.mark.parametrize("spec", [p for p in ui.PAGES if p.key not in ("admin", "present")], ids=lambda p: p.key)
def test_every_page_key_is_a_working_path(pages_env, typed_url, spec):
    if not spec.path.is_file():
        pytest.skip(f"pages/{spec.file} is not part of this build")
    sent = typed_url(spec.url_path)
    user = "office" if "office" in _roles_of(spec) else "tax_user"
    at = app(user, params={"month": MONTH})
    no_errors(at)
    assert at.session_state[ui.CONTEXT_KEY].page == spec, f"/{spec.url_path} opened another page"
    assert NOT_FOUND not in texts(at)
    assert sent == []


def _roles_of(spec: ui.PageSpec) -> set[str]:
    roles = tomllib.loads((PROJECT_DIR / "dashboard" / "roles.toml").read_text(encoding="utf-8"))
    return {role for role, entry in roles.items() if spec.key in entry.get("pages", [])}


def test_cockpit_path_and_the_admin_path(pages_env, typed_url):
    make_user(pages_env.engine, "admin1", "admin")
    typed_url("cockpit")
    at = app("office", params={"month": MONTH})
    assert home_title(at).startswith("城市信用监测总览")
    typed_url("admin")
    admin = app("admin1")
    no_errors(admin)
    assert home_title(admin) == "系统管理"


def test_an_unknown_path_says_so_in_chinese_and_opens_home_with_the_filters(pages_env, typed_url):
    sent = typed_url("nonexistent")
    at = app("office", params={"month": "2026-04", "indicator": "I14"})
    no_errors(at)
    assert sent == [], "Streamlit's English 'Page not found' was sent"
    warnings = [w.value for w in at.warning]
    assert warnings[0] == "页面不存在：您打开的链接“/nonexistent”没有对应的页面，已为您打开首页“总览”。"
    assert home_title(at) == "城市信用监测总览 · 2026年4月"
    assert at.query_params["month"] == "2026-04"  # the frame's filter is kept …
    assert "indicator" not in at.query_params  # … a drill parameter of the unknown page is not
    at.run()
    assert NOT_FOUND not in texts(at)  # told once


def test_an_unknown_path_takes_a_department_to_its_own_home(pages_env, typed_url):
    sent = typed_url("cockpit-old")
    at = app("tax_user", params={"month": MONTH})
    no_errors(at)
    assert sent == []
    home = ui.allowed_specs(at.session_state[ui.CONTEXT_KEY].viewer)[0]
    assert at.session_state[ui.CONTEXT_KEY].page == home
    assert (
        at.warning[0].value == f"页面不存在：您打开的链接“/cockpit-old”没有对应的页面，已为您打开首页“{home.title}”。"
    )


def test_a_page_the_viewer_may_not_open_goes_home_without_a_not_found(pages_env, typed_url):
    typed_url("admin")
    at = app("office", params={"month": MONTH})
    no_errors(at)
    assert home_title(at).startswith("城市信用监测总览")
    assert NOT_FOUND not in texts(at)


def test_the_requested_path_is_known_by_name_only_on_a_first_run(pages_env, typed_url):
    """After the first run Streamlit asks by page hash: the unknown-path page is no longer
    registered and the run resolves normally (no second notice, no English dialog)."""
    sent = typed_url("nowhere")
    at = app("office", params={"month": MONTH})
    at.run()
    no_errors(at)
    assert sent == []
    assert NOT_FOUND not in texts(at)


# ---- the table toolbar -----------------------------------------------------------------------------


def test_the_tables_own_csv_export_is_switched_off():
    config = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


def test_the_toolbar_script_carries_every_word_in_chinese(pages_env):
    script = table_toolbar.script()
    for english, chinese in table_toolbar.WORDS.items():
        assert re.search(r"[\u4e00-\u9fff]", chinese) or chinese.startswith("下载"), english
        assert chinese in script
    at = app("office", params={"month": MONTH})
    html = [h for h in at.get("html")]
    assert any("dashboardTableWords" in h.proto.body for h in html)


# ---- labels ----------------------------------------------------------------------------------------


def test_data_status_names_sources_and_snapshots_in_words(pages_env, tmp_path):
    runs.start_run(pages_env.engine, "r-path", "load", str(tmp_path / "drops" / "incoming"))
    runs.finish_run(pages_env.engine, "r-path", runs.OK, snapshot_id=pages_env.snapshot.snapshot_id)
    at = app("office", page="data_status", params={"month": MONTH})
    no_errors(at)
    shown = texts(at)
    snapshot_id = pages_env.snapshot.snapshot_id
    assert snapshot_id not in shown and str(tmp_path) not in shown
    assert [m.value for m in at.metric if m.label == "来源"] == ["数据目录“incoming”"]
    history = at.dataframe[-1].value
    assert list(history.columns) == ["开始时间", "类型", "来源", "状态", "用时（秒）", "生成的数据快照", "说明"]
    assert history["来源"].iloc[0] == "数据目录“incoming”"
    assert history["生成的数据快照"].iloc[0] == load_labels.snapshot_text(snapshot_id)
    rows = at.dataframe[-2].value
    assert "实体" not in rows.columns and set(rows["数据项"]) == {e.label for e in contract.ENTITIES}
    assert not any(m.help for m in at.metric) and not at.subheader[0].help  # no ids on hover for the office


def test_data_status_shows_the_ids_on_hover_to_the_administrator(pages_env, tmp_path):
    make_user(pages_env.engine, "admin1", "admin")
    source = str(tmp_path / "drops" / "incoming")
    runs.start_run(pages_env.engine, "r-path", "load", source)
    runs.finish_run(pages_env.engine, "r-path", runs.OK, snapshot_id=pages_env.snapshot.snapshot_id)
    at = app("admin1", page="data_status")
    no_errors(at)
    snapshot_id = pages_env.snapshot.snapshot_id
    assert snapshot_id in at.subheader[0].help
    metric = next(m for m in at.metric if m.label == "来源")
    assert metric.value == "数据目录“incoming”" and source in metric.help and snapshot_id in metric.help
    history = at.dataframe[-1].value
    assert history["快照编号"].iloc[0] == snapshot_id and history["来源（配置）"].iloc[0] == source


def test_source_and_snapshot_words(pages_env):
    assert load_labels.source_text(str(pages_env.settings.demo_drop_dir)) == "演示数据"
    assert load_labels.source_text("platform_drop") == "数据源“platform_drop”"
    assert load_labels.source_text("/srv/credit/drops/incoming/") == "数据目录“incoming”"
    assert load_labels.source_text(None) == "—"
    assert load_labels.snapshot_text("20261129T023005.123Z-ab12cd34ef56") == "2026-11-29 10:30:05"
    assert load_labels.snapshot_text(None) == ""


def test_data_quality_shows_reasons_and_data_items_in_words(pages_env, tmp_path):
    runs.start_run(pages_env.engine, "r-path", "load", str(tmp_path / "drops" / "incoming"))
    runs.finish_run(pages_env.engine, "r-path", runs.OK, snapshot_id=pages_env.snapshot.snapshot_id)
    at = app("office", page="data_quality", params={"month": MONTH})
    no_errors(at)
    summary = table(at, "quarantine_summary")
    assert list(summary.columns) == ["数据项", "原因", "行数", "来源"]
    assert list(summary["原因"]) == ["日期无法识别"]
    assert list(table(at, "load_history")["来源"]) == ["数据目录“incoming”"]

    at = app("office", page="data_quality", params={"month": MONTH, "entity": "penalties", "reason": "bad_date"})
    no_errors(at)
    rows = table(at, "quarantine_penalties_bad_date")
    assert list(rows["数据项"]) == ["行政处罚"] and list(rows["原因"]) == ["日期无法识别"]
    shown = {str(v) for column in rows.columns for v in rows[column]}
    assert not shown & set(REASON_LABELS), "a raw reason code is on screen"
    assert not shown & {e.name for e in contract.ENTITIES}, "a raw data item name is on screen"


def test_every_quarantine_reason_and_data_item_has_words():
    for code in REASON_LABELS:
        assert re.search(r"[\u4e00-\u9fff]", quality.reason_label(code)), code
    assert {code for code, _ in load_labels.entity_labels()} == set(contract.ENTITY_BY_NAME)


def test_unmatched_departments_are_named_with_one_word():
    assert indicators.UNMAPPED_DEPARTMENT == glossary.UNMATCHED_DEPARTMENT == "未匹配部门"
