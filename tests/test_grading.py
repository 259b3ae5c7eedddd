"""Exact rows of grading (docs/rules.md G1, G3, G4 reading) and the spot-check draw."""

import datetime as dt
import hashlib
import math

import pandas as pd
import pytest

from dashboard.core.identifiers import make_uscc
from dashboard.core.scope import Scope
from dashboard.rules.grading import grade_distribution, grade_history, grades_at, spotcheck_plan
from dashboard.store import schema

D = dt.date
T = D(2024, 8, 31)
ALL = Scope.all()


def uscc(tag: str) -> str:
    return make_uscc("91", "230402", f"MA{tag:0>6}")


def subject(tag, industry, district="230402", **extra):
    return {
        **dict(
            uscc=uscc(tag),
            name=f"主体{tag}",
            status="存续",
            established_date=D(2020, 1, 1),
            industry_code=industry,
            district_code=district,
        ),
        **extra,
    }


def ev(tag, evaluator, day, grade, score=None):
    return dict(uscc=uscc(tag), evaluator=evaluator, eval_date=day, grade=grade, score=score)


@pytest.fixture
def graded(warehouse):
    schema.insert_current_rows(
        warehouse,
        "subjects",
        [
            subject("G1", "F"),  # supervised by commerce
            subject("G2", "H", district="230403"),  # supervised by market
            subject("G3", "F", status="注销", closed_date=D(2024, 1, 1)),
        ],
    )
    schema.insert_current_rows(
        warehouse,
        "evaluations",
        [
            ev("G1", "公共信用综合评价", D(2023, 6, 30), "B", 82.5),
            ev("G1", "公共信用综合评价", D(2024, 6, 30), "C", 70.0),
            ev("G1", "市商务局", D(2024, 3, 1), "D"),  # commerce's own evaluation …
            ev("G1", "市商务局", D(2024, 8, 1), "B"),  # … re-evaluated after a repair (G4 reading)
            ev("G1", "市场监管局", D(2024, 5, 1), "D"),  # market evaluates a subject it does not supervise
            ev("G1", "某行业协会", D(2024, 5, 1), "A"),  # an evaluator the reference data does not know
            ev("G2", "公共信用综合评价", D(2024, 6, 30), "E"),
            ev("G3", "公共信用综合评价", D(2023, 6, 30), "A"),  # deregistered before T
            ev("G4", "商务局", D(2024, 1, 1), "B"),  # not in the registry
        ],
    )
    schema.build_marts(warehouse)
    return warehouse


def plain_rows(frame):
    return [
        [
            None
            if v is None or (not isinstance(v, str) and pd.isna(v))
            else v.date()
            if isinstance(v, pd.Timestamp)
            else v
            for v in row
        ]
        for row in frame.values.tolist()
    ]


def test_g1_department_evaluation_else_public(graded):
    got = grades_at(graded, T, ALL)
    assert plain_rows(
        got[
            [
                "department_code",
                "uscc",
                "subject_name",
                "grade",
                "grade_source",
                "eval_date",
                "industry_code",
                "district_code",
            ]
        ]
    ) == [
        ["commerce", uscc("G1"), "主体G1", "B", "行业信用评价", D(2024, 8, 1), "F", "230402"],
        ["commerce", uscc("G4"), None, "B", "行业信用评价", D(2024, 1, 1), None, None],
        ["market", uscc("G1"), "主体G1", "D", "行业信用评价", D(2024, 5, 1), "F", "230402"],
        ["market", uscc("G2"), "主体G2", "E", "公共信用综合评价", D(2024, 6, 30), "H", "230403"],
    ]
    # before commerce's own evaluation, the public one grades G1 for commerce; market has none yet
    early = grades_at(graded, D(2024, 2, 1), ALL)
    assert plain_rows(early[["department_code", "uscc", "grade", "grade_source", "eval_date"]]) == [
        ["commerce", uscc("G1"), "B", "公共信用综合评价", D(2023, 6, 30)],
        ["commerce", uscc("G4"), "B", "行业信用评价", D(2024, 1, 1)],
    ]
    # G4 reading: the D stands until the re-evaluation after the repair replaces it
    assert grades_at(graded, D(2024, 7, 31), ALL, department_code="commerce", uscc=uscc("G1"))["grade"].tolist() == [
        "D"
    ]
    assert grades_at(graded, T, Scope.of("market"))["department_code"].unique().tolist() == ["market"]


