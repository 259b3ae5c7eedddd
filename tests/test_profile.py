"""Subject search and the subject profile at T: exact rows on a hand-written warehouse."""

import datetime as dt
import json

import pandas as pd
import pytest

from dashboard.core.identifiers import make_resident_id, make_uscc
from dashboard.core.scope import Scope
from dashboard.rules import credit_warnings, grading, profile
from dashboard.store import schema

D = dt.date
T = D(2024, 9, 30)
A = make_uscc("91", "230402", "MA1B2C3D")  # 鹤岗市甲商贸有限公司
B = make_uscc("91", "230403", "MA2B3C4D")  # 鹤岗市乙煤业有限公司
P = make_uscc("92", "230404", "L1234567")  # a 个体工商户 whose operator is a natural person
PERSON_ID = make_resident_id("230403", D(1980, 5, 6), "123")
ALL = Scope.all()


def value(v):
    if isinstance(v, pd.Timestamp):
        return v.date()
    return None if pd.isna(v) else v


def rows(frame, *columns):
    """The frame's rows as plain tuples (dates as datetime.date, missing values as None)."""
    return [tuple(value(v) for v in r) for r in frame[list(columns)].itertuples(index=False)]


@pytest.fixture
def con(warehouse):
    ins = lambda entity, data: schema.insert_current_rows(warehouse, entity, data)  # noqa: E731
    ins(
        "subjects",
        [
            dict(
                uscc=A,
                name="鹤岗市甲商贸有限公司",
                status="存续",
                established_date=D(2020, 1, 1),
                district_code="230402",
                industry_code="F",
                legal_rep="王五",
            ),
            dict(
                uscc=B,
                name="鹤岗市乙煤业有限公司",
                status="注销",
                established_date=D(2015, 1, 1),
                closed_date=D(2024, 6, 1),
                district_code="230403",
                industry_code="B",
            ),
            dict(
                uscc=P, name="南山区甲乙烧烤店", status="存续", established_date=D(2019, 1, 1), district_code="230404"
            ),
            dict(
                uscc=make_uscc("91", "230406", "MA3B4C5D"),
                name="东山区50%折扣店",
                status="存续",
                established_date=D(2021, 1, 1),
            ),
            dict(
                uscc=make_uscc("91", "230407", "MA4B5C6D"),
                name="兴山区甲_乙商店",
                status="存续",
                established_date=D(2021, 1, 1),
            ),
        ],
    )
    org = dict(party_category="法人及非法人组织", uscc=A, penalty_kinds="罚款", party_name="鹤岗市甲商贸有限公司")
    ins(
        "penalties",
        [
            dict(org, decision_no="P1", decision_date=D(2024, 8, 31), authority="市税务局"),
            dict(org, decision_no="P2", decision_date=D(2024, 3, 15), authority="鹤岗市市场监督管理局"),
            dict(org, decision_no="P3", decision_date=D(2024, 1, 10), authority="市税务局"),
            dict(org, decision_no="P4", decision_date=D(2024, 2, 1), authority="市税务局"),
            dict(org, decision_no="P5", decision_date=D(2024, 5, 1), authority="市税务局", procedure="简易"),
            dict(org, decision_no="P6", decision_date=D(2024, 10, 5), authority="市税务局"),  # after T
            dict(
                decision_no="N1",
                party_category="自然人",
                party_name="张三丰",
                party_id_no=PERSON_ID,
                uscc=P,
                penalty_kinds="罚款",
                decision_date=D(2024, 9, 1),
                authority="市市场监管局",
            ),
        ],
    )
    ins(
        "repairs",
        [
            dict(
                repair_id="r1",
                uscc=A,
                record_type="penalty",
                record_ref="P3",
                applied_date=D(2024, 9, 1),
                status="已修复",
                decided_date=D(2024, 9, 20),
            ),
            dict(
                repair_id="r2",
                uscc=A,
                record_type="penalty",
                record_ref="P2",
                applied_date=D(2024, 9, 1),
                status="申请中",
            ),
            dict(
                repair_id="r3",
                uscc=A,
                record_type="penalty",
                record_ref="P4",
                applied_date=D(2024, 9, 25),
                status="已修复",
                decided_date=D(2024, 10, 15),
            ),  # approved after T: 申请中 at T
            dict(
                repair_id="r4",
                uscc=A,
                record_type="abnormal",
                record_ref="2024-05-01",
                applied_date=D(2024, 10, 2),
                status="申请中",
            ),  # applied after T
        ],
    )
    lic = dict(
        party_name="鹤岗市甲商贸有限公司",
        uscc=A,
        certificate="食品经营许可证",
        decision_date=D(2023, 1, 1),
        valid_from=D(2023, 1, 1),
        authority="市市场监管局",
        status="有效",
    )
    ins(
        "licenses",
        [
            dict(lic, license_no="L1", valid_to=D(2024, 10, 15)),
            dict(lic, license_no="L2", valid_to=None),
            dict(lic, license_no="L3", valid_to=D(2024, 9, 1)),
            dict(lic, license_no="L4", valid_to=D(2025, 1, 1), status="无效"),
            dict(lic, license_no="L5", valid_to=D(2026, 1, 1), decision_date=D(2024, 10, 1)),  # after T
        ],
    )
    ins(
        "abnormal_operations",
        [
            dict(
                uscc=A,
                listed_date=D(2024, 5, 1),
                listed_reason="未按时公示年报",
                removed_date=D(2024, 10, 1),
                removed_reason="补报年报",
                decided_by="鹤岗市市场监督管理局",
            ),
            dict(
                uscc=A,
                listed_date=D(2022, 5, 1),
                listed_reason="通过登记住所无法联系",
                removed_date=D(2022, 8, 1),
                removed_reason="恢复联系",
            ),
        ],
    )
    ins(
        "executees",
        [
            dict(
                case_no="(2024)黑04执100号",
                party_name="鹤岗市甲商贸有限公司",
                court="鹤岗市中级人民法院",
                uscc=A,
                filed_date=D(2024, 6, 1),
                is_dishonest=True,
                dishonest_published_date=D(2024, 7, 1),
            ),
            dict(
                case_no="(2024)黑0403执7号",
                party_name="张三丰",
                court="工农区人民法院",
                uscc=P,
                party_id_no=PERSON_ID,
                filed_date=D(2024, 3, 1),
                is_dishonest=False,
            ),
        ],
    )
    ins(
        "serious_dishonest",
        [
            dict(
                uscc=A,
                list_name="重大税收违法失信主体",
                department="市税务局",
                listed_date=D(2023, 1, 1),
                removed_date=D(2024, 3, 1),
                removed_reason="信用修复",
            ),
        ],
    )
    ins(
        "campaign_lists",
        [
            dict(uscc=A, campaign="拖欠农民工工资专项治理", department="市人社局", listed_date=D(2024, 7, 1)),
        ],
    )
    ins(
        "objections",
        [
            dict(
                objection_id="o1",
                uscc=A,
                department="市税务局",
                received_date=D(2024, 9, 2),
                answered_date=D(2024, 9, 6),
                outcome="更正",
            ),
            # 13th, 14th (调休 Saturday), 18th–20th: 5 statutory working days across the Mid-Autumn holiday
            dict(
                objection_id="o2",
                uscc=A,
                department="市税务局",
                received_date=D(2024, 9, 12),
                answered_date=D(2024, 9, 20),
                outcome="维持",
            ),
            dict(
                objection_id="o3",
                uscc=A,
                department="市市场监管局",
                received_date=D(2024, 9, 25),
                answered_date=D(2024, 10, 8),
                outcome="更正",
            ),
        ],
    )
    ins(
        "commitments",
        [
            dict(
                commitment_id="c1",
                uscc=A,
                kind="告知承诺",
                department="市市场监管局",
                signed_date=D(2024, 1, 1),
                due_date=D(2024, 6, 30),
                fulfilment="履约",
            ),
            dict(
                commitment_id="c2",
                uscc=A,
                kind="信用修复承诺",
                department="市税务局",
                signed_date=D(2024, 9, 1),
                due_date=D(2025, 3, 1),
                fulfilment="履约中",
            ),
        ],
    )
    ins(
        "loans",
        [
            dict(
                loan_id="l1",
                uscc=A,
                lender="鹤岗农商银行",
                amount_wan_yuan=50.0,
                due_date=D(2024, 9, 20),
                buffer_days=5,
            ),
            dict(
                loan_id="l2",
                uscc=A,
                lender="鹤岗农商银行",
                amount_wan_yuan=20.0,
                due_date=D(2024, 9, 28),
                repaid_date=D(2024, 10, 3),
            ),
            dict(loan_id="l3", uscc=A, lender="龙江银行", amount_wan_yuan=80.0, due_date=D(2024, 12, 31)),
        ],
    )
    ins(
        "tax_credit",
        [
            dict(uscc=A, year=2022, grade="A"),
            dict(uscc=A, year=2023, grade="B", published_date=D(2024, 5, 10)),
            dict(uscc=A, year=2024, grade="A"),  # published 2025-04-30 by default: after T
        ],
    )
    ins(
        "evaluations",
        [
            dict(uscc=A, evaluator="公共信用综合评价", eval_date=D(2023, 12, 31), grade="B", score=80.0),
            dict(uscc=A, evaluator="公共信用综合评价", eval_date=D(2024, 6, 30), grade="C", score=65.0),
            dict(uscc=A, evaluator="市税务局", eval_date=D(2024, 7, 1), grade="D", score=55.0),
            dict(uscc=A, evaluator="市税务局", eval_date=D(2024, 12, 1), grade="B", score=85.0),  # after T
        ],
    )
    schema.build_marts(warehouse)
    return warehouse


