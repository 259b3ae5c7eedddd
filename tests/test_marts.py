"""Exact rows of the date-independent marts: P1/P2 inputs, P7, P8 and the repair inputs."""

import datetime as dt

from dashboard.core.identifiers import make_uscc
from dashboard.store import schema

D = dt.date
ENTERPRISE = make_uscc("91", "230402", "MA1B2C3D")
INDIVIDUAL = make_uscc("92", "230403", "L1234567")
GOVERNMENT = make_uscc("11", "230400", "00123456")
BAD = ENTERPRISE[:17] + ("0" if ENTERPRISE[17] != "0" else "1")


def test_subject_facts_kind_enterprise_and_closing(warehouse):
    schema.insert_current_rows(
        warehouse,
        "subjects",
        [
            dict(
                uscc=ENTERPRISE,
                name="鹤岗市甲商贸有限公司",
                status="存续",
                established_date=D(2020, 1, 1),
                industry_code="F",
            ),
            dict(
                uscc=INDIVIDUAL,
                name="工农区乙餐馆",
                status="注销",
                established_date=D(2019, 5, 1),
                closed_date=D(2023, 3, 1),
            ),
            dict(uscc=GOVERNMENT, name="鹤岗市某局", status="存续", established_date=D(2000, 1, 1)),
            dict(uscc=BAD, name="错码公司", status="吊销", established_date=D(2018, 1, 1)),
        ],
    )
    schema.build_marts(warehouse)
    rows = warehouse.execute(
        "SELECT name, uscc_kind, is_enterprise, closed_on_date, supervising_department_code "
        "FROM subject_facts ORDER BY name"
    ).fetchall()
    assert rows == [
        ("工农区乙餐馆", "92", False, D(2023, 3, 1), None),
        (
            "错码公司",
            None,
            False,
            D(2018, 1, 1),
            None,
        ),  # invalid code: no kind; closed without date → from registration
        ("鹤岗市某局", "11", False, None, None),
        ("鹤岗市甲商贸有限公司", "91", True, None, "commerce"),
    ]


def test_penalty_facts_p7_p8_repairs_and_departments(warehouse):
    base = dict(party_category="法人及非法人组织", uscc=ENTERPRISE, penalty_kinds="罚款")
    schema.insert_current_rows(
        warehouse,
        "penalties",
        [
            dict(base, decision_no="G", decision_date=D(2024, 8, 31), authority="市税务局"),  # 一般 by default
            dict(
                base, decision_no="S", decision_date=D(2024, 2, 29), authority="鹤岗市市场监督管理局", severity="严重"
            ),
            dict(
                base,
                decision_no="M",
                decision_date=D(2024, 1, 15),
                authority_uscc="11230400112300147B",
                severity="轻微",
            ),
            dict(
                base, decision_no="E", decision_date=D(2024, 1, 15), authority="市税务局", publicity_end=D(2024, 6, 30)
            ),
            dict(base, decision_no="SIMPLE", decision_date=D(2024, 1, 15), authority="市税务局", procedure="简易"),
            dict(
                base, decision_no="FIRST", decision_date=D(2024, 1, 15), authority="市税务局", minor_first_offence=True
            ),
            dict(base, decision_no="REV", decision_date=D(2024, 1, 15), authority="某未知机关", revoked=True),
        ],
    )
    schema.insert_current_rows(
        warehouse,
        "repairs",
        [
            dict(
                repair_id="r1",
                uscc=ENTERPRISE,
                record_type="penalty",
                record_ref="G",
                applied_date=D(2024, 12, 1),
                status="已修复",
                decided_date=D(2024, 12, 10),
            ),
            dict(
                repair_id="r2",
                uscc=ENTERPRISE,
                record_type="penalty",
                record_ref="S",
                applied_date=D(2024, 12, 1),
                status="申请中",
            ),
            dict(
                repair_id="r3",
                uscc=ENTERPRISE,
                record_type="penalty",
                record_ref="M",
                applied_date=D(2024, 2, 1),
                status="不予修复",
                decided_date=D(2024, 2, 5),
            ),
        ],
    )
    schema.build_marts(warehouse)
    rows = warehouse.execute("""
        SELECT decision_no, department_code, severity_class, is_excluded_p7, is_public_credit_info,
               publicity_end_date, repair_eligible_date, repaired_date, has_pending_repair
        FROM penalty_facts ORDER BY decision_no""").fetchall()
    assert rows == [
        # declared 公示截止期 wins over the computed maximum
        ("E", "tax", "一般", False, True, D(2024, 6, 30), D(2024, 4, 15), None, False),
        ("FIRST", "tax", "一般", True, False, D(2025, 1, 15), D(2024, 4, 15), None, False),
        # month arithmetic clamps: 31 August + 3 months = 30 November
        ("G", "tax", "一般", False, True, D(2025, 8, 31), D(2024, 11, 30), D(2024, 12, 10), False),
        ("M", "tax", "轻微", False, True, D(2024, 4, 15), D(2024, 1, 15), None, False),
        ("REV", None, "一般", False, False, D(2025, 1, 15), D(2024, 4, 15), None, False),
        ("S", "market", "严重", False, True, D(2027, 2, 28), D(2025, 2, 28), None, True),
        ("SIMPLE", "tax", "一般", True, False, D(2025, 1, 15), D(2024, 4, 15), None, False),
    ]