def test_grade_distribution_by_department_industry_district(graded):
    def dist(by, scope=ALL):
        return grade_distribution(graded, T, scope, by=by).values.tolist()

    assert dist("department") == [
        ["commerce", "市商务局", "B", 2],
        ["market", "市市场监管局", "D", 1],
        ["market", "市市场监管局", "E", 1],
    ]
    # each subject once, graded by its supervising department
    assert dist("industry") == [["F", "批发和零售业", "B", 1], ["H", "住宿和餐饮业", "E", 1]]
    assert dist("district") == [["230402", "向阳区", "B", 1], ["230403", "工农区", "E", 1]]
    assert dist("industry", Scope.of("market")) == [["H", "住宿和餐饮业", "E", 1]]
    with pytest.raises(ValueError):
        grade_distribution(graded, T, ALL, by="grade")


def test_grade_history_public_for_all_own_by_scope(graded):
    assert grade_history(graded, uscc("G1"), ALL).values.tolist() == [
        ["commerce", "市商务局", D(2024, 8, 1), "B", None],
        [None, "公共信用综合评价", D(2024, 6, 30), "C", 70.0],
        ["market", "市场监管局", D(2024, 5, 1), "D", None],
        [None, "某行业协会", D(2024, 5, 1), "A", None],
        ["commerce", "市商务局", D(2024, 3, 1), "D", None],
        [None, "公共信用综合评价", D(2023, 6, 30), "B", 82.5],
    ]
    market = grade_history(graded, uscc("G1"), Scope.of("market"))
    assert market[["department_code", "evaluator", "eval_date", "grade"]].values.tolist() == [
        [None, "公共信用综合评价", D(2024, 6, 30), "C"],
        ["market", "市场监管局", D(2024, 5, 1), "D"],
        [None, "公共信用综合评价", D(2023, 6, 30), "B"],
    ]


# ---- G3 spot-check plan --------------------------------------------------------------------


@pytest.fixture
def market_subjects(warehouse):
    grades = ["A"] * 10 + ["B"] * 6 + ["C"] * 3 + ["E"]
    tags = [f"H{i:02d}" for i in range(len(grades))]
    schema.insert_current_rows(warehouse, "subjects", [subject(t, "H") for t in tags])
    schema.insert_current_rows(
        warehouse, "evaluations", [ev(t, "公共信用综合评价", D(2024, 6, 30), g) for t, g in zip(tags, grades)]
    )
    schema.build_marts(warehouse)
    return warehouse, dict(zip((uscc(t) for t in tags), grades))


def expected_draw(grade_of, seed, ratios):
    """The draw recomputed independently: per grade, ceil(ratio × n) by ascending MD5(seed|uscc)."""
    out = {}
    for grade in "ABCDE":
        members = sorted(
            (u for u, g in grade_of.items() if g == grade),
            key=lambda u: (hashlib.md5(f"{seed}|{u}".encode()).hexdigest(), u),
        )
        out[grade] = members[: math.ceil(round(ratios[grade] * len(members), 6))]
    return out


def test_spotcheck_plan_ratios_and_reproducible_draw(market_subjects):
    con, grade_of = market_subjects
    plan, drawn = spotcheck_plan(con, "market", T, 20240831, ALL)
    assert plan.values.tolist() == [
        ["A", 10, 0.05, 1],
        ["B", 6, 0.10, 1],
        ["C", 3, 0.20, 1],
        ["D", 0, 0.50, 0],
        ["E", 1, 1.00, 1],
    ]
    ratios = {"A": 0.05, "B": 0.10, "C": 0.20, "D": 0.50, "E": 1.00}
    want = expected_draw(grade_of, 20240831, ratios)
    assert {g: drawn.loc[drawn["grade"] == g, "uscc"].tolist() for g in "ABCDE"} == want
    assert drawn["draw_order"].tolist() == [1, 1, 1, 1]

    # same seed → same draw; the caller's ratios override, and 0.7 × 10 is 7, not 8
    again_plan, again = spotcheck_plan(con, "market", T, 20240831, ALL)
    assert again.equals(drawn) and again_plan.equals(plan)
    plan7, drawn7 = spotcheck_plan(con, "market", T, 7, ALL, ratios={"A": 0.7})
    assert plan7.loc[plan7["grade"] == "A", "n_drawn"].item() == 7
    assert drawn7.loc[drawn7["grade"] == "A", "uscc"].tolist() == expected_draw(grade_of, 7, {**ratios, "A": 0.7})["A"]
    # another seed draws another A (for these 10 subjects and these two seeds)
    assert expected_draw(grade_of, 1, ratios)["A"] != want["A"]
    assert (
        spotcheck_plan(con, "market", T, 1, ALL)[1].loc[lambda f: f["grade"] == "A", "uscc"].tolist()
        == expected_draw(grade_of, 1, ratios)["A"]
    )


def test_spotcheck_outside_scope_is_empty(market_subjects):
    con, _ = market_subjects
    plan, drawn = spotcheck_plan(con, "market", T, 1, Scope.of("tax"))
    assert drawn.empty and plan["n_subjects"].sum() == 0
