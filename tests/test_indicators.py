"""City monitoring indicators (docs/rules.md §4) on tiny hand-written warehouses with exact expected
values, boundaries included: a record exactly N months before T is outside the window, a 调休
Saturday is a working day, I14 switches tax year on April 30."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from indicator_data import MARKET_AUTHORITY, TAX_AUTHORITY, D, broken, build, mixed_rows, penalty, subject, uscc

from dashboard.core.scope import Scope
from dashboard.core.settings import Settings
from dashboard.rules import indicators as ind

SETTINGS = Settings.load(env={})
ALL = Scope.all()
T = D(2024, 6, 30)


def at(con, indicator_id, as_of=T, scope=ALL):
    frame = ind.indicators_at(con, as_of, scope, settings=SETTINGS)
    return frame.set_index("indicator_id").loc[indicator_id]


def values(frame, columns):
    """Rows as lists, missing values as None (pandas shows them as NaN or NA)."""
    return [[None if pd.isna(v) else v for v in row] for row in frame[columns].values.tolist()]


def fraction(row):
    return (int(row["numerator"]), None if pd.isna(row["denominator"]) else int(row["denominator"]))


# --- catalogue and status ------------------------------------------------------------------


def test_catalogue_lists_every_rule_indicator_with_its_target():
    cat = ind.indicator_catalogue(SETTINGS)
    assert list(cat["indicator_id"]) == [
        "I02a",
        "I02b",
        "I02c",
        "I02d",
        "I02e",
        "I02f",
        "I03",
        "I04a",
        "I04b",
        "I04c",
        "I05",
        "I08a",
        "I08b",
        "I10a",
        "I10b",
        "I12",
        "I14",
        "I15a",
        "I15b",
        "I15c",
        "I19",
    ]
    assert set(cat["indicator_id"]) == set(ind.QUERY_OF) == set(ind.DETAIL_QUERIES)
    i14 = cat.set_index("indicator_id").loc["I14"]
    assert (i14["target"], i14["tolerance"], i14["direction"], i14["unit"]) == (0.15, 0.02, "higher", "pct")
    assert i14["responsible_departments"] == ["tax"]
    assert len(cat.set_index("indicator_id").loc["I10a", "responsible_departments"]) == 22
    assert set(cat["unit"]) <= {"pct", "count", "months"}
    assert set(cat["direction"]) <= {"higher", "lower"}


@pytest.mark.parametrize(
    "value, target, tolerance, direction, expected",
    [
        (0.15, 0.15, 0.02, "higher", "green"),
        (0.20, 0.15, 0.02, "higher", "green"),
        (0.13, 0.15, 0.02, "higher", "amber"),
        (0.129, 0.15, 0.02, "higher", "red"),
        (0.0, 0.0, 0.001, "lower", "green"),
        (0.001, 0.0, 0.001, "lower", "amber"),
        (0.0011, 0.0, 0.001, "lower", "red"),
        (1, 0, 0, "lower", "red"),
        (None, 0.15, 0.02, "higher", "none"),
        (math.nan, 0.15, 0.02, "higher", "none"),
    ],
)
def test_status_by_direction_and_tolerance(value, target, tolerance, direction, expected):
    assert ind.status_of(value, target, tolerance, direction) == expected


# --- I14 ----------------------------------------------------------------------------------

A, B, C, E_CLOSED, F_INDIVIDUAL, G = (
    uscc("91", 1),
    uscc("91", 2),
    uscc("91", 3),
    uscc("91", 4),
    uscc("92", 5),
    uscc("91", 6),
)


@pytest.fixture
def i14(tmp_path):
    return build(
        tmp_path / "w.duckdb",
        {
            "subjects": [
                subject(A, "甲公司"),
                subject(B, "乙公司"),
                subject(C, "丙公司", district="230403"),
                subject(E_CLOSED, "丁公司", status="注销", closed=D(2023, 1, 1)),
                subject(F_INDIVIDUAL, "戊商店"),
                # 重码: one USCC on two names is one surviving enterprise
                subject(G, "己公司"),
                subject(G, "己有限公司"),
            ],
            "tax_credit": [
                dict(uscc=B, year=2022, grade="A"),
                dict(uscc=C, year=2022, grade="A"),
                dict(uscc=A, year=2022, grade="B"),
                dict(uscc=A, year=2023, grade="A"),
                dict(uscc=B, year=2023, grade="B"),
                dict(uscc=E_CLOSED, year=2023, grade="A"),
                dict(uscc=F_INDIVIDUAL, year=2023, grade="A"),
            ],
        },
    )


def test_i14_uses_the_year_published_by_april_30(i14):
    # 2023 grades are published on 2024-04-30 (no published_date given): before, 2022 counts
    before = at(i14, "I14", D(2024, 4, 29))
    assert fraction(before) == (2, 4)
    assert before["value"] == pytest.approx(0.5)
    assert before["status"] == "green"
    after = at(i14, "I14", D(2024, 4, 30))
    assert fraction(after) == (1, 4)
    assert after["status"] == "green"


def test_i14_published_date_overrides_the_default(tmp_path):
    con = build(
        tmp_path / "w.duckdb",
        {
            "subjects": [subject(A, "甲公司"), subject(B, "乙公司")],
            "tax_credit": [
                dict(uscc=A, year=2022, grade="A"),
                dict(uscc=B, year=2023, grade="A", published_date=D(2024, 4, 10)),
                dict(uscc=A, year=2023, grade="B", published_date=D(2024, 4, 10)),
            ],
        },
    )
    assert fraction(at(con, "I14", D(2024, 4, 9))) == (1, 2)  # 2022: A
    assert fraction(at(con, "I14", D(2024, 4, 10))) == (1, 2)  # 2023: B
    detail = ind.indicator_detail_rows(con, "I14", D(2024, 4, 10), ALL, settings=SETTINGS)
    assert values(detail, ["uscc", "tax_year", "tax_grade", "department_code"]) == [[A, 2023, "B", "tax"]]


def test_i14_series_switches_in_april_and_breaks_down_by_district(i14):
    series = ind.indicator_series(i14, "I14", D(2024, 6, 1), ALL, months=4, settings=SETTINGS)
    assert list(series["month_end"]) == [D(2024, 3, 31), D(2024, 4, 30), D(2024, 5, 31), D(2024, 6, 30)]
    assert list(series["numerator"]) == [2, 1, 1, 1]
    assert list(series["denominator"]) == [4, 4, 4, 4]
    assert list(series["status"]) == ["green", "green", "green", "green"]
    by_district = ind.indicator_by_district(i14, "I14", D(2024, 4, 29), ALL, settings=SETTINGS)
    assert values(by_district, ["district_code", "district_name", "numerator", "denominator"]) == [
        ["230402", "向阳区", 1, 3],
        ["230403", "工农区", 1, 1],
    ]
    assert ind.indicator_by_department(i14, "I14", T, ALL, settings=SETTINGS).empty


def test_i14_detail_lists_surviving_enterprises_not_graded_a(i14):
    detail = ind.indicator_detail_rows(i14, "I14", T, ALL, settings=SETTINGS)
    assert values(detail, ["uscc", "tax_grade"]) == sorted([[B, "B"], [C, None], [G, None]])
    assert set(detail["department_code"]) == {"tax"}
    assert ind.indicator_detail_rows(i14, "I14", T, Scope.of("market"), settings=SETTINGS).empty
    only_c = ind.indicator_detail_rows(i14, "I14", T, ALL, district_code="230403", settings=SETTINGS)
    assert list(only_c["uscc"]) == [C]


# --- I03 ----------------------------------------------------------------------------------


def test_i03_counts_wrong_and_duplicated_codes_per_record_routed_by_authority(tmp_path):
    wrong_market = broken(uscc("91", 11))
    dup_market = uscc("93", 12)
    wrong_justice = broken(uscc("31", 13))
    con = build(
        tmp_path / "w.duckdb",
        {
            "subjects": [
                subject(uscc("91", 10), "正常公司"),
                subject(uscc("11", 14), "某机关"),
                subject(wrong_market, "错码公司"),
                subject(dup_market, "合作社甲"),
                subject(dup_market, "合作社乙", district="230403"),
                # wrong and duplicated at once: each record counts once
                subject(wrong_justice, "律所甲"),
                subject(wrong_justice, "律所乙", established=D(2024, 5, 1)),
            ]
        },
    )
    row = at(con, "I03")
    assert fraction(row) == (5, 7)
    assert row["status"] == "red"
    by_dep = ind.indicator_by_department(con, "I03", T, ALL, settings=SETTINGS)
    assert values(by_dep, ["department_code", "numerator", "denominator"]) == [
        ["justice", 2, 2],
        ["market", 3, 4],
        ["establishment", 0, 1],
    ]
    # before the second 律所 record existed, 律所甲 was only a wrong code
    series = ind.indicator_series(con, "I03", D(2024, 5, 1), ALL, months=2, settings=SETTINGS)
    assert list(zip(series["numerator"], series["denominator"])) == [(4, 6), (5, 7)]
    detail = ind.indicator_detail_rows(con, "I03", T, ALL, settings=SETTINGS)
    problems = dict(zip(detail["subject_name"], detail["problem"]))
    assert problems == {
        "错码公司": "错码",
        "合作社甲": "重码",
        "合作社乙": "重码",
        "律所甲": "错码、重码",
        "律所乙": "错码、重码",
    }
    justice = ind.indicator_detail_rows(con, "I03", T, Scope.of("justice"), settings=SETTINGS)
    assert sorted(justice["subject_name"]) == ["律所乙", "律所甲"]


# --- I04 ----------------------------------------------------------------------------------


@pytest.fixture
def i04(tmp_path):
    e = uscc("91", 20)
    return build(
        tmp_path / "w.duckdb",
        {
            "penalties": [
                # 2024-04-30 + 7 working days = 2024-05-13: May 1–5 holiday, Saturday May 11 a 调休 working day
                penalty("P1", e, D(2024, 4, 30), reported=D(2024, 5, 13)),
                penalty("P2", e, D(2024, 4, 30), reported=D(2024, 5, 14)),
                # exactly 12 months before T: outside the window
                penalty("P3", e, D(2023, 6, 30), reported=D(2023, 7, 3)),
                # the authority code fails P3: mapped by name, counted, not compliant
                penalty(
                    "P4",
                    e,
                    D(2023, 7, 1),
                    authority_uscc=broken(TAX_AUTHORITY),
                    authority="市税务局",
                    reported=D(2023, 7, 3),
                ),
                # simple procedure (P7): not public credit information
                penalty("P5", e, D(2024, 2, 1), procedure="简易"),
                # reported after T: not reported at T
                penalty("P6", e, D(2024, 6, 28), reported=D(2024, 7, 2)),
                penalty(
                    "M1",
                    e,
                    D(2024, 3, 1),
                    authority_uscc=MARKET_AUTHORITY,
                    authority="鹤岗市市场监督管理局",
                    reported=D(2024, 3, 5),
                    _flags="missing_field",
                ),
            ],
            "licenses": [
                dict(
                    license_no="L1",
                    party_name="许可主体",
                    uscc=e,
                    certificate="证",
                    decision_date=D(2024, 1, 10),
                    valid_from=D(2024, 1, 10),
                    valid_to=D(2027, 1, 9),
                    authority="市税务局",
                    authority_uscc=TAX_AUTHORITY,
                    status="有效",
                    reported_at=D(2024, 1, 12),
                )
            ],
            "disclosure_ledger": [
                dict(department="市税务局", month=D(2023, 6, 1), kind="处罚", decisions=5),
                dict(department="国家税务总局鹤岗市税务局", month=D(2024, 4, 1), kind="处罚", decisions=4),
                dict(department="tax", month=D(2024, 1, 1), kind="许可", decisions=1),
                dict(department="市场监管局", month=D(2024, 3, 1), kind="处罚", decisions=1),
            ],
        },
    )


def test_i04_city_rates_pool_departments(i04):
    assert fraction(at(i04, "I04a")) == (5, 6)
    assert fraction(at(i04, "I04b")) == (3, 5)
    assert fraction(at(i04, "I04c")) == (4, 5)
    assert at(i04, "I04a")["status"] == "red"


def test_i04_per_department_counts_a_tiaoxiu_saturday(i04):
    rows = {
        i: values(
            ind.indicator_by_department(i04, i, T, ALL, settings=SETTINGS),
            ["department_code", "numerator", "denominator"],
        )
        for i in ("I04a", "I04b", "I04c")
    }
    # weakest department first
    assert rows == {
        "I04a": [["tax", 4, 5], ["market", 1, 1]],
        "I04b": [["market", 0, 1], ["tax", 3, 4]],
        "I04c": [["tax", 3, 4], ["market", 1, 1]],
    }
    every = ind.indicators_by_department(i04, T, ALL, settings=SETTINGS)
    assert values(every[every["indicator_id"] == "I04b"], ["department_code", "numerator"]) == [
        ["market", 0],
        ["tax", 3],
    ]
    assert set(every["indicator_id"]) == {"I04a", "I04b", "I04c", "I10a", "I12"}  # the others have no data here
    names = ind.indicator_by_department(i04, "I04a", T, ALL, settings=SETTINGS)["department_name"].tolist()
    assert names == ["市税务局", "市市场监管局"]
    late = ind.indicator_detail_rows(i04, "I04c", T, ALL, department_code="tax", settings=SETTINGS)
    assert values(late, ["record_no", "working_days_to_report"]) == [["P2", 8]]
    on_time = ind.indicator_detail_rows(i04, "I04b", T, ALL, settings=SETTINGS)
    assert sorted(on_time["record_no"]) == ["M1", "P4"]


def test_i04_scope_and_per_month_values(i04):
    own = ind.indicator_by_department(i04, "I04a", T, Scope.of("market"), settings=SETTINGS)
    assert values(own, ["department_code", "numerator", "denominator"]) == [["market", 1, 1]]
    assert list(ind.indicator_detail_rows(i04, "I04b", T, Scope.of("market"), settings=SETTINGS)["record_no"]) == ["M1"]
    # one-month windows: January 2024 alone holds the licence and its ledger line
    monthly = ind.indicator_series(i04, "I04a", D(2024, 1, 31), ALL, months=2, window_months=1, settings=SETTINGS)
    assert values(monthly, ["month_end", "numerator", "denominator", "status"]) == [
        [D(2023, 12, 31), None, None, "none"],
        [D(2024, 1, 31), 1, 1, "green"],
    ]
    ledger = ind.indicator_detail_rows(i04, "I04a", T, ALL, department_code="tax", settings=SETTINGS)
    assert values(ledger, ["month", "ledger_decisions", "reported", "gap"]) == [
        [D(2023, 7, 1), 0, 1, -1],
        [D(2024, 1, 1), 1, 1, 0],
        [D(2024, 4, 1), 4, 2, 2],
    ]


DEADLINE_T = D(2025, 2, 28)
# (decision no, decided, reported): the 7th working day after the decision is the deadline
DEADLINE_REPORTS = [
    ("A1", D(2024, 12, 20), D(2024, 12, 20)),  # the decision day itself
    ("A2", D(2024, 12, 20), D(2024, 12, 31)),  # the deadline: 12-23 … 12-31 are working days 1–7
    ("A3", D(2024, 12, 20), D(2025, 1, 1)),  # New Year's Day after the deadline: late
    ("A4", D(2025, 1, 24), D(2025, 2, 8)),  # 01-26 (Sun) and 02-08 (Sat) are 调休 working days: 6th
    ("A5", D(2025, 1, 24), D(2025, 2, 9)),  # a Sunday before the deadline 2025-02-10
    ("A6", D(2025, 1, 24), D(2025, 2, 11)),  # the day after the deadline
    ("A7", D(2025, 1, 1), D(2025, 1, 10)),  # decided on a holiday: 01-02 … 01-10 are days 1–7
    ("A8", D(2025, 1, 1), D(2025, 1, 11)),  # the Saturday after that deadline: late
]
# (objection id, received, answered, concerns grading): 5 working days, 7 for a grading objection
DEADLINE_ANSWERS = [
    ("B1", D(2024, 12, 24), D(2024, 12, 31), False),  # the deadline: 12-25 … 12-31 are days 1–5
    ("B2", D(2024, 12, 24), D(2025, 1, 1), False),  # New Year's Day after the deadline: late
    ("B3", D(2024, 12, 24), D(2025, 1, 3), True),  # grading: 7th working day
    ("B4", D(2024, 12, 24), D(2025, 1, 4), True),  # grading: the Saturday after its deadline
    ("B5", D(2025, 1, 4), D(2025, 1, 4), False),  # received and answered on a Saturday
    ("B6", D(2025, 2, 5), D(2025, 2, 8), False),  # 调休 Saturday, the 3rd working day
    ("B7", D(2025, 2, 5), D(2025, 2, 12), False),  # the day after the deadline 2025-02-11
]


def deadline_warehouse(path):
    """The reports and answers of DEADLINE_REPORTS and DEADLINE_ANSWERS (I04c, I05 boundaries)."""
    e = uscc("91", 21)
    return build(
        path,
        {
            "subjects": [subject(e, "异议公司")],
            "penalties": [penalty(no, e, d, reported=r) for no, d, r in DEADLINE_REPORTS],
            "objections": [
                dict(
                    objection_id=no,
                    uscc=e,
                    department="市场监管局",
                    received_date=received,
                    answered_date=answered,
                    concerns_grading=grading,
                )
                for no, received, answered, grading in DEADLINE_ANSWERS
            ],
        },
    )


def test_i04c_deadline_is_a_date_a_report_after_it_on_a_holiday_is_late(tmp_path):
    """The 7th working day after the decision is the deadline (docs/rules.md conventions): the
    decision day itself, the exact deadline day, a 调休 Saturday and a Sunday before the deadline are
    in time; New Year's Day and a Saturday right after the deadline are late, though no working day
    passed in between."""
    con = deadline_warehouse(tmp_path / "w.duckdb")
    assert fraction(at(con, "I04c", as_of=DEADLINE_T)) == (5, 8)
    late = ind.indicator_detail_rows(con, "I04c", DEADLINE_T, ALL, settings=SETTINGS)
    assert values(late, ["record_no", "reported_at", "report_deadline_date", "working_days_to_report"]) == [
        ["A3", D(2025, 1, 1), D(2024, 12, 31), 7],
        ["A8", D(2025, 1, 11), D(2025, 1, 10), 7],
        ["A6", D(2025, 2, 11), D(2025, 2, 10), 8],
    ]
    assert set(late["is_timely"]) == {False}


# --- I05 ----------------------------------------------------------------------------------


def test_i05_objections_answered_within_working_days(tmp_path):
    e = uscc("91", 30)
    rows = [
        dict(objection_id="O1", received_date=D(2024, 4, 30), answered_date=D(2024, 5, 10)),  # 5th working day
        dict(objection_id="O2", received_date=D(2024, 4, 30), answered_date=D(2024, 5, 11)),  # 调休 Saturday: 6th
        dict(objection_id="O3", received_date=D(2024, 4, 30), answered_date=D(2024, 5, 13), concerns_grading=True),
        dict(objection_id="O4", received_date=D(2024, 6, 28)),  # not answered yet
        dict(objection_id="O5", received_date=D(2023, 6, 30), answered_date=D(2023, 7, 3)),  # outside the window
        dict(objection_id="O6", received_date=D(2024, 6, 27), answered_date=D(2024, 7, 1)),  # answered after T
    ]
    con = build(
        tmp_path / "w.duckdb",
        {
            "subjects": [subject(e, "异议公司")],
            "objections": [dict(uscc=e, department="市场监管局", **r) for r in rows],
        },
    )
    row = at(con, "I05")
    assert fraction(row) == (2, 5)
    assert row["status"] == "red"
    detail = ind.indicator_detail_rows(con, "I05", T, ALL, settings=SETTINGS)
    assert values(detail, ["objection_id", "working_days_to_answer", "allowed_working_days"]) == [
        ["O2", 6, 5],
        ["O6", None, 5],
        ["O4", None, 5],
    ]
    assert set(detail["subject_name"]) == {"异议公司"}
    assert ind.indicator_by_department(con, "I05", T, ALL, settings=SETTINGS)["department_code"].tolist() == ["market"]


def test_i05_deadline_is_a_date_an_answer_after_it_on_a_holiday_is_late(tmp_path):
    """5 working days (7 for an objection to a credit evaluation) after the day of receipt is the
    deadline: the answer on the deadline, on the day of receipt or on a 调休 Saturday is in time; on
    New Year's Day or a Saturday right after the deadline it is late."""
    con = deadline_warehouse(tmp_path / "w.duckdb")
    assert fraction(at(con, "I05", as_of=DEADLINE_T)) == (4, 7)
    late = ind.indicator_detail_rows(con, "I05", DEADLINE_T, ALL, settings=SETTINGS)
    assert values(late, ["objection_id", "answer_deadline_date", "working_days_to_answer", "allowed_working_days"]) == [
        ["B2", D(2024, 12, 31), 5, 5],
        ["B4", D(2025, 1, 3), 7, 7],
        ["B7", D(2025, 2, 11), 6, 5],
    ]