def test_penalty_periods_follow_settings(warehouse, tmp_path):
    from dashboard.core.settings import DEFAULT_SETTINGS_FILE, Settings

    text = DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8").replace(
        "general_max_months = 12", "general_max_months = 24"
    )
    custom = tmp_path / "settings.toml"
    custom.write_text(text, encoding="utf-8")
    schema.insert_current_rows(
        warehouse,
        "penalties",
        [
            dict(decision_no="G", decision_date=D(2024, 3, 1), authority="市税务局"),
        ],
    )
    schema.build_marts(warehouse, Settings.load(custom, env={}))
    assert warehouse.execute("SELECT publicity_end_date FROM penalty_facts").fetchone() == (D(2026, 3, 1),)


def test_license_facts_department_and_status(warehouse):
    schema.insert_current_rows(
        warehouse,
        "licenses",
        [
            dict(license_no="L1", uscc=ENTERPRISE, authority="市交通局", status="有效", valid_to=D(2025, 1, 1)),
            dict(license_no="L2", uscc=BAD, authority="不存在的机关", status="无效"),
        ],
    )
    schema.build_marts(warehouse)
    rows = warehouse.execute(
        "SELECT license_no, department_code, is_valid_status, has_valid_uscc, valid_to FROM license_facts ORDER BY 1"
    ).fetchall()
    assert rows == [("L1", "transport", True, True, D(2025, 1, 1)), ("L2", None, False, False, None)]


def test_government_parties_never_include_natural_persons(warehouse):
    """W4 / I19: the name keywords (院, 场 …) apply to organizations without a valid USCC, never to
    a party identified by a resident ID number."""
    from dashboard.core.identifiers import make_resident_id

    base = dict(court="鹤岗市中级人民法院", filed_date=D(2024, 1, 5), is_dishonest=False)
    schema.insert_current_rows(
        warehouse,
        "executees",
        [
            dict(base, case_no="(2024)黑04执1号", party_name="鹤岗市某区人民政府"),
            dict(
                base,
                case_no="(2024)黑04执2号",
                party_name="张院",
                party_id_no=make_resident_id("230402", D(1980, 5, 6), "123"),
            ),
            dict(base, case_no="(2024)黑04执3号", party_name="鹤岗市某农场有限公司", uscc=ENTERPRISE),
            dict(base, case_no="(2024)黑04执4号", party_name="鹤岗市某局", uscc=GOVERNMENT),
        ],
    )
    schema.build_marts(warehouse)
    rows = warehouse.execute(
        "SELECT record_ref, matched_by, department_code FROM government_party_records ORDER BY record_ref"
    ).fetchall()
    assert rows == [("(2024)黑04执1号", "name", "court"), ("(2024)黑04执4号", "uscc", "court")]


