"""Exact rows of every warning type (docs/rules.md W1–W5) on tiny hand-written warehouses."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from dashboard.core.identifiers import make_uscc
from dashboard.core.scope import Scope
from dashboard.rules.credit_warnings import WARNING_COLUMNS, warnings_at
from dashboard.store import schema

D = dt.date
T = D(2024, 8, 31)
ALL = Scope.all()


def uscc(tag: str, kind: str = "91") -> str:
    return make_uscc(kind, "230402", f"MA{tag:0>6}")


def load(con, **entities):
    for entity, rows in entities.items():
        schema.insert_current_rows(con, entity, rows)
    schema.build_marts(con)


def plain(value):
    """Frame values as plain Python: dates as dt.date, missing as None."""
    if isinstance(value, list):
        return value
    if value is None or pd.isna(value):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


def rows(frame, *columns):
    return sorted(tuple(plain(v) for v in r) for r in frame[list(columns)].itertuples(index=False, name=None))


def penalty(no, subject, decided, authority="市税务局", **extra):
    return dict(
        decision_no=no,
        party_name=f"主体{subject}",
        party_category="法人及非法人组织",
        uscc=uscc(subject),
        penalty_kinds="罚款",
        decision_date=decided,
        authority=authority,
        reported_at=decided,
        **extra,
    )


# ---- W1 -------------------------------------------------------------------------------------

W1_PENALTIES = [
    # A: one decision exactly 6 months before T (outside the half-open window) + one inside: 1 in 6, 2 in 12
    penalty("A1", "A", D(2024, 2, 29)),
    penalty("A2", "A", D(2024, 5, 10)),
    # B: 2 in 6 months, issued by two departments
    penalty("B1", "B", D(2024, 3, 1)),
    penalty("B2", "B", D(2024, 7, 1), authority="市场监管局"),
    # C: 3 in 12 months, only 1 in 6
    penalty("C1", "C", D(2023, 10, 15)),
    penalty("C2", "C", D(2023, 12, 1)),
    penalty("C3", "C", D(2024, 6, 1)),
    # D: P7 — simple procedure and minor/first offence do not count
    penalty("D1", "D", D(2024, 7, 1), procedure="简易"),
    penalty("D2", "D", D(2024, 8, 1), minor_first_offence=True),
    penalty("D3", "D", D(2024, 8, 15)),
    # E: 2 in 6 months, but E1's repair is approved the day before T
    penalty("E1", "E", D(2024, 6, 1)),
    penalty("E2", "E", D(2024, 7, 1)),
    # F: F1's 公示截止期 was a placeholder (NULL in staging): decision + 12 months, so still public
    penalty("F1", "F", D(2023, 9, 15), _flags="placeholder_date"),
    penalty("F3", "F", D(2024, 1, 20)),
    penalty("F4", "F", D(2024, 4, 1)),
    # G: a declared 公示截止期 that has passed takes G1 out
    penalty("G1", "G", D(2023, 10, 1), publicity_end=D(2024, 1, 1)),
    penalty("G2", "G", D(2024, 2, 1)),
    penalty("G3", "G", D(2024, 3, 1)),
    # natural persons are never warned
    dict(
        decision_no="N1",
        party_name="张三",
        party_category="自然人",
        party_id_no="230402199001011234",
        penalty_kinds="罚款",
        decision_date=D(2024, 7, 1),
        authority="市税务局",
    ),
    dict(
        decision_no="N2",
        party_name="张三",
        party_category="自然人",
        party_id_no="230402199001011234",
        penalty_kinds="罚款",
        decision_date=D(2024, 8, 1),
        authority="市税务局",
    ),
]
W1_REPAIRS = [
    dict(
        repair_id="rE1",
        uscc=uscc("E"),
        record_type="penalty",
        record_ref="E1",
        applied_date=D(2024, 8, 1),
        status="已修复",
        decided_date=D(2024, 8, 30),
    )
]


@pytest.fixture
def w1(warehouse):
    load(
        warehouse,
        penalties=W1_PENALTIES,
        repairs=W1_REPAIRS,
        subjects=[dict(uscc=uscc("B"), name="鹤岗市乙商贸有限公司", status="存续", established_date=D(2020, 1, 1))],
    )
    return warehouse


def test_w1_windows_p7_repair_and_placeholder(w1):
    got = warnings_at(w1, T, ALL, types=["W1"])
    assert list(got.columns) == list(WARNING_COLUMNS)
    assert rows(
        got,
        "uscc",
        "subject_name",
        "department_code",
        "reason",
        "anchor_records",
        "first_seen_date",
        "first_seen_month",
    ) == sorted(
        [
            (
                uscc("B"),
                "主体B",
                "market",
                "近6个月受到2次行政处罚（公示期内）",
                ["B1", "B2"],
                D(2024, 7, 1),
                D(2024, 7, 31),
            ),
            (
                uscc("B"),
                "主体B",
                "tax",
                "近6个月受到2次行政处罚（公示期内）",
                ["B1", "B2"],
                D(2024, 7, 1),
                D(2024, 7, 31),
            ),
            # C held from C2 (2 in 6) until C1 left the 6-month window on 2024-04-15; C3 opened a new episode
            (
                uscc("C"),
                "主体C",
                "tax",
                "近12个月受到3次行政处罚（公示期内）",
                ["C1", "C2", "C3"],
                D(2024, 6, 1),
                D(2024, 6, 30),
            ),
            (
                uscc("F"),
                "主体F",
                "tax",
                "近12个月受到3次行政处罚（公示期内）",
                ["F1", "F3", "F4"],
                D(2024, 4, 1),
                D(2024, 4, 30),
            ),
        ]
    )
    assert got["warning_type"].unique().tolist() == ["W1"]
    assert sorted(got["department_name"]) == ["市市场监管局", "市税务局", "市税务局", "市税务局"]
    assert got["warning_id"].str.match(r"^W1-[0-9a-f]{12}$").all()
    assert got["warning_id"].is_unique


def test_w1_both_windows_and_the_repair_the_day_before(w1):
    # two days before T, E1's repair is not approved yet: E is warned
    got = warnings_at(w1, D(2024, 8, 29), ALL, types=["W1"])
    assert rows(got[got["uscc"] == uscc("E")], "department_code", "reason", "anchor_records") == [
        ("tax", "近6个月受到2次行政处罚（公示期内）", ["E1", "E2"])
    ]
    # both rules hold for C on 2023-12-31 (C1, C2 in 6 months) → only the 6-month rule;
    # on 2024-06-01 F has 2 in 6 and 3 in 12
    f = warnings_at(w1, D(2024, 6, 1), ALL, types=["W1"])
    assert rows(f[f["uscc"] == uscc("F")], "reason") == [
        ("近6个月受到2次行政处罚（公示期内）；近12个月受到3次行政处罚（公示期内）",)
    ]


def test_w1_ids_stable_across_as_of_dates_while_holding(w1):
    def ids(day):
        got = warnings_at(w1, day, ALL, types=["W1"])
        return dict(zip(zip(got["uscc"], got["department_code"]), got["warning_id"]))

    july, august = ids(D(2024, 7, 15)), ids(T)
    assert july[(uscc("B"), "tax")] == august[(uscc("B"), "tax")]
    assert ids(D(2024, 9, 30))[(uscc("C"), "tax")] == august[(uscc("C"), "tax")]
    # C's earlier episode (2023-12-01 … 2024-04-14) is another warning
    assert ids(D(2024, 1, 31))[(uscc("C"), "tax")] != august[(uscc("C"), "tax")]


def test_warning_ids_stable_across_two_loads(tmp_path):
    def load_once(name, order):
        con = duckdb.connect(str(tmp_path / name))
        schema.create_warehouse(con)
        schema.load_reference(con)
        load(con, penalties=W1_PENALTIES[::order], repairs=W1_REPAIRS)
        got = warnings_at(con, T, ALL)
        con.close()
        return sorted(zip(got["warning_id"], got["warning_type"], got["uscc"], got["department_code"]))

    first, second = load_once("one.duckdb", 1), load_once("two.duckdb", -1)
    assert first == second and len(first) > 0


# ---- W1b ------------------------------------------------------------------------------------


def test_w1b_should_repair_not_repaired(warehouse):
    load(
        warehouse,
        penalties=[
            penalty("P1", "P", D(2024, 5, 1)),  # eligible 2024-08-01
            penalty("P2", "P", D(2024, 5, 31), authority="市场监管局"),  # eligible exactly T
            penalty("P3", "P", D(2024, 6, 1)),  # eligible 2024-09-01: not yet
            penalty("P4", "Q", D(2024, 3, 1)),  # repair application in progress
            penalty("P5", "Q", D(2024, 2, 1)),  # repair approved the day before T
            penalty("P6", "Q", D(2024, 1, 1), severity="严重"),  # serious: minimum 12 months
            penalty("P8", "Q", D(2024, 1, 1), procedure="简易"),  # P7
            penalty("P9", "Q", D(2023, 6, 1)),  # publicity ended 2024-06-01
            dict(
                decision_no="P7",
                party_name="李四",
                party_category="自然人",
                party_id_no="230402199001011234",
                penalty_kinds="罚款",
                decision_date=D(2024, 1, 1),
                authority="市税务局",
            ),
        ],
        repairs=[
            dict(
                repair_id="r4",
                uscc=uscc("Q"),
                record_type="penalty",
                record_ref="P4",
                applied_date=D(2024, 8, 20),
                status="申请中",
            ),
            dict(
                repair_id="r5",
                uscc=uscc("Q"),
                record_type="penalty",
                record_ref="P5",
                applied_date=D(2024, 8, 1),
                status="已修复",
                decided_date=D(2024, 8, 30),
            ),
        ],
    )
    got = warnings_at(warehouse, T, ALL, types=["W1b"])
    assert rows(
        got, "uscc", "department_code", "anchor_records", "repair_status", "first_seen_date", "reason"
    ) == sorted(
        [
            (
                uscc("P"),
                "tax",
                ["P1"],
                "未申请",
                D(2024, 8, 1),
                "行政处罚（2024-05-01决定）已满最短公示期，自2024-08-01起可申请信用修复，尚未修复",
            ),
            (
                uscc("P"),
                "market",
                ["P2"],
                "未申请",
                D(2024, 8, 31),
                "行政处罚（2024-05-31决定）已满最短公示期，自2024-08-31起可申请信用修复，尚未修复",
            ),
            (
                uscc("Q"),
                "tax",
                ["P4"],
                "申请中",
                D(2024, 6, 1),
                "行政处罚（2024-03-01决定）已满最短公示期，自2024-06-01起可申请信用修复，尚未修复（修复申请中）",
            ),
        ]
    )


# ---- W1c ------------------------------------------------------------------------------------


def test_w1c_active_campaign_listings(warehouse):
    def listing(tag, listed, closed=None, department="市场监管局"):
        return dict(
            uscc=uscc(tag), campaign=f"专项{tag}", department=department, listed_date=listed, closed_date=closed
        )

    load(
        warehouse,
        campaign_lists=[
            listing("K1", T),  # listed on T: active
            listing("K2", D(2024, 9, 1)),  # listed after T
            listing("K3", D(2024, 1, 1), closed=T),  # closed by T
            listing("K4", D(2024, 1, 1), closed=D(2024, 9, 1)),
            listing("K5", D(2024, 1, 1), department="省某某厅"),  # a department the reference data does not know
        ],
    )
    got = warnings_at(warehouse, T, ALL, types=["W1c"])
    assert rows(got, "uscc", "department_code", "department_name", "reason", "anchor_records") == sorted(
        [
            (uscc("K1"), "market", "市市场监管局", "列入专项治理名单「专项K1」（2024-08-31列入）", ["专项K1"]),
            (uscc("K4"), "market", "市市场监管局", "列入专项治理名单「专项K4」（2024-01-01列入）", ["专项K4"]),
            (uscc("K5"), None, "省某某厅", "列入专项治理名单「专项K5」（2024-01-01列入）", ["专项K5"]),
        ]
    )
    # a department sees its own; the unmapped listing only the credit office
    assert sorted(warnings_at(warehouse, T, Scope.of("market"), types=["W1c"])["uscc"]) == [uscc("K1"), uscc("K4")]


# ---- W2 -------------------------------------------------------------------------------------


def licence(no, tag, valid_to, status="有效"):
    return dict(
        license_no=no,
        party_name=f"主体{tag}",
        uscc=uscc(tag),
        certificate="食品经营许可证",
        decision_date=D(2021, 1, 1),
        valid_from=D(2021, 1, 1),
        valid_to=valid_to,
        authority="市场监管局",
        status=status,
        reported_at=D(2021, 1, 2),
    )


def test_w2_licence_expiry_and_overlays(warehouse):
    load(
        warehouse,
        licenses=[
            licence("L1", "L1", D(2024, 9, 29)),  # inside the horizon, on the 经营异常名录
            licence("L2", "L2", T),  # expires on T itself; dishonest executee
            licence("L3", "L3", D(2024, 9, 30)),  # exactly T + 1 month: not "不足1个月"
            licence("L4", "L4", D(2024, 8, 30)),  # already expired
            licence("L5", "L5", None),  # placeholder expiry: no expiry
            licence("L6", "L6", D(2024, 9, 10), status="无效"),
            licence("L7", "L7", D(2024, 9, 15)),  # overlays that ended by T
        ],
        abnormal_operations=[
            dict(uscc=uscc("L1"), listed_date=D(2024, 1, 1), listed_reason="未按期公示年报"),
            dict(uscc=uscc("L7"), listed_date=D(2024, 1, 1), listed_reason="未按期公示年报", removed_date=T),
        ],
        executees=[
            dict(
                case_no="(2024)黑04执1号",
                party_name="主体L2",
                uscc=uscc("L2"),
                court="鹤岗市中级人民法院",
                filed_date=D(2024, 5, 1),
                is_dishonest=True,
            ),
            dict(
                case_no="(2024)黑04执2号",
                party_name="主体L7",
                uscc=uscc("L7"),
                court="鹤岗市中级人民法院",
                filed_date=D(2024, 5, 1),
                is_dishonest=True,
                closed_date=D(2024, 8, 1),
            ),
            dict(
                case_no="(2024)黑04执3号",
                party_name="主体L7",
                uscc=uscc("L7"),
                court="鹤岗市中级人民法院",
                filed_date=D(2024, 5, 1),
                is_dishonest=False,
            ),
        ],
    )
    got = warnings_at(warehouse, T, ALL, types=["W2"])
    assert rows(got, "anchor_records", "department_code", "risk_level", "expiry_date", "first_seen_date", "reason") == [
        (
            ["L1"],
            "market",
            "高",
            D(2024, 9, 29),
            D(2024, 8, 30),
            "行政许可「食品经营许可证」有效期至2024-09-29，剩余不足1个月；列入经营异常名录",
        ),
        (
            ["L2"],
            "market",
            "高",
            T,
            D(2024, 8, 1),
            "行政许可「食品经营许可证」有效期至2024-08-31，剩余不足1个月；失信被执行人",
        ),
        (
            ["L7"],
            "market",
            "一般",
            D(2024, 9, 15),
            D(2024, 8, 16),
            "行政许可「食品经营许可证」有效期至2024-09-15，剩余不足1个月",
        ),
    ]
    # the first day L3 is listed: T + 1 month must exceed its expiry
    assert warnings_at(warehouse, D(2024, 8, 30), ALL, types=["W2"])["anchor_records"].tolist().count(["L3"]) == 0
    assert ["L3"] in warnings_at(warehouse, D(2024, 9, 1), ALL, types=["W2"])["anchor_records"].tolist()


# ---- W3 -------------------------------------------------------------------------------------


def test_w3_public_evaluation_below_medium_includes_c(warehouse):
    def ev(tag, day, grade, evaluator="公共信用综合评价"):
        return dict(uscc=uscc(tag), evaluator=evaluator, eval_date=day, grade=grade)

    load(
        warehouse,
        subjects=[
            dict(uscc=uscc(t), name=f"主体{t}", status="存续", established_date=D(2020, 1, 1), industry_code=ind)
            for t, ind in (("R1", "F"), ("R2", "H"), ("R3", "F"), ("R4", "F"), ("R5", "F"))
        ],
        evaluations=[
            ev("R1", D(2023, 6, 30), "B"),
            ev("R1", D(2024, 6, 30), "C"),  # C is 中等以下
            ev("R2", D(2023, 6, 30), "D"),
            ev("R2", D(2024, 6, 30), "C"),  # one run since 2023
            ev("R3", D(2024, 6, 30), "B"),
            ev("R4", D(2024, 6, 30), "D"),
            ev("R4", D(2024, 9, 15), "A"),  # the A comes after T
            ev("R5", D(2024, 6, 30), "E", evaluator="市场监管局"),  # an industry evaluation
            ev("R6", D(2024, 6, 30), "E"),  # not in the registry
        ],
    )
    got = warnings_at(warehouse, T, ALL, types=["W3"])
    assert rows(got, "uscc", "subject_name", "department_code", "reason", "first_seen_date") == sorted(
        [
            (uscc("R1"), "主体R1", "commerce", "公共信用综合评价为C级（2024-06-30评价，中等以下）", D(2024, 6, 30)),
            (uscc("R2"), "主体R2", "market", "公共信用综合评价为C级（2024-06-30评价，中等以下）", D(2023, 6, 30)),
            (uscc("R4"), "主体R4", "commerce", "公共信用综合评价为D级（2024-06-30评价，中等以下）", D(2024, 6, 30)),
            (uscc("R6"), None, None, "公共信用综合评价为E级（2024-06-30评价，中等以下）", D(2024, 6, 30)),
        ]
    )
    # R2's D then C is one warning: the same id in 2023 and 2024
    early = warnings_at(warehouse, D(2023, 12, 31), ALL, types=["W3"])
    assert set(early["warning_id"]) & set(got["warning_id"]) == set(got.loc[got["uscc"] == uscc("R2"), "warning_id"])


# ---- W4 -------------------------------------------------------------------------------------


def test_w4_government_bodies_as_executees(warehouse):
    government = make_uscc("11", "230400", "00123456")
    enterprise = make_uscc("91", "230400", "MA12345X")
    bad = government[:17] + ("0" if government[17] != "0" else "1")

    def case(no, name, code=None, dishonest=False, closed=None, **extra):
        return dict(
            case_no=no,
            party_name=name,
            uscc=code,
            court="鹤岗市中级人民法院",
            filed_date=D(2024, 3, 1),
            is_dishonest=dishonest,
            closed_date=closed,
            **extra,
        )

    load(
        warehouse,
        executees=[
            case("X1", "鹤岗市某某局", government),
            case("X2", "鹤岗市某某镇人民政府", dishonest=True),
            case("X3", "鹤岗市某农场有限公司"),  # 场, but a 公司: not a government body
            case("X4", "鹤岗市某某局", enterprise),  # a valid 91 code: never a government body
            case("X5", "鹤岗市某某服务中心", bad),  # invalid code: judged by its name
            case("X6", "鹤岗市另一局", government, closed=T),  # closed by T
            # a kind-11 code on a 有限公司 name: the exclusion words hold on the USCC branch too
            case("X7", "鹤岗市某国有资产经营有限公司", government),
        ],
    )
    got = warnings_at(warehouse, T, ALL, types=["W4"])
    assert rows(got, "anchor_records", "subject_name", "department_code", "escalated", "first_seen_date") == [
        (["X1"], "鹤岗市某某局", "court", False, D(2024, 3, 1)),
        (["X2"], "鹤岗市某某镇人民政府", "court", True, D(2024, 3, 1)),
        (["X5"], "鹤岗市某某服务中心", "court", False, D(2024, 3, 1)),
    ]
    assert got.loc[[a == ["X2"] for a in got["anchor_records"]], "reason"].item() == (
        "政府机构（部门）被列为被执行人（鹤岗市中级人民法院，案号X2，2024-03-01立案），已被纳入失信被执行人"
    )


# ---- W5 -------------------------------------------------------------------------------------


def test_w5_loan_default_after_buffer(warehouse):
    def loan(loan_id, tag, due, buffer=None, repaid=None):
        return dict(
            loan_id=loan_id,
            uscc=uscc(tag),
            lender="鹤岗某银行",
            amount_wan_yuan=50.0,
            due_date=due,
            buffer_days=buffer,
            repaid_date=repaid,
        )

    load(
        warehouse,
        subjects=[
            dict(uscc=uscc("M1"), name="主体M1", status="存续", established_date=D(2020, 1, 1), industry_code="F")
        ],
        loans=[
            loan("LN1", "M1", D(2024, 8, 20), buffer=10),  # buffer ended 08-30: in default
            loan("LN2", "M1", D(2024, 8, 21), buffer=10),  # buffer ends on T
            loan("LN3", "M2", D(2024, 8, 30)),  # no buffer given: 0
            loan("LN4", "M2", D(2024, 7, 1), repaid=T),  # repaid by T
            loan("LN5", "M2", D(2024, 7, 1), repaid=D(2024, 9, 5)),  # repaid after T
        ],
    )
    got = warnings_at(warehouse, T, ALL, types=["W5"])
    assert rows(got, "anchor_records", "uscc", "department_code", "first_seen_date") == [
        (["LN1"], uscc("M1"), "commerce", D(2024, 8, 31)),
        (["LN1"], uscc("M1"), "financial_regulation", D(2024, 8, 31)),
        (["LN3"], uscc("M2"), "financial_regulation", D(2024, 8, 31)),
        (["LN5"], uscc("M2"), "financial_regulation", D(2024, 7, 2)),
    ]
    assert got.loc[[a == ["LN3"] for a in got["anchor_records"]], "reason"].item() == (
        "信易贷逾期未还款（鹤岗某银行，到期日2024-08-30，缓冲期0天）"
    )


def test_scope_types_and_department_filters(w1):
    market = warnings_at(w1, T, Scope.of("market"))
    assert rows(market, "warning_type", "uscc", "department_code") == [("W1", uscc("B"), "market")]
    assert warnings_at(w1, T, ALL, department_code="market")["uscc"].tolist() == [uscc("B")]
    one = warnings_at(w1, T, ALL, uscc=uscc("C"))
    assert rows(one, "warning_type", "uscc", "anchor_records") == [
        ("W1", uscc("C"), ["C1", "C2", "C3"]),
        ("W1b", uscc("C"), ["C1"]),
        ("W1b", uscc("C"), ["C2"]),
    ]
    assert warnings_at(w1, T, Scope.of("court")).empty
    with pytest.raises(ValueError):
        warnings_at(w1, T, ALL, types=["W9"])