# --- I08 ----------------------------------------------------------------------------------


def test_i08_commitments_signed_and_fulfilment(tmp_path):
    e = uscc("91", 40)
    rows = [
        ("C1", D(2024, 1, 1), D(2024, 3, 1), "履约"),
        ("C2", D(2023, 6, 30), D(2024, 1, 1), "未履约"),  # signed exactly 12 months before T
        ("C3", D(2024, 2, 1), D(2024, 12, 31), "履约中"),  # not due
        ("C4", D(2024, 3, 1), D(2024, 6, 30), "履约"),  # due on T
        ("C5", D(2022, 1, 1), D(2022, 6, 1), "未履约"),
        ("C6", D(2024, 5, 1), D(2024, 6, 1), "履约中"),  # due, not judged
    ]
    con = build(
        tmp_path / "w.duckdb",
        {
            "subjects": [subject(e, "承诺公司", district="230404")],
            "commitments": [
                dict(
                    commitment_id=i,
                    uscc=e,
                    kind="告知承诺",
                    department="市商务局",
                    signed_date=s,
                    due_date=d,
                    fulfilment=f,
                )
                for i, s, d, f in rows
            ],
        },
    )
    signed = at(con, "I08a")
    assert (signed["value"], signed["numerator"], signed["status"]) == (4, 4, "green")
    assert pd.isna(signed["denominator"])
    assert fraction(at(con, "I08b")) == (2, 4)
    assert list(ind.indicator_detail_rows(con, "I08b", T, ALL, settings=SETTINGS)["commitment_id"]) == ["C5", "C2"]
    by_district = ind.indicator_by_district(con, "I08a", T, ALL, settings=SETTINGS)
    assert values(by_district, ["district_name", "numerator"]) == [["南山区", 4]]
    empty = build(tmp_path / "empty.duckdb", {})
    assert (at(empty, "I08a")["value"], at(empty, "I08a")["status"]) == (0, "red")
    assert at(empty, "I08b")["status"] == "none"