def test_government_exclusion_words_hold_whichever_way_a_party_qualified(warehouse):
    """W4 / I19: 公司 and 合作社 (government.name_exclusions) keep a party out whether it qualified
    by its USCC kind (11, 12) or by a name keyword without a valid USCC; the same kinds and
    keywords without those words still qualify."""
    kind12 = make_uscc("12", "230400", "00223456")
    broken = GOVERNMENT[:17] + ("0" if GOVERNMENT[17] != "0" else "1")
    base = dict(court="鹤岗市中级人民法院", filed_date=D(2024, 1, 5), is_dishonest=True)
    cases = [
        ("G1", "鹤岗市某国有资产经营有限公司", GOVERNMENT),  # kind 11 on a 有限公司 name
        ("G2", "鹤岗市某某农民专业合作社", kind12),  # kind 12 on a 合作社 name
        ("G3", "鹤岗市某局劳动服务公司", None),  # keyword 局, but a 公司
        ("G4", "鹤岗市某站农机合作社", broken),  # invalid code, keyword 站, but a 合作社
        ("G5", "鹤岗市某局", GOVERNMENT),  # kind 11: a government body
        ("G6", "鹤岗市某某中心", None),  # keyword 中心: a government body
    ]
    schema.insert_current_rows(
        warehouse,
        "executees",
        [dict(base, case_no=no, party_name=name, uscc=code) for no, name, code in cases],
    )
    schema.insert_current_rows(
        warehouse,
        "serious_dishonest",
        [
            dict(
                uscc=kind12,
                list_name="严重失信名单",
                department="市中级人民法院",
                listed_date=D(2024, 1, 1),
                subject_name="鹤岗市某某供水有限公司",
            ),
            dict(uscc=GOVERNMENT, list_name="严重失信名单", department="市中级人民法院", listed_date=D(2024, 1, 1)),
        ],
    )
    schema.build_marts(warehouse)
    rows = warehouse.execute(
        "SELECT source_entity, record_ref, party_name, matched_by FROM government_party_records ORDER BY 1, 2, 3"
    ).fetchall()
    assert rows == [
        ("executees", "G5", "鹤岗市某局", "uscc"),
        ("executees", "G6", "鹤岗市某某中心", "name"),
        ("serious_dishonest", "严重失信名单", None, "uscc"),  # no name to exclude it by
    ]


def test_calendar_months_one_row_per_month_of_the_reference_calendar(warehouse):
    schema.build_marts(warehouse)
    rows = warehouse.execute(
        "SELECT month_start_date, month_end_date FROM calendar_months "
        "WHERE month_end_date BETWEEN DATE '2023-11-01' AND DATE '2024-04-30' ORDER BY 1"
    ).fetchall()
    assert rows == [
        (D(2023, 11, 1), D(2023, 11, 30)),
        (D(2023, 12, 1), D(2023, 12, 31)),
        (D(2024, 1, 1), D(2024, 1, 31)),
        (D(2024, 2, 1), D(2024, 2, 29)),
        (D(2024, 3, 1), D(2024, 3, 31)),
        (D(2024, 4, 1), D(2024, 4, 30)),
    ]
    # the calendar runs 2015-01-01 … 2030-12-31: 16 whole years of months
    assert warehouse.execute(
        "SELECT COUNT(*), MIN(month_start_date), MAX(month_end_date) FROM calendar_months"
    ).fetchone() == (192, D(2015, 1, 1), D(2030, 12, 31))


