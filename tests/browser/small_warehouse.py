"""A small, deterministic warehouse for the browser tests when the demo generator is not available:
a few dozen subjects in every district with penalties, licences, grades, lists, loans and the
monthly feeds, dated relative to the end of the month before `today`, so that the app's default
month (the latest complete month) shows every kind of warning and indicator.

Built with the schema functions, published as a snapshot exactly as a load would publish it.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb

from dashboard.core.identifiers import make_resident_id, make_uscc
from dashboard.core.settings import Settings
from dashboard.store import schema, snapshots

DISTRICTS = ("230402", "230403", "230404", "230405", "230406", "230407", "230421", "230422")
INDUSTRIES = ("A", "B", "C", "E", "F", "G", "H", "I", "K", "L")
TRADE_WORDS = (
    "宏达",
    "兴隆",
    "金山",
    "龙江",
    "北方",
    "松花",
    "鹤城",
    "三江",
    "东升",
    "瑞丰",
    "恒信",
    "华煤",
    "林海",
    "农丰",
    "祥和",
    "万通",
    "鑫源",
    "佳禾",
    "博远",
    "广厦",
    "康达",
    "天宇",
    "汇通",
    "永安",
)
KINDS = ("商贸有限公司", "煤业有限公司", "建筑工程有限公司", "食品有限公司", "物流有限公司", "农业发展有限公司")
# Authorities as departments name themselves in 双公示 records (matched through ref_department_names).
PENALTY_AUTHORITIES = ("市税务局", "市市场监管局", "市生态环境局", "市应急局", "市交通运输局")
LICENCE_AUTHORITIES = ("市市场监管局", "市卫健委", "市交通运输局", "市住建局")
ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PERSON_NAME = "张三丰"
PERSON_ID = make_resident_id("230403", dt.date(1980, 5, 6), "123")


def month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic with clamping (docs/rules.md conventions)."""
    y, m = divmod(day.month - 1 + months, 12)
    first = dt.date(day.year + y, m + 1, 1)
    return min(first + dt.timedelta(days=day.day - 1), month_end(first))


def _org8(rng: random.Random) -> str:
    return "MA" + "".join(rng.choice(ORG_CODE_CHARS.replace("I", "")) for _ in range(6))