# --- I10 ----------------------------------------------------------------------------------


def test_i10_grading_departments_and_enterprises(tmp_path):
    e1, e2, e3 = uscc("91", 50), uscc("91", 51), uscc("91", 52)
    con = build(
        tmp_path / "w.duckdb",
        {
            "subjects": [subject(e1, "评一"), subject(e2, "评二"), subject(e3, "评三", industry="E")],
            "evaluations": [
                dict(uscc=e1, evaluator="市税务局", eval_date=D(2024, 1, 1), grade="A"),
                dict(uscc=e2, evaluator="公共信用综合评价", eval_date=D(2024, 2, 1), grade="B"),
                dict(uscc=e3, evaluator="市场监管局", eval_date=D(2023, 6, 30), grade="C"),  # outside the window
            ],
        },
    )
    assert fraction(at(con, "I10a")) == (1, 22)
    assert fraction(at(con, "I10b")) == (2, 3)
    by_dep = ind.indicator_by_department(con, "I10a", T, ALL, settings=SETTINGS)
    assert len(by_dep) == 22
    assert by_dep.set_index("department_code").loc["tax", "status"] == "green"
    assert by_dep.set_index("department_code").loc["market", "numerator"] == 0
    ungraded = ind.indicator_detail_rows(con, "I10b", T, ALL, settings=SETTINGS)
    assert values(ungraded, ["uscc", "department_code", "last_eval_date"]) == [[e3, "housing", D(2023, 6, 30)]]
    departments = ind.indicator_detail_rows(con, "I10a", T, ALL, settings=SETTINGS).set_index("department_code")
    assert departments.loc["tax", "n_subjects"] == 1 and not departments.loc["market", "has_results"]