# ---- search ---------------------------------------------------------------------------------


def test_search_by_chinese_substring(con):
    found = profile.search_subjects(con, "甲", ALL)
    assert list(found.columns) == ["uscc", "name", "status", "district_name", "industry_name", "matched_by"]
    assert rows(found, "name", "status", "district_name", "industry_name") == [
        ("兴山区甲_乙商店", "存续", None, None),
        ("南山区甲乙烧烤店", "存续", "南山区", None),
        ("鹤岗市甲商贸有限公司", "存续", "向阳区", "批发和零售业"),
    ]


def test_search_by_uscc_prefix_case_insensitive_and_exact_first(con):
    assert rows(profile.search_subjects(con, A[:10].lower(), ALL), "uscc", "name") == [(A, "鹤岗市甲商贸有限公司")]
    # surviving subjects first: B was deregistered (注销) and comes last
    assert rows(profile.search_subjects(con, "9123040", ALL), "uscc") == [
        (A,),
        (make_uscc("91", "230406", "MA3B4C5D"),),
        (make_uscc("91", "230407", "MA4B5C6D"),),
        (B,),
    ]
    assert rows(profile.search_subjects(con, f"  {A} ", ALL), "uscc") == [(A,)]


def test_search_forgives_spaces_and_full_width_characters(con):
    # every term must be in the name, in any order and with any white space between them
    assert rows(profile.search_subjects(con, "鹤岗市  甲", ALL), "name") == [("鹤岗市甲商贸有限公司",)]
    assert rows(profile.search_subjects(con, "有限公司 鹤岗市", ALL), "name") == [
        ("鹤岗市甲商贸有限公司",),
        ("鹤岗市乙煤业有限公司",),
    ]
    assert rows(profile.search_subjects(con, "\u3000鹤岗市\u3000乙\u3000", ALL), "name") == [("鹤岗市乙煤业有限公司",)]
    # full-width digits and letters (NFKC) find the USCC
    full_width = A[:8].translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert rows(profile.search_subjects(con, full_width, ALL), "uscc", "matched_by")[0] == (A, "uscc")
    assert profile.search_terms("ａ  ｂ　c d e f") == ["a", "b", "c", "def"]


