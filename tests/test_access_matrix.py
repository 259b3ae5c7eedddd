"""Access is enforced in the query layer and tested by role: roles × pages × query functions over
the fixed page dataset (tests/pages_fixture.py) — department scopes get exactly their departments'
rows, leadership's scope (aggregates only) is refused every detail list and gets every aggregate —
URL tampering, scope-keyed caches, and an unauthenticated request."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest

from dashboard.access import audit, auth, users
from dashboard.app import ui
from dashboard.core.scope import DetailsRefused, Scope
from dashboard.core.settings import PROJECT_DIR
from dashboard.rules import (
    credit_warnings,
    feedback,
    followup,
    grading,
    indicators,
    profile,
    quality,
    ranking,
    warning_summary,
)
from dashboard.store import opstore
from tests.access_kit import make_user, texts_of
from tests.pages_fixture import APP_FILE, AS_OF, S1, app

FEEDBACK_LATE_DAY = dt.date(2026, 8, 1)  # past the due date of June's feedback

# Every query function that returns rows of departments: (name, call(con, engine, scope)).
QUERY_CALLS = {
    "indicators.indicator_by_department": lambda c, e, s: indicators.indicator_by_department(c, "I04a", AS_OF, s),
    "indicators.indicator_detail_rows[I04a]": lambda c, e, s: indicators.indicator_detail_rows(c, "I04a", AS_OF, s),
    "indicators.indicator_detail_rows[I12]": lambda c, e, s: indicators.indicator_detail_rows(c, "I12", AS_OF, s),
    "credit_warnings.warnings_at": lambda c, e, s: credit_warnings.warnings_at(c, AS_OF, s),
    "followup.warning_counts": lambda c, e, s: followup.warning_counts(c, e, AS_OF, s),
    "followup.warning_status": lambda c, e, s: followup.warning_status(c, e, AS_OF, s),
    "grading.grades_at": lambda c, e, s: grading.grades_at(c, AS_OF, s),
    "profile.subject_profile[penalties]": lambda c, e, s: profile.subject_profile(c, S1, AS_OF, s)["penalties"],
    "profile.subject_profile[grades]": lambda c, e, s: profile.subject_profile(c, S1, AS_OF, s)["grades"],
    "quality.p7_excluded_by_department": lambda c, e, s: quality.p7_excluded_by_department(c, AS_OF, s),
    "ranking.department_ranking": lambda c, e, s: ranking.department_ranking(c, e, AS_OF, s),
    # N1 judged after the feedback deadline (every owing department named for missing feedback)
    "ranking.named_departments": lambda c, e, s: ranking.named_departments(c, e, AS_OF, s, today=FEEDBACK_LATE_DAY),
    "feedback.feedback_board": lambda c, e, s: feedback.feedback_board(
        e, AS_OF, feedback.departments_owing(None), scope=s, today=FEEDBACK_LATE_DAY
    ),
}
SCOPES = {
    "tax": Scope.of("tax"),
    "market": Scope.of("market"),
    "tax+market": Scope.of("tax", "market"),
    "none": Scope.of(),
}


# Leadership: every department, aggregates only (roles.toml `details = false`).
LEADER = Scope.all(details=False)
# Every query function that returns subject-level rows (a detail list): (name, call(con, engine, scope)).
# Each is refused to leadership in the query layer, whatever page or download would ask.
DETAIL_CALLS = {
    "indicators.indicator_detail_rows[I04a]": QUERY_CALLS["indicators.indicator_detail_rows[I04a]"],
    "indicators.indicator_detail_rows[I12]": QUERY_CALLS["indicators.indicator_detail_rows[I12]"],
    "indicators.indicator_detail_rows[I14]": lambda c, e, s: indicators.indicator_detail_rows(c, "I14", AS_OF, s),
    "credit_warnings.warnings_at": QUERY_CALLS["credit_warnings.warnings_at"],
    "credit_warnings.warnings_at[tax]": lambda c, e, s: credit_warnings.warnings_at(c, AS_OF, s, department_code="tax"),
    "followup.warning_status": QUERY_CALLS["followup.warning_status"],
    "grading.grades_at": QUERY_CALLS["grading.grades_at"],
    "grading.grade_history": lambda c, e, s: grading.grade_history(c, S1, s),
    "grading.spotcheck_plan": lambda c, e, s: grading.spotcheck_plan(c, "market", AS_OF, 202606, s)[0],
    "profile.search_subjects": lambda c, e, s: profile.search_subjects(c, "鹤岗市", s),
    "profile.subject_profile[penalties]": QUERY_CALLS["profile.subject_profile[penalties]"],
    "profile.subject_profile[grades]": QUERY_CALLS["profile.subject_profile[grades]"],
    "profile.subject_profile[identity]": lambda c, e, s: profile.subject_profile(c, S1, AS_OF, s)["identity"],
    "quality.quarantine_rows": lambda c, e, s: quality.quarantine_rows(c, scope=s),
    "quality.uscc_problems": lambda c, e, s: quality.uscc_problems(c, scope=s),
}
# Every other query function of QUERY_CALLS returns aggregates (per department, type or month), and
# so do these: leadership gets exactly what the office gets.
AGGREGATE_CALLS = {
    **{name: call for name, call in QUERY_CALLS.items() if name not in DETAIL_CALLS},
    "indicators.indicators_at": lambda c, e, s: indicators.indicators_at(c, AS_OF, s),
    "indicators.indicator_by_district": lambda c, e, s: indicators.indicator_by_district(c, "I14", AS_OF, s),
    "indicators.city_scores": lambda c, e, s: indicators.city_scores(c, s, end_month=AS_OF, months=6),
    "grading.grade_distribution": lambda c, e, s: grading.grade_distribution(c, AS_OF, s),
    "warning_summary.warning_summary[counts]": lambda c, e, s: warning_summary.warning_summary(c, e, AS_OF, s).counts,
    "warning_summary.warning_summary[opened]": lambda c, e, s: warning_summary.warning_summary(c, e, AS_OF, s).opened,
}


@pytest.fixture(scope="module")
def query_env(tmp_path_factory, pages_template):
    """The fixed dataset's warehouse and an empty operational store, opened once for the query
    matrix (the query functions only read them)."""
    folder = tmp_path_factory.mktemp("matrix")
    con = duckdb.connect(str(pages_template), read_only=True)
    engine = create_engine(f"sqlite:///{folder / 'ops.sqlite'}")
    opstore.metadata.create_all(engine)
    whole = {name: call(con, engine, Scope.all()) for name, call in QUERY_CALLS.items()}
    yield SimpleNamespace(con=con, engine=engine, whole=whole)
    con.close()
    engine.dispose()


@pytest.mark.parametrize("scope_name", list(SCOPES))
@pytest.mark.parametrize("function", list(QUERY_CALLS))
def test_a_department_scope_gets_exactly_its_departments_rows(query_env, function, scope_name):
    call, scope = QUERY_CALLS[function], SCOPES[scope_name]
    whole = query_env.whole[function]
    scoped = call(query_env.con, query_env.engine, scope)
    assert "department_code" in scoped.columns
    assert set(scoped["department_code"]) <= scope.departments
    wanted = Counter(d for d in whole["department_code"] if d in scope.departments)
    assert Counter(scoped["department_code"]) == wanted
    if scope_name == "none":
        assert scoped.empty


@pytest.mark.parametrize("function", list(DETAIL_CALLS))
def test_leadership_is_refused_every_detail_list(query_env, function):
    call = DETAIL_CALLS[function]
    assert len(call(query_env.con, query_env.engine, Scope.all())) > 0  # the office gets rows
    with pytest.raises(DetailsRefused, match="^领导视图仅显示汇总数据，不能查看.+；明细清单由市信用办查看。$"):
        call(query_env.con, query_env.engine, LEADER)
    with pytest.raises(PermissionError):  # what a caller that knows no DetailsRefused catches
        call(query_env.con, query_env.engine, Scope.of("tax", details=False))


@pytest.mark.parametrize("function", list(AGGREGATE_CALLS))
def test_leadership_gets_every_aggregate_of_the_office(query_env, function):
    call = AGGREGATE_CALLS[function]
    office = call(query_env.con, query_env.engine, Scope.all())
    assert len(office) > 0
    pd.testing.assert_frame_equal(call(query_env.con, query_env.engine, LEADER), office)


def test_every_function_of_the_query_matrix_is_judged_for_leadership():
    # a new query function in QUERY_CALLS must be declared a detail list or an aggregate
    assert set(QUERY_CALLS) <= set(DETAIL_CALLS) | set(AGGREGATE_CALLS)


def test_only_the_rules_engine_reads_rows_for_aggregates():
    # pages and the app never widen leadership's scope: only the query layer does, for aggregates
    users_of = {
        str(path.relative_to(PROJECT_DIR))
        for folder in ("pages", "dashboard")
        for path in (PROJECT_DIR / folder).rglob("*.py")
        if re.search(r"\.for_aggregates\(", path.read_text(encoding="utf-8"))
    }
    assert {"dashboard/rules/followup.py", "dashboard/rules/warning_summary.py"} <= users_of
    assert all(p.startswith("dashboard/rules/") or p == "dashboard/core/scope.py" for p in users_of), users_of


def test_the_dataset_gives_every_query_rows_of_more_than_one_department(query_env):
    # Otherwise the matrix above would prove nothing.
    for function, whole in query_env.whole.items():
        if function.startswith("profile."):
            assert len(whole) >= 1, function
        else:
            assert len(set(whole["department_code"].dropna())) >= 2, function


ROLE_USERS = {"leader": "leader", "office": "office", "department": "tax_user", "admin": "admin1"}


def test_navigation_offers_each_role_exactly_its_pages(pages_env):
    make_user(pages_env.engine, "admin1", "admin")
    roles = users.load_roles()
    for role, username in ROLE_USERS.items():
        viewer = auth.viewer_for(users.get_user(pages_env.engine, username))
        offered = {spec.key for spec in ui.allowed_specs(viewer)}
        built = {spec.key for spec in ui.PAGES if spec.path.is_file()}
        assert offered == roles[role].pages & built, role


@pytest.mark.parametrize(
    "role, page, opens",
    [
        ("leader", "cockpit", True),
        ("leader", "warnings", False),
        ("leader", "admin", False),
        ("office", "warnings", True),
        ("office", "admin", False),
        ("department", "warnings", True),
        ("department", "home", True),
        ("office", "home", False),
        ("leader", "home", False),
        ("department", "cockpit", False),
        ("department", "departments", False),
        ("admin", "admin", True),
        ("admin", "indicators", False),
        ("department", "feedback", True),
        ("department", "briefing", False),
        ("department", "present", False),
        ("leader", "feedback", False),
        ("leader", "briefing", True),
        ("office", "feedback", True),
        ("office", "reminders", True),
        ("admin", "reminders", True),
        ("department", "reminders", False),
        ("leader", "reminders", False),
    ],
)
def test_a_page_outside_the_role_never_runs(pages_env, role, page, opens):
    make_user(pages_env.engine, "admin1", "admin")
    at = app(ROLE_USERS[role], page=page, params={"month": "2026-06"})
    assert not at.exception, [e.value for e in at.exception]
    ran = at.session_state[ui.CONTEXT_KEY].page.key
    assert (ran == page) is opens
    if not opens:
        assert ran in users.load_roles()[role].pages


def department_names_shown(at) -> set[str]:
    names = set(users.department_names().values())
    shown = set()
    for el in list(at.dataframe) + list(at.table):
        frame = el.value
        for column in frame.columns:
            shown |= {str(v) for v in frame[column].dropna()} & names
    return shown


def test_a_department_user_tampering_with_the_url_gets_nothing_of_another_department(pages_env):
    # the office run first fills the shared caches with every department's rows
    office = app("office", page="warnings", params={"month": "2026-06", "department": "market"})
    assert "市市场监管局" in department_names_shown(office)
    at = app("tax_user", page="warnings", params={"month": "2026-06", "department": "market"})
    assert not at.exception
    assert at.session_state[ui.CONTEXT_KEY].page.key == "warnings"
    assert department_names_shown(at) == {"市税务局"}
    assert any("无权查看以下部门的数据，已忽略：市市场监管局" in w.value for w in at.warning)
    assert at.query_params.get("department") in (None, [], "")
    denied = audit.search(pages_env.engine, user="tax_user", action="access_denied")
    assert [json.loads(d) for d in denied["detail"]] == [{"page": "warnings", "requested_departments": ["market"]}]


def test_a_department_url_inside_the_scope_is_kept(pages_env):
    at = app("tax_user", page="warnings", params={"month": "2026-06", "department": "tax"})
    assert department_names_shown(at) == {"市税务局"}
    assert audit.search(pages_env.engine, action="access_denied").empty


def test_cached_results_are_keyed_by_scope(pages_env):
    office, tax = app("office", page="warnings", params={"month": "2026-06"}), None
    assert len(department_names_shown(office)) > 1
    tax = app("tax_user", page="warnings", params={"month": "2026-06"})
    assert department_names_shown(tax) == {"市税务局"}
    assert Scope.of("tax").cache_key != Scope.all().cache_key != Scope.all(personal_data=True).cache_key
    assert Scope.all(details=False).cache_key != Scope.all().cache_key


def test_a_leader_after_the_office_gets_no_cached_list(pages_env):
    # the office run fills the shared caches with the I14 list; leadership's scope has keys of its own
    office = app("office", page="indicators", params={"month": "2026-06", "indicator": "I14"})
    assert not office.exception and any(el.value is not None and len(el.value) for el in office.dataframe)
    with pytest.raises(DetailsRefused):
        ui.cached_for(
            pages_env.snapshot.snapshot_id, LEADER, indicators.indicator_detail_rows, "I14", AS_OF, department_code=None
        )


def test_an_unauthenticated_request_sees_only_the_sign_in_page(pages_env):
    at = AppTest.from_file(str(APP_FILE), default_timeout=30)
    at.query_params.update({"month": "2026-06", "department": "tax"})
    at.switch_page("../../pages/warnings.py")
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.dataframe and not at.metric and ui.CONTEXT_KEY not in at.session_state
    assert not department_names_shown(at)
    shown = "\n".join(texts_of(at))
    assert "信用预警" not in shown and "市税务局" not in shown


def test_a_department_cannot_read_another_departments_feedback(pages_env):
    feedback.submit(pages_env.engine, "market", AS_OF, {"problems": "市场监管局的问题"}, "m1", Scope.of("market"))
    with pytest.raises(feedback.FeedbackAccessError):
        feedback.report_of(pages_env.engine, "market", AS_OF, Scope.of("tax"))
    with pytest.raises(feedback.FeedbackAccessError):
        feedback.history(pages_env.engine, "market", AS_OF, Scope.of("tax"))
    assert feedback.reports_of_month(pages_env.engine, AS_OF, Scope.of("tax")).empty
    # the page: a tampered URL is ignored, and the other department's text never shows
    at = app("tax_user", page="feedback", params={"month": "2026-06", "department": "market"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[ui.CONTEXT_KEY].page.key == "feedback"
    shown = "\n".join(texts_of(at)) + "".join(str(t.value) for t in at.text_area)
    assert "市场监管局的问题" not in shown and "市税务局" in shown
    assert not any(el.value is not None and "市市场监管局" in el.value.to_string() for el in at.dataframe)