def test_i10_series_points_equal_the_indicator_at_each_month_end(tmp_path):
    """The series counts enterprises per point through bit masks; each point must still be exactly
    what indicators_at computes on that date: windows sliding past evaluations, enterprises
    opening and closing, gaps between evaluations, several evaluations of one enterprise."""
    e = [uscc("91", 70 + i) for i in range(6)]
    con = build(
        tmp_path / "w.duckdb",
        {
            "subjects": [
                subject(e[0], "甲", district="230405"),
                subject(e[1], "乙", established=D(2024, 2, 15)),  # opens inside the series
                subject(e[2], "丙", status="注销", closed=D(2024, 4, 30)),  # gone from 2024-04-30 on
                subject(e[3], "丁", district="230405"),
                subject(e[4], "戊"),
                subject(e[5], "己", established=D(2024, 7, 1)),
            ],  # after every point
            "evaluations": [
                dict(uscc=e[0], evaluator="市税务局", eval_date=D(2023, 3, 31), grade="A"),  # leaves after 2024-02
                dict(uscc=e[0], evaluator="市税务局", eval_date=D(2024, 5, 1), grade="A"),  # back from 2024-05
                dict(uscc=e[1], evaluator="公共信用综合评价", eval_date=D(2024, 3, 1), grade="B"),
                dict(uscc=e[2], evaluator="市场监管局", eval_date=D(2024, 1, 10), grade="C"),
                dict(uscc=e[2], evaluator="市场监管局", eval_date=D(2024, 2, 10), grade="C"),
                dict(uscc=e[3], evaluator="市场监管局", eval_date=D(2023, 6, 30), grade="B"),  # window ends 2024-06-30
                dict(uscc=e[5], evaluator="市税务局", eval_date=D(2024, 1, 5), grade="A"),  # before it exists
            ],
        },
    )
    series = ind.indicator_series(con, "I10b", T, ALL, months=6, settings=SETTINGS)
    points = list(series["month_end"])
    assert points == [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30), D(2024, 5, 31), T]
    expected = [fraction(at(con, "I10b", day)) for day in points]
    assert list(zip(series["numerator"], series["denominator"])) == expected
    assert expected == [(3, 4), (3, 5), (3, 5), (2, 4), (3, 4), (2, 4)]
    months = ind.indicator_series(con, "I10a", T, ALL, months=6, settings=SETTINGS)
    assert list(zip(months["numerator"], months["denominator"])) == [fraction(at(con, "I10a", d)) for d in points]
    by_district = ind.indicator_by_district(con, "I10b", D(2024, 5, 31), ALL, settings=SETTINGS)
    assert values(by_district, ["district_code", "numerator", "denominator"]) == [["230402", 1, 2], ["230405", 2, 2]]


