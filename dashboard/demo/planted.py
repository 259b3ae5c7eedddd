"""Hand-written cases planted in every demo drop, dated relative to T (the last month-end
before as_of), so that each rule of docs/rules.md has examples on both sides of its boundaries.

Planted subjects have trade names beginning with 鹤 (bulk trade names never do) and organisation
codes beginning MA0 (bulk codes never do), so they never collide with the bulk. `planted(T, as_of,
departments)` returns the rows per entity and the list of PlantedCase expectations, which tests
(and anyone checking a rule on the demo) can read without generating a drop.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from dashboard.core.identifiers import USCC_CHARSET, make_resident_id, make_uscc
from dashboard.core.workdays import add_workdays, is_workday
from dashboard.demo.bulk import wrong_check
from dashboard.demo.calendar import add_months

PLACEHOLDER_DATES = (dt.date(1900, 1, 1), dt.date(2099, 12, 31), dt.date(9999, 9, 9))


@dataclass(frozen=True)
class PlantedCase:
    """One planted expectation: at T, does `rule` hold for this subject (and record)?"""

    rule: str
    subject: str
    uscc: str | None
    holds: bool
    note: str
    record: str | None = None


def _workday_on_or_after(day: dt.date) -> dt.date:
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


@dataclass
class Planted:
    rows: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    raw: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    cases: list[PlantedCase] = field(default_factory=list)
    # (department code, decision date, 0 penalty / 1 licence) for the departments' ledgers
    ledger: list[tuple[str, dt.date, int]] = field(default_factory=list)


class Planter:
    def __init__(self, T: dt.date, as_of: dt.date, departments: list[dict]) -> None:
        self.T, self.as_of = T, as_of
        self.dept = {d["department_code"]: d for d in departments}
        self.out = Planted()
        self._org = 0
        self._doc = 0
        self._ids = 0

    def uscc_of(self, name: str) -> str:
        return next(r["uscc"] for r in self.out.rows["subjects"] if r["name"] == name)

    # dates relative to T
    def m(self, k: int) -> dt.date:
        return add_months(self.T, -k)

    def d(self, k: int) -> dt.date:
        return self.T - dt.timedelta(days=k)

    def case(self, rule, subject, uscc, holds, note, record=None) -> None:
        self.out.cases.append(PlantedCase(rule, subject, uscc, holds, note, record))

    # ------------------------------------------------------------ subjects and persons
    def subject(
        self,
        name: str,
        kind: str = "91",
        region: str = "230402",
        industry: str = "F",
        est: dt.date = dt.date(2016, 5, 10),
        status: str = "存续",
        closed: dt.date | None = None,
        bad_check: bool = False,
        uscc: str | None = None,
        register: bool = True,
    ) -> str:
        if uscc is None:
            self._org += 1
            n, digits = self._org, ""
            for _ in range(5):
                n, r = divmod(n, 31)
                digits = USCC_CHARSET[r] + digits
            uscc = make_uscc(kind, region, "MA0" + digits)
            if bad_check:
                uscc = wrong_check(uscc)
        if register:
            self.out.rows["subjects"].append(
                {
                    "uscc": uscc,
                    "name": name,
                    "status": status,
                    "established_date": est,
                    "district_code": region,
                    "industry_code": industry if kind in ("91", "92", "93") else "S",
                    "closed_date": closed,
                    "legal_rep": "刘鹤鸣" if kind in ("91", "92", "93") else None,
                }
            )
        return uscc

    def person_id(self, region: str = "230403", bad: str | None = None) -> str:
        self._ids += 1
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=37 * self._ids)  # bulk births start in 1956
        number = make_resident_id(region, birth, f"{100 + self._ids:03d}")
        if bad == "check":
            number = number[:17] + ("1" if number[17] != "1" else "2")
        elif bad == "date":
            number = number[:6] + "19990230" + number[14:]
        return number

    # ------------------------------------------------------------ facts
    def penalty(
        self,
        uscc: str | None,
        name: str,
        dept: str,
        day: dt.date,
        *,
        severity: str | None = "一般",
        end: dt.date | None | str = "max",
        procedure: str = "普通程序",
        minor: bool = False,
        revoked: bool = False,
        category: str = "法人及非法人组织",
        id_no: str | None = None,
        number: str | None = None,
        fine: float | None = 0.5,
        authority_uscc: str | None = None,
        reported: dt.date | None = None,
    ) -> str:
        d = self.dept[dept]
        if number is None:
            self._doc += 1
            number = f"{dept_prefix(dept)}〔{day.year}〕第{self._doc}号"
        if end == "max":
            end = add_months(day, {"轻微": 3, "严重": 36}.get(severity or "一般", 12))
        rep = reported or day
        self.out.rows["penalties"].append(
            {
                "decision_no": number,
                "party_name": name,
                "party_category": category,
                "uscc": uscc,
                "party_id_no": id_no,
                "legal_rep": "刘鹤鸣" if uscc else None,
                "penalty_kinds": "罚款" if fine else "警告",
                "violation_type": "违反有关规定",
                "facts": "当事人违反有关规定",
                "basis": "《中华人民共和国行政处罚法》第二十八条",
                "content": f"罚款人民币{int(fine * 10000)}元" if fine else "警告",
                "fine_wan_yuan": fine,
                "decision_date": day,
                "publicity_end": end,
                "authority": d["full_name"],
                "authority_uscc": authority_uscc or d["authority_usccs"].split("|")[0],
                "source_unit": d["short_name"],
                "reported_at": dt.datetime.combine(rep, dt.time(10, 0)),
                "procedure": procedure,
                "severity": severity,
                "minor_first_offence": minor,
                "revoked": revoked,
            }
        )
        self.out.ledger.append((dept, day, 0))
        return number

    def repair(self, uscc: str, ref: str, applied: dt.date, status: str, decided: dt.date | None) -> None:
        rid = f"XF9{len(self.out.rows['repairs']) + 1:07d}"
        self.out.rows["repairs"].append(
            {
                "repair_id": rid,
                "uscc": uscc,
                "record_type": "行政处罚",
                "record_ref": ref,
                "applied_date": applied,
                "status": status,
                "decided_date": decided,
            }
        )

    def licence(
        self,
        uscc: str,
        name: str,
        dept: str,
        valid_to: dt.date,
        *,
        status: str = "1",
        years: int = 5,
        certificate: str = "食品经营许可证",
        number: str | None = None,
    ) -> str:
        d = self.dept[dept]
        self._doc += 1
        valid_from = add_months(valid_to + dt.timedelta(days=1), -12 * years) if valid_to.year < 2099 else self.m(30)
        number = number or f"JY9230400{self._doc:07d}"
        self.out.rows["licenses"].append(
            {
                "license_no": number,
                "decision_doc_no": f"{dept_prefix(dept)}许〔{valid_from.year}〕第{self._doc}号",
                "party_name": name,
                "uscc": uscc,
                "certificate": certificate,
                "license_kind": "普通",
                "content": f"准予核发{certificate}",
                "decision_date": valid_from,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "authority": d["full_name"],
                "authority_uscc": d["authority_usccs"].split("|")[0],
                "status": status,
                "reported_at": dt.datetime.combine(valid_from, dt.time(15, 30)),
            }
        )
        self.out.ledger.append((dept, valid_from, 1))
        return number

    def abnormal(self, uscc: str, name: str, listed: dt.date, removed: dt.date | None = None) -> None:
        self.out.rows["abnormal_operations"].append(
            {
                "uscc": uscc,
                "x_subject_name": name,
                "listed_date": listed,
                "listed_reason": "通过登记的住所或者经营场所无法联系",
                "removed_date": removed,
                "removed_reason": "依法办理住所变更登记" if removed else None,
                "decided_by": "鹤岗市市场监督管理局",
            }
        )

    def executee(
        self,
        case_no: str,
        name: str,
        filed: dt.date,
        dishonest: bool,
        *,
        uscc: str | None = None,
        id_no: str | None = None,
        closed: dt.date | None = None,
        court: str = "鹤岗市中级人民法院",
    ) -> None:
        self.out.rows["executees"].append(
            {
                "case_no": case_no,
                "party_name": name,
                "court": court,
                "filed_date": filed,
                "is_dishonest": dishonest,
                "uscc": uscc,
                "party_id_no": id_no,
                "dishonest_published_date": filed + dt.timedelta(days=40) if dishonest else None,
                "closed_date": closed,
                "performance": "全部履行" if closed else "全部未履行",
            }
        )

    def evaluation(self, uscc: str, evaluator: str, day: dt.date, grade: str) -> None:
        score = {"A": 930.0, "B": 850.0, "C": 745.5, "D": 650.0, "E": 520.0}[grade]
        self.out.rows["evaluations"].append(
            {"uscc": uscc, "evaluator": evaluator, "eval_date": day, "grade": grade, "score": score}
        )

    def loan(
        self, loan_id: str, uscc: str, name: str, due: dt.date, buffer: int | None, repaid: dt.date | None = None
    ) -> None:
        self.out.rows["loans"].append(
            {
                "loan_id": loan_id,
                "uscc": uscc,
                "x_subject_name": name,
                "lender": "中国工商银行鹤岗分行",
                "amount_wan_yuan": 100.0,
                "due_date": due,
                "repaid_date": repaid,
                "buffer_days": buffer,
            }
        )


_PREFIX = {
    "market": "鹤市监处罚",
    "tax": "鹤税稽罚",
    "coal": "鹤煤安罚",
    "emergency": "鹤应急罚",
    "ecology": "鹤环罚",
    "transport": "鹤交执罚",
    "public_security": "鹤公（治）行罚决字",
    "housing": "鹤住建罚",
    "health": "鹤卫罚",
    "forestry": "鹤林罚",
    "human_resources": "鹤人社监罚",
    "culture_tourism": "鹤文旅罚",
}


def dept_prefix(dept: str) -> str:
    return _PREFIX.get(dept, "鹤罚")


def planted(T: dt.date, as_of: dt.date, departments: list[dict]) -> Planted:
    """All planted rows and expectations for the month-end T (data extracted on as_of > T)."""
    p = Planter(T, as_of, departments)
    m, d = p.m, p.d
    after = T + dt.timedelta(days=1)  # as_of > T, so the day after T is always in the data

    # ---- W1 repeated penalties (2 in 6 months or 3 in 12, in publicity, each number once)
    def w1(name, dates, holds, note, depts=("market",), **kw):
        u = p.subject(name)
        for i, day in enumerate(dates):
            p.penalty(u, name, depts[i % len(depts)], day, **kw)
        p.case("W1", name, u, holds, note)
        return u

    w1(
        "鹤岗市鹤丰商贸有限公司",
        [d(20), m(4)],
        True,
        "2 decisions in 6 months, routed to market and tax",
        depts=("market", "tax"),
    )
    w1(
        "鹤岗市鹤源煤业有限公司",
        [m(11) + dt.timedelta(days=10), m(9), m(7)],
        True,
        "3 in 12 months, none in the last 6",
        depts=("coal", "emergency", "ecology"),
    )
    w1("鹤岗市鹤林木业有限公司", [m(6), d(30)], False, "one decision exactly 6 months before T is outside (T-6m, T]")
    w1(
        "鹤岗市鹤川物流有限公司",
        [m(6) + dt.timedelta(days=1), d(30)],
        True,
        "T-6m+1 day is inside the window",
        depts=("transport",),
    )
    w1(
        "鹤岗市鹤峰建筑工程有限公司",
        [m(12), m(8), m(3)],
        False,
        "exactly T-12m is outside (T-12m, T]",
        depts=("housing",),
    )
    w1(
        "鹤岗市鹤翔运输有限公司",
        [m(12) + dt.timedelta(days=1), m(8), m(3)],
        True,
        "T-12m+1 day is inside",
        depts=("transport",),
    )
    u = p.subject("鹤岗市鹤鸣餐饮管理有限公司", industry="H")
    dup = p.penalty(u, "鹤岗市鹤鸣餐饮管理有限公司", "market", d(40))
    p.penalty(u, "鹤岗市鹤鸣餐饮管理有限公司", "market", d(40), number=dup, fine=0.8)
    p.case(
        "W1",
        "鹤岗市鹤鸣餐饮管理有限公司",
        u,
        False,
        "one decision number twice in the file (a duplicate key): counted once",
        dup,
    )
    p.case("quarantine", "鹤岗市鹤鸣餐饮管理有限公司", u, True, "duplicate_key in penalties", dup)
    u = w1("鹤岗市鹤盛商贸有限公司", [d(25)], False, "second decision under the simple procedure (P7)")
    p.penalty(u, "鹤岗市鹤盛商贸有限公司", "market", m(2), procedure="简易程序", severity="轻微", fine=0.05)
    u = w1("鹤岗市鹤兴食品有限公司", [d(25)], False, "second decision flagged 首违轻微 (P7)")
    p.penalty(u, "鹤岗市鹤兴食品有限公司", "market", m(2), minor=True)
    u = w1("鹤岗市鹤泰建材有限公司", [d(25)], False, "second decision revoked")
    p.penalty(u, "鹤岗市鹤泰建材有限公司", "market", m(3), revoked=True)
    u = w1(
        "鹤岗市鹤隆商贸有限公司",
        [m(8), m(5)],
        False,
        "third decision (轻微, publicity ended after 3 months) is no longer in publicity",
    )
    p.penalty(u, "鹤岗市鹤隆商贸有限公司", "market", m(10), severity="轻微")
    u = p.subject("鹤岗市鹤达汽车销售有限公司")
    p.penalty(u, "鹤岗市鹤达汽车销售有限公司", "market", d(15), end=PLACEHOLDER_DATES[0])
    p.penalty(u, "鹤岗市鹤达汽车销售有限公司", "tax", m(4), end=PLACEHOLDER_DATES[2])
    p.case("W1", "鹤岗市鹤达汽车销售有限公司", u, True, "publicity ends 1900-01-01 / 9999-09-09 are placeholders")
    u = p.subject("鹤岗市鹤宇商贸有限公司")
    p.penalty(u, "鹤岗市鹤宇商贸有限公司", "market", d(15), end=PLACEHOLDER_DATES[1])
    p.penalty(u, "鹤岗市鹤宇商贸有限公司", "market", m(5), end=None)
    p.case("W1", "鹤岗市鹤宇商贸有限公司", u, True, "publicity end 2099-12-31 and empty: start + maximum")
    u = p.subject("鹤岗市鹤润酒店管理有限公司", industry="H")
    ref = p.penalty(u, "鹤岗市鹤润酒店管理有限公司", "health", m(5))
    p.penalty(u, "鹤岗市鹤润酒店管理有限公司", "health", d(20))
    p.repair(u, ref, m(1), "已修复", d(1))
    p.case("W1", "鹤岗市鹤润酒店管理有限公司", u, False, "one of two decisions repaired the day before T")
    p.case("W1b", "鹤岗市鹤润酒店管理有限公司", u, False, "repair approved T-1 day", ref)
    pid = p.person_id()
    for day in (d(30), m(3)):
        p.penalty(None, "张鹤军", "public_security", day, category="自然人", id_no=pid, fine=0.05)
    p.case("W1", "张鹤军", None, False, "a natural person: W1 needs a USCC")

    # ---- P8 severity classes and W1b (应修复未修复, P10/P11)
    def w1b(name, day, holds, note, severity="一般", **kw):
        u = p.subject(name)
        ref = p.penalty(u, name, "market", day, severity=severity, **kw)
        p.case("W1b", name, u, holds, note, ref)
        return u, ref

    w1b("鹤岗市鹤安矿业有限公司", m(13), True, "严重 decided T-13m: 12-month minimum over", severity="严重")
    w1b("鹤岗市鹤宝化工有限公司", m(12), True, "严重 decided exactly T-12m: eligible on T (boundary)", severity="严重")
    w1b("鹤岗市鹤新化工有限公司", m(11), False, "严重 decided T-11m: minimum not over", severity="严重")
    w1b("鹤岗市鹤海商贸有限公司", m(4), True, "一般 decided T-4m, no repair")
    w1b("鹤岗市鹤云科技有限公司", m(3), True, "一般 decided exactly T-3m: eligible (boundary included)")
    w1b("鹤岗市鹤晨餐饮有限公司", m(3) + dt.timedelta(days=1), False, "一般 decided T-3m+1 day: not yet eligible")
    w1b(
        "鹤岗市鹤锦服装有限公司",
        m(2),
        True,
        "轻微 without publicity end: minimum 0, in publicity",
        severity="轻微",
        end=None,
    )
    u, ref = w1b("鹤岗市鹤光物流有限公司", m(5), True, "repair 申请中 still counts")
    p.repair(u, ref, d(10), "申请中", None)
    u, ref = w1b("鹤岗市鹤明贸易有限公司", m(7), True, "repair refused (不予修复)")
    p.repair(u, ref, m(3), "不予修复", m(2))
    u, ref = w1b("鹤岗市鹤瑞百货有限公司", m(5), True, "repair approved the day after T")
    p.repair(u, ref, d(5), "已修复", after)
    u, ref = w1b("鹤岗市鹤欢超市有限公司", m(8), False, "repaired long before T")
    p.repair(u, ref, m(4), "已修复", m(4) + dt.timedelta(days=6))

    # ---- W1c special-campaign lists
    def campaign(name, listed, closed, holds, note, campaign_name="安全生产领域失信问题专项治理", dept="市应急局"):
        u = p.subject(name, industry="B")
        p.out.rows["campaign_lists"].append(
            {"uscc": u, "campaign": campaign_name, "department": dept, "listed_date": listed, "closed_date": closed}
        )
        p.case("W1c", name, u, holds, note)

    campaign("鹤岗市鹤源劳务有限公司", m(2), None, True, "on an active campaign list")
    campaign("鹤岗市鹤通矿山机械有限公司", m(2), d(10), False, "entry closed (销号) before T")
    campaign(
        "鹤岗市鹤信广告传媒有限公司", m(20), m(9), False, "closed campaign", "涉金融领域失信问题专项治理", "市银保监局"
    )
    campaign("鹤岗市鹤德煤业有限公司", after, None, False, "listed after T")

    # ---- W2 licence expiry (T ≤ valid_to < T + 1 month), overlays
    horizon = add_months(T, 1)

    def w2(name, valid_to, holds, note, risk="", **kw):
        u = p.subject(name, industry="H")
        no = p.licence(u, name, "market", valid_to, **kw)
        p.case("W2", name, u, holds, note + (f" (risk {risk})" if risk else ""), no)
        return u

    w2("鹤岗市鹤福餐饮有限公司", T, True, "expires on T", "一般")
    w2(
        "鹤岗市鹤康大药房有限公司",
        horizon - dt.timedelta(days=1),
        True,
        "expires T+1m-1 day",
        "一般",
        certificate="药品经营许可证",
    )
    w2("鹤岗市鹤乐超市有限公司", horizon, False, "expires exactly T+1 month: not < T+1m")
    w2("鹤岗市鹤平商店有限公司", T - dt.timedelta(days=1), False, "expired the day before T")
    w2(
        "鹤岗市鹤宁宾馆有限公司",
        PLACEHOLDER_DATES[1],
        False,
        "2099-12-31 means no expiry",
        certificate="特种行业许可证",
    )
    w2(
        "鹤岗市鹤寿宾馆有限公司",
        PLACEHOLDER_DATES[2],
        False,
        "9999-09-09 means no expiry",
        certificate="特种行业许可证",
    )
    w2("鹤岗市鹤顺运输有限公司", T + dt.timedelta(days=10), False, "status 无效 (code 2)", status="2")
    u = w2("鹤岗市鹤旺商贸有限公司", T + dt.timedelta(days=10), True, "on the 经营异常名录 at T", "高")
    p.abnormal(u, "鹤岗市鹤旺商贸有限公司", m(3))
    u = w2("鹤岗市鹤昌商贸有限公司", T + dt.timedelta(days=12), True, "abnormal listing removed before T", "一般")
    p.abnormal(u, "鹤岗市鹤昌商贸有限公司", m(8), m(1))
    u = w2("鹤岗市鹤泉饮品有限公司", T + dt.timedelta(days=14), True, "a 失信被执行人 at T", "高")
    p.executee(f"（{m(6).year}）黑04执恢9001号", "鹤岗市鹤泉饮品有限公司", m(6), True, uscc=u)
    u = w2("鹤岗市鹤祥建筑有限公司", T + dt.timedelta(days=16), True, "dishonest case closed before T", "一般")
    p.executee(f"（{m(9).year}）黑04执恢9002号", "鹤岗市鹤祥建筑有限公司", m(9), True, uscc=u, closed=d(20))

    # ---- W3 公共信用综合评价 grade C/D/E (latest on or before T)
    def w3(name, grades, holds, note):
        u = p.subject(name)
        for day, grade in grades:
            p.evaluation(u, "公共信用综合评价", day, grade)
        p.case("W3", name, u, holds, note)
        return u

    w3("鹤岗市鹤华商贸有限公司", [(m(7), "C")], True, "grade C: 中等以下 includes the middle grade")
    w3("鹤岗市鹤美食品有限公司", [(m(7), "D")], True, "grade D")
    w3("鹤岗市鹤强物流有限公司", [(m(19), "B"), (m(7), "E")], True, "grade E")
    w3("鹤岗市鹤博商贸有限公司", [(m(19), "D"), (m(7), "B")], False, "earlier D, latest B")
    w3("鹤岗市鹤远农业科技有限公司", [(m(7), "B"), (after, "C")], False, "C given after T")
    p.evaluation(p.uscc_of("鹤岗市鹤峰建筑工程有限公司"), "市住建局", m(2), "D")
    p.evaluation(p.uscc_of("鹤岗市鹤川物流有限公司"), "鹤岗市交通运输局", m(2), "C")
    p.case(
        "G1",
        "鹤岗市鹤峰建筑工程有限公司",
        p.uscc_of("鹤岗市鹤峰建筑工程有限公司"),
        True,
        "行业信用评价 D by 市住建局 (short name)",
    )
    p.case(
        "G1",
        "鹤岗市鹤川物流有限公司",
        p.uscc_of("鹤岗市鹤川物流有限公司"),
        True,
        "行业信用评价 C by 鹤岗市交通运输局 (full name)",
    )

    # ---- W4 government bodies as judgment debtors (active at T), and the traps
    def w4(
        case_no,
        name,
        holds,
        note,
        *,
        kind=None,
        region="230406",
        bad=False,
        dishonest=False,
        closed=None,
        register=True,
    ):
        u = (
            p.subject(name, kind=kind, region=region, bad_check=bad, register=register, est=dt.date(1998, 3, 2))
            if kind
            else None
        )
        p.executee(case_no, name, m(4), dishonest, uscc=u, closed=closed)
        p.case("W4", name, u, holds, note + (" (escalated: 失信)" if dishonest and holds else ""), case_no)

    y = m(4).year
    w4(f"（{y}）黑04执恢9101号", "鹤岗市东山区新华镇人民政府", True, "USCC kind 11", kind="11", dishonest=True)
    w4(f"（{y}）黑04执恢9102号", "鹤岗市向阳区房屋征收服务中心", True, "USCC kind 12", kind="12", region="230402")
    w4(
        f"（{y}）黑04执恢9103号",
        "鹤岗市青年联合会",
        True,
        "USCC kind 13, no keyword in the name",
        kind="13",
        region="230400",
    )
    w4(f"（{y}）黑0421执恢9104号", "萝北县名山镇人民政府", True, "no USCC, name has 人民政府")
    w4(f"（{y}）黑0422执恢9105号", "绥滨县水利工作站", True, "no USCC, name has 站", dishonest=True)
    w4(
        f"（{y}）黑0403执恢9106号",
        "鹤岗市工农区红旗街道办事处",
        True,
        "invalid USCC: the name decides (办)",
        kind="11",
        region="230403",
        bad=True,
    )
    w4(f"（{y}）黑04执恢9107号", "鹤岗市鹤北农场有限公司", False, "valid 91 code and 公司 (场 is a trap)", kind="91")
    w4(f"（{y}）黑04执恢9108号", "鹤岗市粮食局直属粮库", False, "valid 91 code although the name has 局", kind="91")
    w4(f"（{y}）黑04执恢9109号", "鹤岗市鹤城物业管理中心有限公司", False, "no USCC, 中心 but 公司")
    w4(f"（{y}）黑0421执恢9110号", "萝北县鹤北农场职工合作社", False, "no USCC, 场 but 合作社")
    w4(
        f"（{y}）黑0404执恢9111号",
        "鹤岗市南山区鹤苑社区服务站",
        False,
        "kind 12 but the case closed before T",
        kind="12",
        region="230404",
        closed=d(40),
    )

    # ---- W5 信易贷 loans overdue past the buffer
    def w5(loan_id, name, due, buffer, holds, note, repaid=None):
        u = p.subject(name, industry="C")
        p.loan(loan_id, u, name, due, buffer, repaid)
        p.case("W5", name, u, holds, note, loan_id)

    w5("XYD9000001", "鹤岗市鹤凯商贸有限公司", d(40), 30, True, "due T-40 days, buffer 30, unpaid")
    w5("XYD9000002", "鹤岗市鹤腾物流有限公司", d(20), 30, False, "inside the 30-day buffer")
    w5("XYD9000003", "鹤岗市鹤驰运输有限公司", d(30), 30, False, "T = due + buffer: not past it")
    w5("XYD9000004", "鹤岗市鹤骏商贸有限公司", d(31), 30, True, "T = due + buffer + 1 day")
    w5("XYD9000005", "鹤岗市鹤威机械制造有限公司", d(1), None, True, "no buffer recorded: 0 days")
    w5("XYD9000006", "鹤岗市鹤胜农业发展有限公司", d(60), 15, False, "repaid late but before T", repaid=d(10))
    w5("XYD9000007", "鹤岗市鹤捷科技有限公司", d(60), 15, True, "repaid the day after T", repaid=after)

    # ---- I03 wrong and duplicate codes (accepted with a quality flag)
    u = p.subject("鹤岗市鹤钢物资有限公司", bad_check=True)
    p.case("I03", "鹤岗市鹤钢物资有限公司", u, True, "错码: wrong check character (registered by 9x)")
    p.penalty(u, "鹤岗市鹤钢物资有限公司", "tax", m(2))
    p.case("flag", "鹤岗市鹤钢物资有限公司", u, True, "penalty party USCC fails P3")
    u = p.subject("黑龙江鹤律律师事务所", kind="31", region="230400", bad_check=True)
    p.case("I03", "黑龙江鹤律律师事务所", u, True, "错码 of a 3x code (routed to 市司法局)")
    u = p.subject("鹤岗市鹤城水文站", kind="12", region="230400", bad_check=True)
    p.case("I03", "鹤岗市鹤城水文站", u, True, "错码 of a 1x code (routed to 市委编办)")
    u = p.subject("鹤岗市鹤通商贸有限公司")
    p.subject("鹤岗市鹤通商贸有限责任公司", uscc=u)
    p.case("I03", "鹤岗市鹤通商贸有限公司", u, True, "重码: one code on two names (both records count)")

    # ---- tax credit (I14): grades per year, published in April of the next year
    latest = T.year - 1 if dt.date(T.year, 4, 30) <= T else T.year - 2
    for name, grades in (("鹤岗市鹤丰商贸有限公司", ("B", "A")), ("鹤岗市鹤海商贸有限公司", ("B", "C"))):
        u = p.uscc_of(name)
        for year, grade in zip((latest - 1, latest), grades):
            p.out.rows["tax_credit"].append(
                {
                    "uscc": u,
                    "x_subject_name": name,
                    "year": year,
                    "grade": grade,
                    "published_date": dt.date(year + 1, 4, 25),
                }
            )
    p.case(
        "I14",
        "鹤岗市鹤丰商贸有限公司",
        p.uscc_of("鹤岗市鹤丰商贸有限公司"),
        True,
        f"graded A for {latest}, the latest year published by T",
    )

    # ---- I15 serious-dishonest list
    def serious(name, listed, removed, note, holds):
        u = p.subject(name, industry="E")
        p.out.rows["serious_dishonest"].append(
            {
                "uscc": u,
                "subject_name": name,
                "list_name": "拖欠农民工工资失信联合惩戒对象名单",
                "department": "市人社局",
                "listed_date": listed,
                "removed_date": removed,
                "removed_reason": "信用修复" if removed else None,
            }
        )
        p.case("I15", name, u, holds, note)

    serious("鹤岗市鹤欣劳务有限公司", m(20), None, "on the list at T (I15a)", True)
    serious("鹤岗市鹤悦建筑劳务有限公司", m(6), None, "first listed in the last 12 months (I15b)", True)
    serious("鹤岗市鹤汇商贸有限公司", m(14), m(2), "removed in the last 12 months (I15c exit)", True)
    serious("鹤岗市鹤宝矿业有限公司", m(30), m(20), "removed before the window", False)

    # ---- I05 objections: 5 working days (grading objections: 7)
    received = _workday_on_or_after(m(2))
    obj_u = p.uscc_of("鹤岗市鹤丰商贸有限公司")
    for i, (days, grading, holds, note) in enumerate(
        (
            (5, False, True, "answered on the 5th working day"),
            (6, False, False, "answered on the 6th"),
            (None, False, False, "not answered"),
            (7, True, True, "grading objection on the 7th working day"),
            (8, True, False, "grading objection on the 8th working day"),
        )
    ):
        oid = f"YY9{i + 1:06d}"
        p.out.rows["objections"].append(
            {
                "objection_id": oid,
                "uscc": obj_u,
                "department": "市市场监管局",
                "received_date": received,
                "answered_date": add_workdays(received, days) if days else None,
                "outcome": "维持" if days else None,
                "concerns_grading": grading,
            }
        )
        p.case("I05", "鹤岗市鹤丰商贸有限公司", obj_u, holds, note, oid)

    # ---- I08 commitments
    for i, (due, state) in enumerate(((m(2), "履约"), (m(1), "未履约"), (T + dt.timedelta(days=60), "履约中"))):
        cid = f"CN9{i + 1:07d}"
        p.out.rows["commitments"].append(
            {
                "commitment_id": cid,
                "uscc": obj_u,
                "kind": "主动型信用承诺",
                "department": "市市场监管局",
                "signed_date": m(8),
                "due_date": due,
                "fulfilment": state,
            }
        )
        p.case("I08", "鹤岗市鹤丰商贸有限公司", obj_u, state != "履约中", f"{state}, due {due}", cid)

    # ---- rows the loader must quarantine or flag
    u = p.subject("鹤岗市鹤泽环保科技有限公司", industry="N")
    p.penalty(
        u,
        "鹤岗市鹤泽环保科技有限公司",
        "forestry",
        m(2),
        authority_uscc=wrong_check(p.dept["forestry"]["authority_usccs"].split("|")[0]),
    )
    p.case("flag", "鹤岗市鹤泽环保科技有限公司", u, True, "authority USCC fails P3 (I04 合规率)")
    p.penalty(u, "鹤岗市鹤泽环保科技有限公司", "market", m(1), reported=m(1) - dt.timedelta(days=3))
    p.case("flag", "鹤岗市鹤泽环保科技有限公司", u, True, "reported before the decision (date order)")
    bad_id = p.person_id(bad="check")
    p.penalty(None, "李鹤平", "public_security", m(2), category="自然人", id_no=bad_id, fine=0.02)
    p.case("flag", "李鹤平", None, True, "resident ID fails its check character (P4)")
    p.executee(
        f"（{y}）黑0402执恢9201号", "赵鹤飞", m(3), False, id_no=p.person_id(bad="date"), court="鹤岗市向阳区人民法院"
    )
    p.case("flag", "赵鹤飞", None, True, "resident ID with an impossible birth date (P4)")
    u = p.subject("鹤岗市鹤洋商贸有限公司")
    p.licence(u, "鹤岗市鹤洋商贸有限公司", "market", add_months(T, 30), number=None)
    p.out.rows["licenses"][-1]["license_no"] = None
    p.case(
        "fallback",
        "鹤岗市鹤洋商贸有限公司",
        u,
        True,
        "no 许可编号: the key falls back to XK_WSH",
        p.out.rows["licenses"][-1]["decision_doc_no"],
    )

    # Malformed rows, written as the exact strings (quarantine: missing key, bad date, bad enum).
    mk = p.dept["market"]
    base = {
        "party_name": "鹤岗市鹤游商贸有限公司",
        "party_category": "法人及非法人组织",
        "uscc": make_uscc("91", "230402", "MA0YYYY1"),
        "penalty_kinds": "罚款",
        "content": "罚款人民币3000元",
        "fine_wan_yuan": "0.3",
        "authority": mk["full_name"],
        "authority_uscc": mk["authority_usccs"].split("|")[0],
        "source_unit": mk["short_name"],
        "procedure": "普通程序",
        "severity": "一般",
        "minor_first_offence": "否",
        "revoked": "否",
    }
    day = m(2)
    p.out.raw["penalties"].append(
        {
            **base,
            "decision_no": "",
            "decision_date": day.strftime("%Y/%m/%d"),
            "reported_at": f"{day:%Y-%m-%d} 09:00:00",
        }
    )
    p.case("quarantine", "鹤岗市鹤游商贸有限公司", base["uscc"], True, "missing_key: empty CF_WSH")
    p.out.raw["penalties"].append(
        {
            **base,
            "decision_no": f"鹤市监处罚〔{T.year}〕第9999号",
            "decision_date": f"{T.year}/02/30",
            "reported_at": f"{day:%Y-%m-%d} 09:00:00",
        }
    )
    p.case(
        "quarantine",
        "鹤岗市鹤游商贸有限公司",
        base["uscc"],
        True,
        "bad_date: CF_JDRQ 02/30",
        f"鹤市监处罚〔{T.year}〕第9999号",
    )
    p.out.raw["licenses"].append(
        {
            "license_no": "JY92304009999999",
            "decision_doc_no": f"鹤市监许〔{T.year}〕第9999号",
            "party_name": "鹤岗市鹤游商贸有限公司",
            "uscc": base["uscc"],
            "certificate": "食品经营许可证",
            "license_kind": "普通",
            "content": "准予核发食品经营许可证",
            "decision_date": f"{day:%Y%m%d}",
            "valid_from": f"{day:%Y%m%d}",
            "valid_to": f"{add_months(day, 60):%Y%m%d}",
            "authority": mk["full_name"],
            "authority_uscc": mk["authority_usccs"].split("|")[0],
            "status": "待审核",
            "reported_at": f"{day:%Y%m%d}",
        }
    )
    p.case("quarantine", "鹤岗市鹤游商贸有限公司", base["uscc"], True, "bad_enum: XK_ZT 待审核", "JY92304009999999")
    return p.out