def test_search_finds_the_legal_representative_for_the_office_only(con):
    assert rows(profile.search_subjects(con, "王五", ALL), "uscc", "matched_by") == [(A, "legal_rep")]
    assert profile.search_subjects(con, "王五", Scope.of("market")).empty


def test_search_treats_like_wildcards_literally_and_limits(con):
    assert rows(profile.search_subjects(con, "%", ALL), "name") == [("东山区50%折扣店",)]
    assert rows(profile.search_subjects(con, "甲_乙", ALL), "name") == [("兴山区甲_乙商店",)]
    assert len(profile.search_subjects(con, "区", ALL, limit=2)) == 2
    assert profile.search_subjects(con, "   ", ALL).empty
    assert profile.search_subjects(con, "不存在的名称", ALL).empty


# ---- profile --------------------------------------------------------------------------------


def test_profile_has_every_section(con):
    prof = profile.subject_profile(con, A, T, ALL)
    assert tuple(prof) == profile.SECTIONS
    assert all(isinstance(f, pd.DataFrame) for f in prof.values())
    assert list(prof["warnings"].columns) == list(credit_warnings.WARNING_COLUMNS)
    assert list(prof["grades"].columns) == list(grading.GRADE_COLUMNS)
    assert list(prof["grade_history"].columns) == list(grading.HISTORY_COLUMNS)