# --- I12 ----------------------------------------------------------------------------------


@pytest.fixture
def i12(tmp_path):
    e = uscc("91", 60)
    person_id = "230402199001011234"
    return build(
        tmp_path / "w.duckdb",
        {
            "subjects": [subject(e, "修复公司", district="230405")],
            "penalties": [
                penalty("A", e, D(2024, 1, 15)),  # eligible 2024-04-15, repaired 2024-05-01
                penalty("B", e, D(2024, 2, 10), authority_uscc=MARKET_AUTHORITY, authority="市场监管局"),
                penalty("C", e, D(2024, 3, 1)),  # eligible 2024-06-01, application in progress
                penalty("D", e, D(2023, 3, 31)),  # eligible 2023-06-30 (clamped): exactly 12 months before T
                penalty("E", e, D(2023, 4, 1)),  # eligible in the window, publicity over by T
                penalty("F", e, D(2024, 5, 1)),  # eligible after T
                penalty("G", e, D(2024, 1, 1), procedure="简易"),  # P7
                penalty("H", e, D(2024, 1, 20)),  # repaired after T
                penalty("N", None, D(2024, 1, 5), party_name="张三", party_category="自然人", party_id_no=person_id),
            ],
            "repairs": [
                dict(
                    repair_id="R1",
                    uscc=e,
                    record_type="penalty",
                    record_ref="A",
                    applied_date=D(2024, 4, 20),
                    status="已修复",
                    decided_date=D(2024, 5, 1),
                ),
                dict(
                    repair_id="R2",
                    uscc=e,
                    record_type="penalty",
                    record_ref="C",
                    applied_date=D(2024, 6, 10),
                    status="申请中",
                ),
                dict(
                    repair_id="R3",
                    uscc=e,
                    record_type="penalty",
                    record_ref="H",
                    applied_date=D(2024, 7, 1),
                    status="已修复",
                    decided_date=D(2024, 7, 10),
                ),
            ],
        },
    )