PUBLICITY_PENALTIES = [
    # 一般: minimum 3 months, maximum 1 year
    dict(decision_no="OPEN", decision_date=D(2024, 1, 15)),
    dict(decision_no="REPAIRED", decision_date=D(2024, 1, 15)),  # repaired 2024-06-01
    dict(decision_no="LATE_REPAIR", decision_date=D(2023, 1, 15)),  # repaired after publicity ended
    dict(decision_no="EARLY_REPAIR", decision_date=D(2024, 1, 15)),  # repaired before the minimum period
    dict(decision_no="PENDING", decision_date=D(2024, 8, 31)),  # an application in progress
    dict(decision_no="SHORT", decision_date=D(2024, 1, 15), publicity_end=D(2024, 3, 1)),  # declared end first
    dict(decision_no="SIMPLE", decision_date=D(2024, 1, 15), procedure="简易"),  # P7: not public
    dict(decision_no="REV", decision_date=D(2024, 1, 15), revoked=True),  # revoked
]
PUBLICITY_REPAIRS = [
    dict(
        repair_id="r1",
        record_type="penalty",
        record_ref="REPAIRED",
        applied_date=D(2024, 5, 20),
        status="已修复",
        decided_date=D(2024, 6, 1),
    ),
    dict(
        repair_id="r2",
        record_type="penalty",
        record_ref="LATE_REPAIR",
        applied_date=D(2024, 3, 1),
        status="已修复",
        decided_date=D(2024, 3, 10),
    ),
    dict(
        repair_id="r3",
        record_type="penalty",
        record_ref="EARLY_REPAIR",
        applied_date=D(2024, 2, 1),
        status="已修复",
        decided_date=D(2024, 2, 1),
    ),
    dict(repair_id="r4", record_type="penalty", record_ref="PENDING", applied_date=D(2024, 12, 1), status="申请中"),
]


def test_penalty_publicity_spans_p9_and_p11(warehouse):
    base = dict(party_category="法人及非法人组织", uscc=ENTERPRISE, penalty_kinds="罚款", authority="市税务局")
    schema.insert_current_rows(warehouse, "penalties", [dict(base, **p) for p in PUBLICITY_PENALTIES])
    schema.insert_current_rows(warehouse, "repairs", [dict(r, uscc=ENTERPRISE) for r in PUBLICITY_REPAIRS])
    schema.build_marts(warehouse)
    rows = warehouse.execute("""
        SELECT decision_no, in_publicity_from, should_repair_from, in_publicity_until
        FROM penalty_publicity_spans ORDER BY decision_no""").fetchall()
    assert rows == [
        # repaired (2024-02-01) before its minimum period ended: in publicity until then, never 应修复未修复
        ("EARLY_REPAIR", D(2024, 1, 15), D(2024, 4, 15), D(2024, 2, 1)),
        # publicity ended 2024-01-15, the day after is the end; the later repair changes nothing
        ("LATE_REPAIR", D(2023, 1, 15), D(2023, 4, 15), D(2024, 1, 16)),
        ("OPEN", D(2024, 1, 15), D(2024, 4, 15), D(2025, 1, 16)),
        # an application in progress does not end the span (P11: 申请中 still counts)
        ("PENDING", D(2024, 8, 31), D(2024, 11, 30), D(2025, 9, 1)),
        ("REPAIRED", D(2024, 1, 15), D(2024, 4, 15), D(2024, 6, 1)),
        # the declared 公示截止期 ends publicity before the minimum period: never 应修复未修复
        ("SHORT", D(2024, 1, 15), D(2024, 4, 15), D(2024, 3, 2)),
        # SIMPLE (P7) and REV (revoked) are not public credit information: no span
    ]
    at = """SELECT decision_no FROM penalty_publicity_spans
            WHERE {start} <= $t AND $t < in_publicity_until ORDER BY decision_no"""

    def holding(start: str, t: dt.date) -> list[str]:
        return [r[0] for r in warehouse.execute(at.format(start=start), {"t": t}).fetchall()]

    # P9 at T, boundaries included: the decision day, the last day of publicity (LATE_REPAIR on
    # 2024-01-15, SHORT on 2024-03-01), the day before the repair (REPAIRED on 2024-05-31)
    assert holding("in_publicity_from", D(2024, 1, 15)) == ["EARLY_REPAIR", "LATE_REPAIR", "OPEN", "REPAIRED", "SHORT"]
    assert holding("in_publicity_from", D(2024, 1, 16)) == ["EARLY_REPAIR", "OPEN", "REPAIRED", "SHORT"]
    assert holding("in_publicity_from", D(2024, 3, 1)) == ["OPEN", "REPAIRED", "SHORT"]
    assert holding("in_publicity_from", D(2024, 5, 31)) == ["OPEN", "REPAIRED"]
    assert holding("in_publicity_from", D(2024, 6, 1)) == ["OPEN"]
    # P11 at T: from the end of the minimum period (2024-04-15) while in publicity and unrepaired
    assert holding("should_repair_from", D(2024, 4, 14)) == []
    assert holding("should_repair_from", D(2024, 4, 15)) == ["OPEN", "REPAIRED"]
    assert holding("should_repair_from", D(2024, 12, 31)) == ["OPEN", "PENDING"]
    assert holding("should_repair_from", D(2025, 1, 16)) == ["PENDING"]