def test_identity_is_the_registry_record_at_t(con):
    ident = profile.subject_profile(con, A.lower(), T, Scope.of("tax"))["identity"]
    assert rows(
        ident,
        "uscc",
        "name",
        "is_active",
        "is_surviving_enterprise",
        "uscc_kind",
        "district_name",
        "industry_name",
        "supervising_department_code",
        "supervising_department_name",
        "legal_rep",
    ) == [(A, "鹤岗市甲商贸有限公司", True, True, "91", "向阳区", "批发和零售业", "commerce", "市商务局", "王五")]
    closed = profile.subject_profile(con, B, T, ALL)["identity"]
    assert rows(closed, "status", "closed_date", "is_active", "is_surviving_enterprise") == [
        ("注销", D(2024, 6, 1), False, False)
    ]
    assert rows(profile.subject_profile(con, B, D(2024, 5, 31), ALL)["identity"], "is_surviving_enterprise") == [
        (True,)
    ]


def test_penalty_timeline_p9_p10_p11_and_repair_status(con):
    pen = profile.subject_profile(con, A, T, ALL)["penalties"]
    assert rows(
        pen,
        "decision_no",
        "department_code",
        "is_excluded_p7",
        "in_publicity",
        "eligible_for_repair_date",
        "eligible_for_repair",
        "repair_status",
        "repaired_date",
        "publicity_end_date",
    ) == [
        ("P1", "tax", False, True, D(2024, 11, 30), False, "未申请", None, D(2025, 8, 31)),
        ("P5", "tax", True, False, D(2024, 8, 1), False, "未申请", None, D(2025, 5, 1)),
        ("P2", "market", False, True, D(2024, 6, 15), True, "申请中", None, D(2025, 3, 15)),
        ("P4", "tax", False, True, D(2024, 5, 1), True, "申请中", None, D(2025, 2, 1)),
        ("P3", "tax", False, False, D(2024, 4, 10), False, "已修复", D(2024, 9, 20), D(2025, 1, 10)),
    ]
    later = profile.subject_profile(con, A, D(2024, 10, 20), ALL)["penalties"].set_index("decision_no")
    assert later.loc["P4", "repair_status"] == "已修复" and not later.loc["P4", "in_publicity"]
    assert later.loc["P6", "in_publicity"]


def test_sections_follow_the_viewer_scope(con):
    prof = profile.subject_profile(con, A, T, Scope.of("tax"))
    assert rows(prof["penalties"], "decision_no") == [("P1",), ("P5",), ("P4",), ("P3",)]
    assert prof["licenses"].empty and prof["loans"].empty and prof["executees"].empty
    assert rows(prof["tax_credit"], "year", "grade", "published_date") == [
        (2023, "B", D(2024, 5, 10)),
        (2022, "A", D(2023, 4, 30)),
    ]
    assert rows(prof["serious_dishonest"], "list_name") == [("重大税收违法失信主体",)]
    assert rows(prof["objections"], "objection_id") == [("o2",), ("o1",)]
    assert len(prof["identity"]) == 1
    assert all(not f.empty for k, f in profile.subject_profile(con, A, T, Scope.of()).items() if k == "identity")
    nothing = profile.subject_profile(con, A, T, Scope.of())
    assert all(nothing[k].empty for k in profile.SECTION_QUERIES if k != "identity")


def test_grades_and_warnings_of_the_subject(con):
    prof = profile.subject_profile(con, A, T, ALL)
    assert rows(prof["grade_history"], "evaluator", "eval_date", "grade") == [
        ("市税务局", D(2024, 7, 1), "D"),
        ("公共信用综合评价", D(2024, 6, 30), "C"),
        ("公共信用综合评价", D(2023, 12, 31), "B"),
    ]
    assert ("tax", "D") in rows(prof["grades"], "department_code", "grade")
    assert set(prof["grades"]["uscc"]) == {A}
    found = sorted(set(rows(prof["warnings"], "warning_type", "department_code")))
    assert found == sorted(
        {
            ("W1", "tax"),
            ("W1", "market"),
            ("W1b", "tax"),
            ("W1b", "market"),
            ("W1c", "human_resources"),
            ("W2", "market"),
            ("W3", "commerce"),
            ("W5", "financial_regulation"),
            ("W5", "commerce"),
        }
    )
    assert set(prof["warnings"]["uscc"]) == {A}
    tax_only = profile.subject_profile(con, A, T, Scope.of("tax"))
    assert set(tax_only["warnings"]["department_code"]) == {"tax"}


def test_licences_expiry_at_t(con):
    lic = profile.subject_profile(con, A, T, ALL)["licenses"]
    assert rows(lic, "license_no", "expiry_status", "days_to_expiry", "department_code") == [
        ("L3", "已过期", -29, "market"),
        ("L1", "即将到期", 15, "market"),
        ("L4", "无效", 93, "market"),
        ("L2", "长期有效", None, "market"),
    ]