def test_i12_repaired_over_repaired_plus_should_repair(i12):
    row = at(i12, "I12")
    assert fraction(row) == (1, 5)
    assert row["status"] == "red"
    by_dep = ind.indicator_by_department(i12, "I12", T, ALL, settings=SETTINGS)
    assert values(by_dep, ["department_code", "numerator", "denominator"]) == [["market", 0, 1], ["tax", 1, 4]]
    by_district = ind.indicator_by_district(i12, "I12", T, ALL, settings=SETTINGS)
    assert values(by_district, ["district_code", "district_name", "numerator", "denominator"]) == [
        [None, "未填报区划", 0, 1],
        ["230405", "兴安区", 1, 4],
    ]
    # after H's repair on 2024-07-10 it is repaired; A's window still holds
    assert fraction(at(i12, "I12", D(2024, 7, 31))) == (2, 5)


def test_i12_detail_lists_should_repair_with_masking(i12):
    detail = ind.indicator_detail_rows(i12, "I12", T, ALL, settings=SETTINGS)
    assert values(detail, ["decision_no", "repair_status"]) == [
        ["B", "未申请"],
        ["N", "未申请"],
        ["H", "未申请"],
        ["C", "申请中"],
    ]
    person = detail.set_index("decision_no").loc["N"]
    assert (person["subject_name"], person["party_id_no"]) == ("张*", "230402********1234")
    assert detail.set_index("decision_no").loc["B", "subject_name"] == "主体B"
    unmasked = ind.indicator_detail_rows(i12, "I12", T, Scope.all(personal_data=True), settings=SETTINGS)
    assert unmasked.set_index("decision_no").loc["N", "subject_name"] == "张三"
    market = ind.indicator_detail_rows(i12, "I12", T, Scope.of("market"), settings=SETTINGS)
    assert list(market["decision_no"]) == ["B"]


# --- I15 ----------------------------------------------------------------------------------