def build_rows(as_of: dt.date, seed: int = 7) -> dict[str, list[dict]]:
    """Rows per entity for a warehouse whose latest complete month ends at `as_of`."""
    rng = random.Random(seed)
    rows: dict[str, list[dict]] = {}
    subjects = []
    for i, word in enumerate(TRADE_WORDS):
        district = DISTRICTS[i % len(DISTRICTS)]
        subjects.append(
            dict(
                uscc=make_uscc("91", district, _org8(rng)),
                name=f"鹤岗市{word}{KINDS[i % len(KINDS)]}",
                status="存续",
                established_date=dt.date(2010 + i % 12, 1 + i % 12, 1),
                district_code=district,
                industry_code=INDUSTRIES[i % len(INDUSTRIES)],
                legal_rep=f"法人{i}",
            )
        )
    individual = dict(
        uscc=make_uscc("92", "230403", _org8(rng)),
        name="工农区张记烧烤店",
        status="存续",
        established_date=dt.date(2018, 3, 1),
        district_code="230403",
        industry_code="H",
    )
    government = dict(
        uscc=make_uscc("11", "230400", "00123456"),
        name="鹤岗市某某服务中心",
        status="存续",
        established_date=dt.date(2001, 1, 1),
        district_code="230402",
    )
    duplicate = dict(subjects[3], name="鹤岗市金山商贸分公司")  # 重码 (I03)
    wrong = dict(
        subjects[5],
        uscc=subjects[5]["uscc"][:17] + ("0" if subjects[5]["uscc"][17] != "0" else "1"),
        name="鹤岗市错码贸易有限公司",
    )  # 错码 (I03)
    closed = dict(
        subjects[6],
        uscc=make_uscc("91", "230404", _org8(rng)),
        name="鹤岗市已注销煤业有限公司",
        status="注销",
        closed_date=add_months(as_of, -20),
    )
    rows["subjects"] = [*subjects, individual, government, duplicate, wrong, closed]

    def decision(n_months_ago: int, day: int = 10) -> dt.date:
        d = add_months(as_of, -n_months_ago)
        return d.replace(day=min(day, month_end(d).day))

    penalties = []
    serial = 0

    def penalty(subject: dict, authority: str, when: dt.date, **extra) -> None:
        nonlocal serial
        serial += 1
        late = serial % 4 == 0
        penalties.append(
            dict(
                decision_no=f"鹤{authority[1:3]}罚〔{when.year}〕{serial:03d}号",
                party_name=subject["name"],
                party_category="法人及非法人组织",
                uscc=subject["uscc"],
                penalty_kinds="罚款",
                decision_date=when,
                authority=authority,
                reported_at=when + dt.timedelta(days=20 if late else 3),
                fine_wan_yuan=round(0.5 + serial % 7, 1),
                facts="未按规定履行义务",
                **extra,
            )
        )

    hot = subjects[0]  # 宏达: repeated penalties (W1), some eligible for repair (W1b)
    for months, authority in ((1, "市税务局"), (2, "市税务局"), (5, "市市场监管局"), (8, "市税务局")):
        penalty(hot, authority, decision(months))
    for i, subject in enumerate(subjects[1:18], start=1):
        penalty(subject, PENALTY_AUTHORITIES[i % len(PENALTY_AUTHORITIES)], decision(1 + i % 11, 5 + i))
        if i % 3 == 0:
            penalty(subject, PENALTY_AUTHORITIES[(i + 1) % len(PENALTY_AUTHORITIES)], decision(2 + i % 4, 12))
        if i % 5 == 0:
            penalty(subject, "市市场监管局", decision(3, 20), procedure="简易")  # P7
    penalty(subjects[2], "市生态环境局", decision(14), severity="严重")
    penalties.append(
        dict(
            decision_no="鹤市监罚〔个〕001号",
            party_name=PERSON_NAME,
            party_category="自然人",
            party_id_no=PERSON_ID,
            penalty_kinds="警告",
            decision_date=decision(2),
            authority="市市场监管局",
            reported_at=decision(2) + dt.timedelta(days=2),
        )
    )
    rows["penalties"] = penalties

    licences = []
    for i, subject in enumerate(subjects[:16]):
        authority = LICENCE_AUTHORITIES[i % len(LICENCE_AUTHORITIES)]
        decided = add_months(as_of, -30 + i)
        # every third one expires within the month after as_of (W2)
        valid_to = as_of + dt.timedelta(days=5 + i) if i % 3 == 0 else add_months(as_of, 12 + i)
        licences.append(
            dict(
                license_no=f"XK{2300 + i}",
                party_name=subject["name"],
                uscc=subject["uscc"],
                certificate="食品经营许可证" if i % 2 else "道路运输经营许可证",
                decision_date=decided,
                valid_from=decided,
                valid_to=valid_to,
                authority=authority,
                status="有效",
                reported_at=decided + dt.timedelta(days=2 if i % 5 else 15),
            )
        )
    rows["licenses"] = licences

    grades = "ABBCBADBCEABBBCAABDCBBAB"
    rows["evaluations"] = [
        dict(
            uscc=s["uscc"],
            evaluator="公共信用综合评价",
            eval_date=add_months(as_of, -3),
            grade=grades[i],
            score=90.0 - 8 * "ABCDE".index(grades[i]),
        )
        for i, s in enumerate(subjects)
    ]
    rows["evaluations"] += [
        dict(uscc=s["uscc"], evaluator=ev, eval_date=add_months(as_of, -2), grade=g)
        for s, ev, g in (
            (subjects[0], "市税务局", "D"),
            (subjects[1], "市市场监管局", "B"),
            (subjects[4], "市市场监管局", "C"),
        )
    ]
    rows["abnormal_operations"] = [
        dict(
            uscc=subjects[0]["uscc"],
            listed_date=add_months(as_of, -4),
            listed_reason="未按规定公示年度报告",
            decided_by="市市场监管局",
        )
    ]
    rows["executees"] = [
        dict(
            case_no=f"({as_of.year})黑04执12号",
            party_name=government["name"],
            court="鹤岗市中级人民法院",
            uscc=government["uscc"],
            filed_date=add_months(as_of, -6),
            is_dishonest=True,
            dishonest_published_date=add_months(as_of, -5),
        ),
        dict(
            case_no=f"({as_of.year})黑04执30号",
            party_name=subjects[0]["name"],
            court="鹤岗市中级人民法院",
            uscc=subjects[0]["uscc"],
            filed_date=add_months(as_of, -3),
            is_dishonest=True,
        ),
        dict(
            case_no=f"({as_of.year})黑0403执7号",
            party_name=PERSON_NAME,
            party_id_no=PERSON_ID,
            court="工农区人民法院",
            filed_date=add_months(as_of, -2),
            is_dishonest=False,
        ),
    ]
    rows["serious_dishonest"] = [
        dict(
            uscc=subjects[2]["uscc"],
            list_name="重大税收违法失信主体",
            department="市税务局",
            listed_date=add_months(as_of, -7),
        )
    ]
    rows["tax_credit"] = [
        dict(uscc=s["uscc"], year=as_of.year - 2, grade="A" if i % 4 == 0 else "B") for i, s in enumerate(subjects)
    ]
    rows["repairs"] = [
        dict(
            repair_id="XF001",
            uscc=hot["uscc"],
            record_type="penalty",
            record_ref=penalties[3]["decision_no"],
            applied_date=add_months(as_of, -1),
            status="申请中",
        )
    ]
    rows["objections"] = [
        dict(
            objection_id=f"YY{i}",
            uscc=subjects[i]["uscc"],
            department="市市场监管局",
            received_date=add_months(as_of, -i),
            answered_date=add_months(as_of, -i) + dt.timedelta(days=3 if i % 2 else 12),
        )
        for i in range(1, 5)
    ]
    rows["commitments"] = [
        dict(
            commitment_id=f"CN{i}",
            uscc=subjects[i]["uscc"],
            kind="告知承诺",
            department="市市场监管局",
            signed_date=add_months(as_of, -10 + i),
            due_date=add_months(as_of, -4 + i),
            fulfilment="履约" if i % 3 else "未履约",
        )
        for i in range(6)
    ]
    rows["loans"] = [
        dict(
            loan_id="LN1",
            uscc=subjects[7]["uscc"],
            lender="鹤岗农商银行",
            amount_wan_yuan=50.0,
            due_date=add_months(as_of, -1),
            buffer_days=10,
        ),
        dict(
            loan_id="LN2",
            uscc=subjects[8]["uscc"],
            lender="龙江银行",
            amount_wan_yuan=30.0,
            due_date=add_months(as_of, -2),
            repaid_date=add_months(as_of, -2),
        ),
    ]
    rows["campaign_lists"] = [
        dict(
            uscc=subjects[9]["uscc"],
            campaign="拖欠农民工工资专项治理",
            department="市人社局",
            listed_date=add_months(as_of, -2),
        )
    ]
    months = [month_end(add_months(as_of, -k)).replace(day=1) for k in range(24)]
    rows["disclosure_ledger"] = [
        dict(department=dep, month=m, kind=kind, decisions=n)
        for m in months[:12]
        for dep, kind, n in (("市税务局", "处罚", 2), ("市市场监管局", "处罚", 3), ("市市场监管局", "许可", 2))
    ]
    rows["collections"] = [
        dict(department=dep, month=m, category=cat, records=40 + k, subjects_covered=20 + k % 5)
        for k, m in enumerate(months[:12])
        for dep, cat in (
            ("市税务局", "纳税"),
            ("市城管局", "水费"),
            ("鹤岗供电公司", "电费"),
            ("市城管局", "燃气费"),
            ("市自然资源局", "不动产"),
        )
        if not (cat == "燃气费" and k == 4)
    ]
    cities = (("鹤岗市", 60.0), ("佳木斯市", 66.0), ("双鸭山市", 58.0), ("七台河市", 62.0))
    rows["city_scores"] = []
    for k, m in enumerate(reversed(months)):
        ranked = sorted(
            ((c, base + 0.3 * k + (0.8 if c == "鹤岗市" else 0.2) * (k % 3)) for c, base in cities), key=lambda x: -x[1]
        )
        for pos, (city, score) in enumerate(ranked, start=1):
            rows["city_scores"].append(
                dict(
                    month=m,
                    city=city,
                    province="黑龙江省",
                    score=round(score, 2),
                    rank=100 + pos * 20,
                    rank_in_province=pos,
                )
            )
    return rows


def publish_small_warehouse(settings: Settings, today: dt.date | None = None) -> snapshots.SnapshotInfo:
    """Build the small warehouse and make it the live snapshot of `settings`."""
    today = today or dt.date.today()
    as_of = today.replace(day=1) - dt.timedelta(days=1)
    snapshot_id = snapshots.new_snapshot_id("browser")
    building = snapshots.paths(settings).building_path(snapshot_id)
    building.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(building))
    try:
        schema.create_warehouse(con)
        schema.load_reference(con)
        for entity, data in build_rows(as_of).items():
            schema.insert_current_rows(con, entity, data, run_id="browser")
        schema.build_marts(con, settings)
        con.execute(
            "INSERT INTO meta_snapshot VALUES ($id, $at, 'browser')",
            {"id": snapshot_id, "at": snapshots.built_at(snapshot_id).replace(tzinfo=None)},
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    info = snapshots.install(settings, Path(building), snapshot_id)
    snapshots.publish(settings, snapshot_id)
    return info
