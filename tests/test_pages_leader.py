"""Leadership sees aggregates only (roles.toml `details = false`; 004 §(五)12 最小化原则): the role
gives an aggregates-only scope, and on every page a leader may open the drill stops at departments
with the reason on screen — no detail list, no download of one, no subject's name — while the
aggregates (breakdowns, the ranking, the follow-up counts) are there, with their downloads."""

from __future__ import annotations

import re

import pytest
from streamlit.delta_generator import DeltaGenerator

from dashboard.access import auth, users
from dashboard.app import ui
from dashboard.core.scope import AGGREGATES_ONLY
from tests.access_kit import make_user
from tests.pages_fixture import MONTH, NAMES, PERSON_NAME, app, metric, no_errors, select_row, table, texts

SUBJECT_NAMES = [*NAMES.values(), PERSON_NAME]


@pytest.fixture
def downloads(monkeypatch):
    """The file names of every download button a run draws."""
    drawn: list[str] = []
    original = DeltaGenerator.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        drawn.append(file_name or label)
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return drawn


def shown_everywhere(at) -> str:
    """Every text and every table cell of a run."""
    cells = [el.value.to_string() for el in list(at.dataframe) + list(at.table) if el.value is not None]
    return "\n".join([texts(at), *cells])


def test_the_roles_file_gives_leadership_aggregates_only(pages_env, tmp_path):
    roles = users.load_roles()
    assert {name: role.details for name, role in roles.items()} == {
        "leader": False,
        "office": True,
        "department": True,
        "admin": True,
    }
    leader = auth.viewer_for(users.get_user(pages_env.engine, "leader"))
    assert leader.scope.details is False and leader.scope.sees_all
    assert auth.viewer_for(users.get_user(pages_env.engine, "office")).scope.details is True
    # deny by default: a role without the key gets aggregates only
    text = users.ROLES_FILE.read_text(encoding="utf-8")
    bare = tmp_path / "roles.toml"
    bare.write_text(re.sub(r"(?m)^details = (true|false)\n", "", text), encoding="utf-8")
    assert not any(role.details for role in users.load_roles(bare).values())


@pytest.mark.parametrize("indicator", ["I12", "I14", "I04c", "I03"])
def test_the_indicator_drill_stops_with_the_reason_and_no_list(pages_env, downloads, indicator):
    at = app("leader", page="indicators", params={"month": MONTH, "indicator": indicator, "department": "tax"})
    no_errors(at)
    assert at.session_state[ui.CONTEXT_KEY].page.key == "indicators"
    assert AGGREGATES_ONLY in [i.value for i in at.info]
    with pytest.raises(KeyError):
        table(at, f"detail_{indicator}")
    assert not any("明细" in name for name in downloads), downloads
    assert not any(name in shown_everywhere(at) for name in SUBJECT_NAMES)


def test_the_breakdowns_and_their_downloads_stay(pages_env, downloads):
    at = app("leader", page="indicators", params={"month": MONTH, "indicator": "I12"})
    no_errors(at)
    assert list(table(at, "dep_table_I12")["责任单位"])  # the department breakdown, an aggregate
    assert any(name.startswith("I12按责任单位") for name in downloads), downloads


def test_the_office_still_gets_the_list(pages_env):
    at = app("office", page="indicators", params={"month": MONTH, "indicator": "I14", "department": "tax"})
    no_errors(at)
    assert len(table(at, "detail_I14")) > 0
    assert AGGREGATES_ONLY not in [i.value for i in at.info]


def test_departments_page_shows_aggregates_and_stops_at_the_department(pages_env, downloads):
    at = app("leader", page="departments", params={"month": MONTH, "department": "tax"})
    no_errors(at)
    # hand-checked (tests/test_pages_departments.py): W1 and W1b of S1, both overdue on 06-30
    assert metric(at, "预警中") == "2" and metric(at, "超期未处置") == "2"
    assert list(table(at, "ranking")["责任单位"])[:2] == ["市市场监管局", "市税务局"]
    assert AGGREGATES_ONLY in texts(at)  # instead of 点击一行查看该类预警清单
    assert not any(name in shown_everywhere(at) for name in SUBJECT_NAMES)
    select_row(at, "follow_tax", 0)  # a warning type leads nowhere for leadership
    no_errors(at)
    assert at.session_state[ui.CONTEXT_KEY].page.key == "departments"
    # an indicator row opens 监测指标 of the department, where the drill stops with the reason
    at = app("leader", page="departments", params={"month": MONTH, "department": "tax"})
    card = table(at, "card_tax")
    select_row(at, "card_tax", list(card["指标编号"]).index("I12"))
    no_errors(at)
    assert at.query_params == {"month": MONTH, "indicator": "I12", "department": "tax"}
    assert AGGREGATES_ONLY in [i.value for i in at.info]


def test_the_warnings_view_of_presentation_mode_is_aggregates(pages_env):
    at = app("leader", page="present", params={"month": MONTH, "view": "5"})
    no_errors(at)
    assert metric(at, "预警中") == "9" and metric(at, "超期未处置") == "9"


def test_a_leader_cannot_open_a_list_page_by_its_link(pages_env):
    for page, params in (("subject", {"q": "鹤岗市"}), ("warnings", {"type": "W1"}), ("grading", {})):
        at = app("leader", page=page, params={"month": MONTH, **params})
        no_errors(at)
        assert at.session_state[ui.CONTEXT_KEY].page.key == "cockpit"
        assert not any(name in shown_everywhere(at) for name in SUBJECT_NAMES)


def test_an_office_account_made_leader_loses_the_lists(pages_env):
    make_user(pages_env.engine, "wu", "office")
    assert auth.viewer_for(users.get_user(pages_env.engine, "wu")).scope.details
    users.set_role(pages_env.engine, "wu", "leader", "office")
    at = app("wu", page="indicators", params={"month": MONTH, "indicator": "I14"})
    no_errors(at)
    assert AGGREGATES_ONLY in [i.value for i in at.info]


def leader_visits() -> list[tuple[str, dict[str, str]]]:
    """Every page of the leader's role, every view of 演示模式, and the drill states a leader reaches."""
    visits: list[tuple[str, dict[str, str]]] = [
        (page, {}) for page in sorted(users.load_roles()["leader"].pages) if ui.PAGE_BY_KEY[page].path.is_file()
    ]
    visits += [("present", {"view": str(n)}) for n in range(1, 7)]
    visits += [("departments", {"department": "market"}), ("indicators", {"indicator": "I19"})]
    return visits


@pytest.mark.parametrize("page, params", leader_visits(), ids=lambda v: str(v))
def test_no_page_of_the_leader_shows_a_subject(pages_env, page, params):
    at = app("leader", page=page, params={"month": MONTH, **params})
    no_errors(at)
    assert at.session_state[ui.CONTEXT_KEY].page.key == page
    assert not any(name in shown_everywhere(at) for name in SUBJECT_NAMES)