def test_i15_listed_new_and_exited(tmp_path):
    e1, e2, e3, e4, e5, e6 = (uscc("91", n) for n in range(71, 77))
    gov = uscc("12", 77)
    con = build(
        tmp_path / "w.duckdb",
        {
            "subjects": [
                subject(e1, "一"),
                subject(e2, "二"),
                subject(e3, "三"),
                subject(e4, "四"),
                subject(e5, "五", status="注销", closed=D(2023, 12, 1)),
                subject(e6, "六", district="230403"),
            ],
            "serious_dishonest": [
                dict(uscc=e1, list_name="失信被执行人", department="市中级人民法院", listed_date=D(2022, 1, 1)),
                dict(uscc=e2, list_name="重大税收违法", department="市税务局", listed_date=D(2024, 1, 1)),
                dict(
                    uscc=e3,
                    list_name="重大税收违法",
                    department="市税务局",
                    listed_date=D(2023, 1, 1),
                    removed_date=D(2024, 3, 1),
                ),
                dict(uscc=e5, list_name="重大税收违法", department="市税务局", listed_date=D(2024, 2, 1)),
                # removed on the window's first day boundary: not on the list within the window
                dict(
                    uscc=gov,
                    list_name="失信被执行人",
                    department="市中级人民法院",
                    listed_date=D(2023, 5, 1),
                    removed_date=D(2023, 6, 30),
                ),
                dict(
                    uscc=e4,
                    list_name="失信被执行人",
                    department="市中级人民法院",
                    listed_date=D(2023, 6, 30),
                    removed_date=D(2023, 7, 1),
                ),
                # off one list, still on another: not exited
                dict(
                    uscc=e6,
                    list_name="重大税收违法",
                    department="市税务局",
                    listed_date=D(2023, 1, 1),
                    removed_date=D(2024, 2, 1),
                ),
                dict(uscc=e6, list_name="拖欠农民工工资", department="市人社局", listed_date=D(2023, 2, 1)),
            ],
        },
    )
    assert fraction(at(con, "I15a")) == (4, 5)
    assert fraction(at(con, "I15b")) == (2, 5)
    c = at(con, "I15c")
    assert fraction(c) == (1, 5)
    assert c["status"] == "red"
    by_dep = ind.indicator_by_department(con, "I15a", T, ALL, settings=SETTINGS)
    assert values(by_dep, ["department_code", "numerator", "denominator"]) == [
        ["tax", 2, 5],
        ["court", 1, 5],
        ["human_resources", 1, 5],
    ]
    by_district = ind.indicator_by_district(con, "I15a", T, ALL, settings=SETTINGS)
    assert values(by_district, ["district_code", "numerator", "denominator"]) == [["230403", 1, 1], ["230402", 3, 4]]
    new = ind.indicator_detail_rows(con, "I15b", T, ALL, settings=SETTINGS)
    assert list(new["uscc"]) == [e2, e5]
    remaining = ind.indicator_detail_rows(con, "I15c", T, ALL, settings=SETTINGS)
    assert sorted(remaining["uscc"]) == sorted([e1, e6, e2, e5])


# --- I19 ----------------------------------------------------------------------------------


def test_i19_government_bodies_dishonest_or_listed(tmp_path):
    k11, k12, k52, k91 = uscc("11", 80), uscc("12", 81), uscc("52", 82), uscc("91", 83)
    listed12 = uscc("12", 84)  # a 事业单位 on a list, named only there

    def case(no, name, code=None, dishonest=True, closed=None, **extra):
        return dict(
            case_no=no,
            party_name=name,
            court="鹤岗市中级人民法院",
            filed_date=D(2024, 1, 1),
            is_dishonest=dishonest,
            uscc=code,
            closed_date=closed,
            **extra,
        )

    con = build(
        tmp_path / "w.duckdb",
        {
            "executees": [
                case("X1", "鹤岗市某某局"),
                case("X7", "鹤岗市某某局"),  # the same body on a second case
                case("X2", "鹤岗市某农场有限公司"),
                case("X3", "某单位", k11, closed=D(2024, 5, 1)),
                case("X4", "某事业单位", k12, dishonest=False),
                case("X5", "某局服务中心", k91),
                case("X6", "鹤岗市某某中心", broken(uscc("12", 85))),
                case("X8", "某行业协会办公室", k52),
                case("X9", "兴山区人民政府", dishonest_published_date=D(2024, 7, 1)),
                case("X10", "鹤岗市某城市建设投资有限公司", uscc("11", 86)),  # kind 11, but a 公司
            ],
            "serious_dishonest": [
                dict(
                    uscc=listed12,
                    list_name="失信被执行人",
                    department="市中级人民法院",
                    listed_date=D(2024, 1, 1),
                    subject_name="某医院",
                ),
                dict(uscc=k91, list_name="重大税收违法", department="市税务局", listed_date=D(2024, 1, 1)),
            ],
        },
    )
    row = at(con, "I19")
    assert (row["value"], row["status"]) == (3, "red")
    series = ind.indicator_series(con, "I19", D(2024, 7, 1), ALL, months=4, settings=SETTINGS)
    # X3 closes on 2024-05-01; X9 is published as 失信 on 2024-07-01
    assert list(series["value"]) == [4, 3, 3, 4]
    detail = ind.indicator_detail_rows(con, "I19", T, ALL, settings=SETTINGS)
    assert values(detail, ["party_name", "matched_by", "record_ref"]) == [
        ["某医院", "uscc", "失信被执行人"],
        ["鹤岗市某某中心", "name", "X6"],
        ["鹤岗市某某局", "name", "X1"],
        ["鹤岗市某某局", "name", "X7"],
    ]
    assert set(detail["department_code"]) == {"court"}


# --- I02 ----------------------------------------------------------------------------------


