"""演示模式 under AppTest on the fixed dataset: every view in the deck's order runs and shows the
figures of the query functions, the buttons advance (and wrap), ?present=1 opens it from any page,
and a department user cannot open it."""

from __future__ import annotations

import datetime as dt

from dashboard.app import presentation, ui
from dashboard.core.scope import Scope
from dashboard.rules import ranking
from tests.pages_fixture import MONTH, app, no_errors, texts


def _view(at) -> str:
    return next(k for k in presentation.VIEW_KEYS if f"present_{k}" in {c.key for c in at.get("flex_container")})


def test_every_view_in_the_decks_order(pages_env):
    seen = []
    for number, (key, title) in enumerate(presentation.VIEWS, start=1):
        at = app("office", page="present", params={"month": MONTH, "view": str(number)})
        no_errors(at)
        shown = texts(at)
        assert f"{number} / {len(presentation.VIEWS)}　{title}" in shown
        seen.append(key)
        if key == "indicators":
            frame = at.table[0].value
            assert list(frame.columns) == ["指标", "名称", "实际值", "目标", "状态", "较上月"]
            assert frame["指标"].tolist()[:3] == ["I02a", "I02b", "I02c"]
        if key == "named":
            expected = ranking.named_departments(pages_env.con, pages_env.engine, dt.date(2026, 6, 30), Scope.all())
            frame = at.table[0].value
            assert frame["责任单位"].tolist() == expected["department_name"].head(10).tolist()
    assert seen == list(presentation.VIEW_KEYS)


def test_buttons_advance_and_wrap(pages_env):
    at = app("office", page="present", params={"month": MONTH, "view": "6"})
    next(b for b in at.button if b.key == "present_next").click()
    at.run()
    no_errors(at)
    assert at.query_params["view"] in ("1", ["1"]) and "1 / 6　封面" in texts(at)
    next(b for b in at.button if b.key == "present_previous").click()
    at.run()
    assert at.query_params["view"] in ("6", ["6"])


def test_present_parameter_opens_it_and_a_department_cannot(pages_env):
    at = app("leader", page="cockpit", params={"month": MONTH, "present": "1"})
    no_errors(at)
    assert at.session_state[ui.CONTEXT_KEY].page.key == "present"
    dep = app("tax_user", page="warnings", params={"month": MONTH, "present": "1"})
    no_errors(dep)
    assert dep.session_state[ui.CONTEXT_KEY].page.key == "warnings"