def test_lists_at_t(con):
    prof = profile.subject_profile(con, A, T, ALL)
    assert rows(prof["abnormal_operations"], "listed_date", "removed_date", "is_active", "department_code") == [
        (D(2024, 5, 1), None, True, "market"),
        (D(2022, 5, 1), D(2022, 8, 1), False, "market"),
    ]
    assert rows(prof["executees"], "case_no", "department_code", "is_active", "is_dishonest_at") == [
        ("(2024)黑04执100号", "court", True, True)
    ]
    assert rows(prof["serious_dishonest"], "list_name", "department_code", "is_active") == [
        ("重大税收违法失信主体", "tax", False)
    ]
    assert rows(prof["campaign_lists"], "campaign", "department_code", "is_active") == [
        ("拖欠农民工工资专项治理", "human_resources", True)
    ]


def test_repairs_objections_commitments_loans_at_t(con):
    prof = profile.subject_profile(con, A, T, ALL)
    assert rows(prof["repairs"], "repair_id", "status_at", "decided_date", "department_code") == [
        ("r3", "申请中", None, "tax"),
        ("r1", "已修复", D(2024, 9, 20), "tax"),
        ("r2", "申请中", None, "market"),
    ]
    assert rows(
        prof["objections"],
        "objection_id",
        "answered_date",
        "working_days_to_answer",
        "answered_within_sla",
        "department_code",
    ) == [
        ("o3", None, None, None, "market"),
        ("o2", D(2024, 9, 20), 5, True, "tax"),
        ("o1", D(2024, 9, 6), 4, True, "tax"),
    ]
    assert rows(prof["commitments"], "commitment_id", "is_due", "department_code") == [
        ("c2", False, "tax"),
        ("c1", True, "market"),
    ]
    assert rows(prof["loans"], "loan_id", "repaid_date", "buffer_days", "is_in_default", "department_code") == [
        ("l3", None, 0, False, "financial_regulation"),
        ("l2", None, 0, True, "financial_regulation"),
        ("l1", None, 5, True, "financial_regulation"),
    ]


def test_natural_persons_masked_unless_granted(con):
    masked = profile.subject_profile(con, P, T, ALL)
    assert rows(masked["penalties"], "party_name", "party_id_no") == [("张**", "230403********1233")]
    assert rows(masked["executees"], "party_name", "party_id_no") == [("张**", "230403********1233")]
    shown = profile.subject_profile(con, P, T, Scope.all(personal_data=True))
    assert rows(shown["penalties"], "party_name", "party_id_no") == [("张三丰", PERSON_ID)]
    assert rows(shown["executees"], "party_name", "party_id_no") == [("张三丰", PERSON_ID)]
    # organisations' names are public
    assert set(profile.subject_profile(con, A, T, ALL)["penalties"]["party_name"]) == {"鹤岗市甲商贸有限公司"}


def test_unknown_uscc_gives_empty_sections(con):
    prof = profile.subject_profile(con, make_uscc("91", "230421", "MA9Y9Y9Y"), T, ALL)
    assert all(f.empty for f in prof.values())


# ---- command line ---------------------------------------------------------------------------


def test_cli_profile_json_masked(con, tmp_path, monkeypatch, capsys):
    from dashboard import __main__ as cli
    from dashboard.cli import profile as cli_profile
    from dashboard.core.settings import Settings
    from dashboard.store import snapshots

    settings = Settings.load(env={"DASHBOARD_DATA_DIR": str(tmp_path / "data")})
    building = snapshots.paths(settings).building_path("20240930T000000.000Z-test")
    building.parent.mkdir(parents=True)
    con.execute("ATTACH ? AS snap", [str(building)])
    con.execute("COPY FROM DATABASE warehouse TO snap")
    con.execute("DETACH snap")
    snapshots.install(settings, building, "20240930T000000.000Z-test")
    snapshots.publish(settings, "20240930T000000.000Z-test")
    monkeypatch.setattr(cli_profile, "get_settings", lambda: settings)

    assert cli.main(["profile", "--uscc", P, "--as-of", "2024-09-30", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["as_of"] == "2024-09-30" and doc["identity"][0]["name"] == "南山区甲乙烧烤店"
    assert doc["penalties"][0]["party_name"] == "张**" and doc["penalties"][0]["decision_date"] == "2024-09-01"
    assert PERSON_ID not in json.dumps(doc, ensure_ascii=False)

    assert cli.main(["profile", "--uscc", A, "--as-of", "2024-09-30"]) == 0
    text = capsys.readouterr().out
    assert "【行政处罚】5 条" in text and "P4" in text and "P6" not in text

    assert cli.main(["profile", "--search", "烧烤"]) == 0
    assert "南山区甲乙烧烤店" in capsys.readouterr().out