def test_i02_coverage_and_missing_months(tmp_path):
    months = [D(2023, m, 1) for m in range(7, 13)] + [D(2024, m, 1) for m in range(1, 7)]

    def push(dep, month, category, records, covered=0):
        return dict(department=dep, month=month, category=category, records=records, subjects_covered=covered)

    rows = [
        push("市税务局", D(2024, 6, 1), "纳税", 10, 3),
        push("市税务局", D(2024, 5, 1), "纳税", 8, 2),
        push("市城管局", D(2024, 6, 1), "水费", 4, 1),
        push("鹤岗供电公司", D(2024, 5, 1), "电费", 9, 2),
    ]
    rows += [push("市城管局", m, "燃气费", 0 if m == D(2024, 3, 1) else 5) for m in months if m != D(2024, 2, 1)]
    rows += [push("市自然资源局", m, "不动产", 1) for m in months]
    con = build(
        tmp_path / "w.duckdb",
        {"subjects": [subject(uscc("91", 90), "甲"), subject(uscc("91", 91), "乙")], "collections": rows},
    )
    now = ind.indicators_at(con, T, ALL, settings=SETTINGS).set_index("indicator_id")
    got = {
        i: (now.loc[i, "numerator"], now.loc[i, "denominator"], now.loc[i, "status"])
        for i in ("I02a", "I02b", "I02c", "I02d", "I02e", "I02f")
    }
    assert got == {
        "I02a": (3, 2, "green"),
        "I02b": (1, 2, "red"),
        "I02c": (0, 2, "red"),
        "I02d": (2, 12, "red"),
        "I02e": (0, 12, "green"),
        "I02f": (12, 12, "red"),
    }
    # mid-month: the reference month is the last complete one (May)
    mid = ind.indicators_at(con, D(2024, 6, 15), ALL, settings=SETTINGS).set_index("indicator_id")
    assert (mid.loc["I02a", "numerator"], mid.loc["I02c", "numerator"]) == (2, 2)
    assert mid.loc["I02e", "numerator"] == 1  # June not yet due, June 2023 missing
    by_dep = ind.indicator_by_department(con, "I02d", T, ALL, settings=SETTINGS)
    assert values(by_dep, ["department_code", "numerator", "status"]) == [["urban_admin", 2, "red"]]
    detail = ind.indicator_detail_rows(con, "I02d", T, ALL, settings=SETTINGS)
    assert len(detail) == 12
    assert detail.loc[~detail["is_pushed"], "month"].tolist() == [D(2024, 2, 1), D(2024, 3, 1)]


# --- I00 ----------------------------------------------------------------------------------


def test_city_scores_show_the_home_province(tmp_path):
    def score(month, city, province, value, rank, rank_in_province):
        return dict(
            month=month, city=city, province=province, score=value, rank=rank, rank_in_province=rank_in_province
        )

    con = build(
        tmp_path / "w.duckdb",
        {
            "city_scores": [
                score(D(2024, 5, 1), "鹤岗", "黑龙江省", 80.5, 120, 5),
                score(D(2024, 6, 1), "鹤岗", "黑龙江省", 81.0, 110, 4),
                score(D(2024, 6, 1), "大庆市", "黑龙江省", 85.0, 50, 1),
                score(D(2024, 6, 1), "长春市", "吉林省", 86.0, 40, 1),
                score(D(2019, 6, 1), "鹤岗", "黑龙江省", 70.0, 200, 12),
            ]
        },
    )
    frame = ind.city_scores(con, ALL)
    assert values(frame, ["month", "city", "rank", "is_home_city"]) == [
        [D(2024, 5, 1), "鹤岗", 120, True],
        [D(2024, 6, 1), "大庆市", 50, False],
        [D(2024, 6, 1), "鹤岗", 110, True],
    ]
    assert len(ind.city_scores(con, ALL, end_month=D(2024, 5, 31), months=1)) == 1


# --- an independent check: the benchmark's pandas baseline gives the same fractions ---------------


@pytest.mark.parametrize("as_of", [D(2024, 4, 30), T, D(2024, 6, 15)])
def test_pandas_baseline_agrees_with_the_rule_sql(tmp_path, as_of):
    from dashboard.bench import rules_twin as bench_rules

    con = build(tmp_path / "w.duckdb", mixed_rows())
    sql = bench_rules.indicator_fractions(bench_rules.duckdb_indicators(con, as_of, SETTINGS))
    tables = bench_rules.load_tables(con, bench_rules.INDICATOR_TABLES)
    assert bench_rules.indicator_fractions(bench_rules.pandas_indicators(tables, as_of, SETTINGS)) == sql
    assert sum(n or 0 for n, _ in sql.values()) > 10


def test_pandas_baseline_reads_deadlines_as_dates_like_the_rule_sql(tmp_path):
    from dashboard.bench import rules_twin as bench_rules

    con = deadline_warehouse(tmp_path / "w.duckdb")
    sql = bench_rules.indicator_fractions(bench_rules.duckdb_indicators(con, DEADLINE_T, SETTINGS))
    tables = bench_rules.load_tables(con, bench_rules.INDICATOR_TABLES)
    twin = bench_rules.indicator_fractions(bench_rules.pandas_indicators(tables, DEADLINE_T, SETTINGS))
    # the indicators with data here (the twin says 0/0 where the SQL has no row, e.g. I12)
    assert {i: twin[i] for i in ("I04a", "I04b", "I04c", "I05")} == {i: sql[i] for i in ("I04a", "I04b", "I04c", "I05")}
    assert (sql["I04c"], sql["I05"]) == ((5, 8), (4, 7))