def test_latest_entity_loads_is_a_view_of_each_entitys_latest_run(warehouse):
    early, late = dt.datetime(2024, 9, 1, 8), dt.datetime(2024, 9, 2, 8)

    def entity_load(run_id, at, entity):
        warehouse.execute(
            "INSERT INTO meta_entity_loads VALUES ($run, $entity, 'drop', 'full', 0, 0, 0, 0, 0, 0, 0, '[]', $at)",
            {"run": run_id, "entity": entity, "at": at},
        )

    def quarantined(run_id, at, entity):
        warehouse.execute(
            "INSERT INTO quarantine VALUES ($run, $entity, 'x.csv', 1, 'bad_date', 'm', '{}', $at)",
            {"run": run_id, "entity": entity, "at": at},
        )

    schema.build_marts(warehouse)
    entity_load("run1", early, "penalties")
    entity_load("run2", late, "penalties")
    entity_load("run1", early, "licenses")
    quarantined("run1", early, "executees")  # an entity whose only trace is quarantined rows
    entity_load("run3", late, "loans")  # two runs at the same moment: the later run id
    entity_load("run4", late, "loans")
    latest = "SELECT entity, run_id FROM latest_entity_loads ORDER BY entity"
    assert warehouse.execute(latest).fetchall() == [
        ("executees", "run1"),
        ("licenses", "run1"),
        ("loans", "run4"),
        ("penalties", "run2"),
    ]
    # a view: a later load shows without rebuilding the marts
    quarantined("run5", dt.datetime(2024, 9, 3), "licenses")
    assert ("licenses", "run5") in warehouse.execute(latest).fetchall()


# --- marts that carry what a rule reads, so the rule does not join the registry at every T ---------

OTHER_ENTERPRISE = make_uscc("91", "230404", "MA7F8G9H")
UNKNOWN = make_uscc("91", "230405", "MA0J1K2L")


def _registry(warehouse) -> None:
    schema.insert_current_rows(
        warehouse,
        "subjects",
        [
            dict(uscc=ENTERPRISE, name="鹤岗市甲商贸有限公司", status="存续", established_date=D(2020, 1, 1)),
            dict(uscc=OTHER_ENTERPRISE, name="鹤岗市丙建材有限公司", status="存续", established_date=D(2021, 6, 1)),
            dict(uscc=INDIVIDUAL, name="工农区乙餐馆", status="存续", established_date=D(2019, 5, 1)),
        ],
    )


def test_penalty_publicity_spans_carry_each_decisions_own_values(warehouse):
    base = dict(party_category="法人及非法人组织", uscc=ENTERPRISE, penalty_kinds="罚款", authority="市税务局")
    schema.insert_current_rows(warehouse, "penalties", [dict(base, **p) for p in PUBLICITY_PENALTIES])
    schema.insert_current_rows(warehouse, "repairs", [dict(r, uscc=ENTERPRISE) for r in PUBLICITY_REPAIRS])
    schema.build_marts(warehouse)
    columns = (
        "decision_date, uscc, has_valid_uscc, COALESCE(is_natural_person, FALSE), department_code, party_name, "
        "repair_eligible_date, repaired_date, has_pending_repair"
    )
    spans = warehouse.execute(f"SELECT decision_no, {columns} FROM penalty_publicity_spans ORDER BY 1").fetchall()
    facts = warehouse.execute(
        f"SELECT decision_no, {columns} FROM penalty_facts "
        "WHERE is_public_credit_info AND decision_date IS NOT NULL ORDER BY 1"
    ).fetchall()
    assert spans == facts and len(spans) == 6
    assert {r[5] for r in spans} == {"tax"}


def test_enterprise_evaluation_days_chain_each_enterprises_days(warehouse):
    _registry(warehouse)
    evaluation = dict(grade="B")
    schema.insert_current_rows(
        warehouse,
        "evaluations",
        [
            dict(evaluation, uscc=ENTERPRISE, evaluator="市税务局", eval_date=D(2023, 5, 1)),
            dict(evaluation, uscc=ENTERPRISE, evaluator="市税务局", eval_date=D(2024, 5, 1)),
            # a second evaluator on the same day: one evaluation day
            dict(evaluation, uscc=ENTERPRISE, evaluator="公共信用综合评价", eval_date=D(2024, 5, 1)),
            dict(evaluation, uscc=OTHER_ENTERPRISE, evaluator="市市场监管局", eval_date=D(2022, 1, 10)),
            # not an enterprise (个体工商户), and a USCC the registry does not know: not in the mart
            dict(evaluation, uscc=INDIVIDUAL, evaluator="市税务局", eval_date=D(2023, 5, 1)),
            dict(evaluation, uscc=UNKNOWN, evaluator="市税务局", eval_date=D(2023, 5, 1)),
        ],
    )
    schema.build_marts(warehouse)
    rows = warehouse.execute(
        "SELECT alive_from, eval_date, next_eval_date FROM enterprise_evaluation_days ORDER BY alive_from, eval_date"
    ).fetchall()
    assert rows == [
        (D(2020, 1, 1), D(2023, 5, 1), D(2024, 5, 1)),
        (D(2020, 1, 1), D(2024, 5, 1), None),
        (D(2021, 6, 1), D(2022, 1, 10), None),
    ]


def test_a_grade_enterprises_count_from_publication(warehouse):
    _registry(warehouse)
    schema.insert_current_rows(
        warehouse,
        "tax_credit",
        [
            dict(uscc=ENTERPRISE, year=2023, grade="A", published_date=D(2024, 4, 1)),
            dict(uscc=ENTERPRISE, year=2022, grade="B", published_date=D(2023, 4, 1)),
            # no publication date: it counts from April 30 of the next year
            dict(uscc=OTHER_ENTERPRISE, year=2023, grade="A"),
            # not an enterprise, and unknown to the registry: not surviving-enterprise candidates
            dict(uscc=INDIVIDUAL, year=2023, grade="A", published_date=D(2024, 4, 1)),
            dict(uscc=UNKNOWN, year=2023, grade="A", published_date=D(2024, 4, 1)),
        ],
    )
    schema.build_marts(warehouse)
    rows = warehouse.execute(
        "SELECT year, counts_from, alive_from, alive_until FROM a_grade_enterprises ORDER BY counts_from"
    ).fetchall()
    assert rows == [(2023, D(2024, 4, 1), D(2020, 1, 1), None), (2023, D(2024, 4, 30), D(2021, 6, 1), None)]


def test_listed_subjects_are_the_registry_rows_of_loans_and_campaign_lists(warehouse):
    _registry(warehouse)
    schema.insert_current_rows(
        warehouse,
        "loans",
        [dict(loan_id="L1", uscc=ENTERPRISE, lender="农商行", amount_wan_yuan=50, due_date=D(2024, 3, 1))],
    )
    schema.insert_current_rows(
        warehouse,
        "campaign_lists",
        [
            dict(uscc=OTHER_ENTERPRISE, campaign="拖欠工资", department="市人社局", listed_date=D(2024, 1, 1)),
            dict(uscc=UNKNOWN, campaign="拖欠工资", department="市人社局", listed_date=D(2024, 1, 1)),
        ],
    )
    schema.build_marts(warehouse)
    rows = warehouse.execute("SELECT uscc, subject_name FROM listed_subjects ORDER BY subject_name").fetchall()
    assert sorted(rows) == sorted([(ENTERPRISE, "鹤岗市甲商贸有限公司"), (OTHER_ENTERPRISE, "鹤岗市丙建材有限公司")])
