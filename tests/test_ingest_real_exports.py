"""Issue 10: real-world source files. The published field names of every entity map to the
contract; a drop built as a city has it (tests/fixtures/real_exports: GB18030 CSV and XLSX, title
rows, a two-row merged header, merged cells, 序号 columns, file names as exported, full-width
values, amounts in 元 and 万元, the status vocabularies) loads through its sources.toml with no
entity failing; court records link to subjects; warnings and indicators on it are exact."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dashboard.app import page_queries
from dashboard.core import contract
from dashboard.core.scope import Scope
from dashboard.load import loading, sources
from dashboard.load.ingest import (
    EntitySource,
    SourceOptions,
    describe_source,
    find_drop_sources,
    ingest_entity,
    pipeline,
)
from dashboard.rules import credit_warnings, indicators
from dashboard.store import schema, snapshots
from tests.fixtures.real_exports import build
from tests.loadkit import isolate

FIXTURE = Path(__file__).parent / "fixtures" / "real_exports"
T = dt.date(2024, 6, 30)

# --- item 1: the published field names, entity by entity ---------------------------------------

PUBLISHED: dict[str, dict[str, str]] = {
    "penalties": {
        "CF_XDR_MC 行政相对人名称": "party_name",
        "CF_XDR_LB 行政相对人类别": "party_category",
        "CF_XDR_SHXYM 行政相对人代码_1(统一社会信用代码)": "uscc",
        "行政相对人代码_3(统一社会信用代码)": "uscc",
        "CF_XDR_GSZC (工商注册号)": "reg_no",
        "CF_XDR_ZZJG (组织机构代码)": "org_code",
        "CF_FRDB 法定代表人": "legal_rep",
        "CF_XDR_ZJHM 证件号码": "party_id_no",
        "CF_WSH 行政处罚决定书文号": "decision_no",
        "CF_WFXW 违法行为类型": "violation_type",
        "CF_SY 违法事实": "facts",
        "CF_YJ 处罚依据": "basis",
        "CF_CFLB 处罚类别": "penalty_kinds",
        "CF_NR 处罚内容": "content",
        "CF_NR_FK 罚款金额（万元）": "fine_wan_yuan",
        "CF_NR_WFFF 没收违法所得、没收非法财物的金额（万元）": "confiscated_wan_yuan",
        "CF_NR_ZKDX 暂扣或吊销证照名称及编号": "licence_action",
        "CF_JDRQ 处罚决定日期": "decision_date",
        "CF_YXQ 处罚有效期": "penalty_valid_to",
        "CF_GSJZQ 公示截止期": "publicity_end",
        "CF_CFJG 处罚机关": "authority",
        "CF_CFJGDM 处罚机关统一社会信用代码": "authority_uscc",
        "CF_SJLY 数据来源单位": "source_unit",
        "CF_SJLYDM 数据来源单位统一社会信用代码": "source_unit_uscc",
        "BZ 备注": "remarks",
        "案件程序类别": "procedure",
        "入库时间": "reported_at",
        "归集时间": "reported_at",
    },
    "licenses": {
        "XK_XDR_MC": "party_name",
        "XK_XDR_LB": "party_category",
        "XK_XDR_SHXYM 行政相对人代码_1(统一社会信用代码)": "uscc",
        "XK_FRDB": "legal_rep",
        "XK_XKWS 行政许可决定文书名称": "decision_doc_name",
        "XK_WSH 行政许可决定文书号": "decision_doc_no",
        "XK_XKLB 许可类别": "license_kind",
        "XK_XKZS 许可证书名称": "certificate",
        "XK_XKBH 许可编号": "license_no",
        "XK_JDRQ": "decision_date",
        "XK_YXQZ 有效期自": "valid_from",
        "XK_YXQZI 有效期至": "valid_to",
        "XK_XKJG": "authority",
        "XK_XKJGDM": "authority_uscc",
        "XK_ZT 当前状态": "status",
        "XK_LYDW": "source_unit",
        "XK_LYDWDM": "source_unit_uscc",
        "入库时间": "reported_at",
    },
    "executees": {
        "案号": "case_no",
        "被执行人姓名/名称": "party_name",
        "身份证号码/组织机构代码": "party_code",
        "法定代表人或者负责人姓名": "legal_rep",
        "执行法院": "court",
        "省份": "province",
        "执行依据文号": "basis_doc_no",
        "立案时间": "filed_date",
        "做出执行依据单位": "basis_unit",
        "生效法律文书确定的义务": "obligation",
        "被执行人的履行情况": "performance",
        "失信被执行人行为具体情形": "dishonest_conduct",
        "发布时间": "dishonest_published_date",
    },
    "abnormal_operations": {
        "列入经营异常名录原因": "listed_reason",
        "列入日期": "listed_date",
        "作出决定机关(列入)": "decided_by",
        "作出决定机关（列入）": "decided_by",
        "移出经营异常名录原因": "removed_reason",
        "移出日期": "removed_date",
        "作出决定机关(移出)": "removed_by",
        "营业执照注册号": "reg_no",
    },
    "subjects": {
        "企业名称（字号名称）": "name",
        "登记状态（中文）": "status",
        "核准日期（登记、吊销、注销日期）": "approved_date",
        "住所所在行政区划": "district_code",
        "营业执照注册号": "reg_no",
    },
    "tax_credit": {
        "纳税人识别号": "uscc",
        "纳税人名称": "taxpayer_name",
        "纳税信用等级": "grade",
        "纳税信用等级评定年度": "year",
        "评价年度": "year",
    },
    "evaluations": {"主体名称": "subject_name", "信用分": "score", "评价时间": "eval_date"},
}


@pytest.mark.parametrize("entity", sorted(PUBLISHED))
def test_published_field_names_map_to_the_contract(entity):
    known = contract.header_map(contract.ENTITY_BY_NAME[entity])
    mapped = {header: contract.lookup_header(known, header) for header in PUBLISHED[entity]}
    assert mapped == PUBLISHED[entity]


def test_loose_header_spellings_stay_unambiguous_within_an_entity():
    for entity in contract.ENTITIES:
        seen: dict[str, str] = {}
        for col in entity.columns:
            for header in col.headers:
                for key in (contract.normalize_header(header), contract.loose_header(header)):
                    assert seen.setdefault(key, col.name) == col.name, (entity.name, header)


def test_a_row_number_column_is_ignored_not_reported():
    mapping = pipeline.map_headers(
        contract.ENTITY_BY_NAME["tax_credit"], ["序号", "纳税人识别号", "评价年度", "纳税信用等级"]
    )
    assert (mapping.columns, mapping.ignored, [h for h, _ in mapping.extras]) == (
        {"uscc": 1, "year": 2, "grade": 3},
        [("序号", 0)],
        [],
    )


# --- the drop of real exports, loaded once through its sources.toml ------------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real_exports")
    shutil.copytree(FIXTURE / "drop", tmp / "drop")
    shutil.copy(FIXTURE / "sources.toml", tmp / "sources.toml")
    with pytest.MonkeyPatch.context() as mp:
        settings = isolate(mp, tmp)
        config = sources.load_sources(tmp / "sources.toml")["city_exports"]
        outcome = loading.load_source(settings, config)
        con = snapshots.open_live(settings)
        yield outcome, con, settings
        con.close()


def test_fixture_files_are_what_the_builder_writes(tmp_path, monkeypatch):
    """The committed drop is the builder's output (the CSVs byte for byte; the workbooks' cells)."""
    monkeypatch.setattr(build, "DROP", tmp_path)
    build.main()
    for path in sorted((FIXTURE / "drop").iterdir()):
        if path.suffix == ".csv":
            assert path.read_bytes() == (tmp_path / path.name).read_bytes(), path.name
        else:
            ours = [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
            fresh = [list(r) for r in openpyxl.load_workbook(tmp_path / path.name).active.iter_rows(values_only=True)]
            assert ours == fresh, path.name


def test_every_entity_of_the_real_drop_loads(loaded):
    outcome, _, _ = loaded
    assert outcome.status == "ok"
    assert [
        (e.entity, e.status, e.rows_read, e.rows_accepted, e.rows_quarantined, e.rows_flagged, e.extra_columns)
        for e in outcome.entities
    ] == [
        ("subjects", "ok", 8, 8, 0, 0, []),
        ("penalties", "ok", 6, 5, 1, 2, []),
        ("licenses", "ok", 5, 5, 0, 0, []),
        ("abnormal_operations", "ok", 3, 3, 0, 2, []),
        ("executees", "ok", 3, 3, 0, 0, []),
        ("serious_dishonest", "ok", 1, 1, 0, 0, []),
        ("tax_credit", "ok", 3, 3, 0, 0, []),
        ("evaluations", "ok", 2, 2, 0, 0, []),
    ]


def test_only_the_truly_unusable_row_is_quarantined(loaded):
    _, con, _ = loaded
    assert con.execute("SELECT entity, source, row_no, reason_code, message_zh FROM quarantine").fetchall() == [
        ("penalties", "行政处罚信息_202406.xlsx", 9, "missing_required", "必填字段为空：处罚决定日期（decision_date）")
    ]


def test_registry_statuses_map_to_the_classes_the_rules_use(loaded):
    _, con, _ = loaded
    rows = con.execute("SELECT name, status, closed_date, established_date FROM subjects ORDER BY reg_no").fetchall()
    assert rows == [
        ("鹤岗市甲煤业有限公司", "存续", None, dt.date(2015, 3, 1)),  # 在业
        ("鹤岗市乙商贸有限公司", "存续", None, dt.date(2016, 4, 2)),  # 存续（在营、开业、在册）
        ("鹤岗市丙建材有限公司", "迁出", dt.date(2023, 5, 10), dt.date(2017, 5, 3)),  # left the city
        ("鹤岗市丁餐饮有限公司", "注销", dt.date(2022, 3, 1), dt.date(2018, 6, 4)),  # 吊销，已注销
        ("鹤岗市戊物流有限公司", "存续", None, dt.date(2019, 7, 5)),  # 停业, full-width USCC and date
        ("鹤岗市己矿业有限公司", "存续", None, dt.date(2020, 8, 6)),  # 清算
        ("鹤岗市庚药业有限公司", "注销", dt.date(2021, 8, 8), dt.date(2014, 9, 7)),
        ("鹤岗市辛物资有限公司", "存续", None, dt.date(2013, 1, 8)),  # 开业
    ]
    assert con.execute("SELECT uscc FROM subjects WHERE name = '鹤岗市戊物流有限公司'").fetchone() == (build.uscc(5),)
    # P2 at T: the one that moved out, the deregistered ones are not surviving
    surviving = con.execute(
        "SELECT count(*) FROM subject_facts WHERE is_enterprise AND (closed_on_date IS NULL OR closed_on_date > $t)",
        {"t": T},
    ).fetchone()
    assert surviving == (5,)


def test_penalty_values_as_real_exports_write_them(loaded):
    _, con, _ = loaded
    rows = con.execute(
        """SELECT decision_no, uscc, reg_no, party_id_no, fine_wan_yuan, confiscated_wan_yuan, penalty_valid_to,
                  authority, procedure, reported_at, _flags
           FROM penalties ORDER BY decision_no"""
    ).fetchall()
    assert rows == [
        # named by 工商注册号 only: linked to 乙商贸 through the registry, flagged
        ("鹤交罚〔2024〕3号", build.uscc(2), build.reg_no(2), None, 5000.0, None, None, "鹤岗市交通运输局", "普通", None,
         "reg_no_only"),
        # 处罚机关 from the merged cell above; "若干" is no amount: flagged, not lost
        ("鹤交罚〔2024〕4号", None, None, build.PERSON_ID, None, None, None, "鹤岗市交通运输局", "普通", None,
         "amount_unreadable"),
        ("鹤市监罚〔2024〕1号", build.uscc(1), None, None, 0.5, None, dt.date(2025, 3, 1), "鹤岗市市场监督管理局", "普通",
         None, ""),
        # 5000元 = 0.5 万元; 处罚有效期 长期 = none
        ("鹤市监罚〔2024〕2号", build.uscc(1), None, None, 0.5, 1200.0, None, "鹤岗市市场监督管理局", "普通", None, ""),
        ("鹤市监罚〔2024〕5号", build.uscc(8), None, None, None, None, None, "鹤岗市市场监督管理局", "简易", None, ""),
    ]  # fmt: skip


def test_licence_vocabulary_and_long_term_expiry(loaded):
    _, con, _ = loaded
    rows = con.execute(
        "SELECT license_no, uscc, valid_to, is_long_term, status, license_kind, reported_at, _flags FROM licenses ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("JY1", build.uscc(1), None, True, "有效", "普通", dt.date(2024, 3, 5), ""),  # 长期, 正常
        ("JY2", build.uscc(2), None, True, "有效", "普通", dt.date(2024, 3, 6), ""),  # 2099/12/31
        ("JY3", build.uscc(5), None, True, "有效", "普通", None, ""),  # 9999-12-31, full-width USCC
        ("JY4", build.uscc(8), dt.date(2024, 7, 15), False, "有效", "普通", None, ""),
        ("QR5", build.uscc(5), dt.date(2026, 5, 5), False, "有效", "其他", dt.date(2024, 5, 8), ""),  # 行政确认
    ]


def test_court_records_link_to_subjects(loaded):
    _, con, _ = loaded
    rows = con.execute(
        "SELECT case_no, party_name, uscc, org_code, party_id_no, is_dishonest, filed_date FROM executees ORDER BY 1"
    ).fetchall()
    assert rows == [
        # 组织机构代码 → the registry's USCC
        ("(2024)黑0402执123号", "鹤岗市甲煤业有限公司", build.uscc(1), build.uscc(1)[8:17], None, True,
         dt.date(2024, 1, 15)),
        # a masked ID number stays a (masked) ID number, never a USCC
        ("(2024)黑0402执200号", "李四", None, None, "2304021980****1234", True, dt.date(2024, 2, 1)),
        # a full-width USCC
        ("(2024)黑0403执77号", "鹤岗市己矿业有限公司", build.uscc(6), None, None, True, dt.date(2024, 2, 1)),
    ]  # fmt: skip


def test_a_listing_named_only_by_registration_number_is_kept_and_linked_when_known(loaded):
    _, con, _ = loaded
    assert con.execute(
        "SELECT uscc, reg_no, subject_name, decided_by, _key, _flags FROM abnormal_operations ORDER BY listed_date"
    ).fetchall() == [
        (build.uscc(5), None, "鹤岗市戊物流有限公司", "鹤岗市市场监督管理局", f"{build.uscc(5)}|2023-07-01", ""),
        (build.uscc(2), build.reg_no(2), "鹤岗市乙商贸有限公司", "鹤岗市市场监督管理局", f"{build.uscc(2)}|2024-02-01",
         "reg_no_only"),
        (None, "230400000099999", "鹤岗市某某商店", "鹤岗市市场监督管理局", "注册号:230400000099999|2024-03-01",
         "reg_no_only"),
    ]  # fmt: skip


def test_constants_of_the_source_configuration_fill_what_a_file_is(loaded):
    _, con, _ = loaded
    assert con.execute("SELECT uscc, year, grade FROM tax_credit ORDER BY uscc").fetchall() == [
        (build.uscc(1), 2023, "A"),
        (build.uscc(2), 2023, "A"),
        (build.uscc(8), 2023, "A"),
    ]
    assert con.execute("SELECT uscc, evaluator, grade, score FROM evaluations ORDER BY uscc").fetchall() == [
        (build.uscc(1), "公共信用综合评价", "B", 82.5),
        (build.uscc(6), "公共信用综合评价", "D", 55.0),
    ]
    assert con.execute("SELECT uscc, list_name, department FROM serious_dishonest").fetchall() == [
        (build.uscc(6), "重大税收违法失信主体名单", "市税务局")
    ]


def test_warnings_on_the_real_drop(loaded):
    """W2 lists only the licence that really expires; the three long-term ones never."""
    _, con, settings = loaded
    frame = credit_warnings.warnings_at(con, T, Scope.all(personal_data=True), settings=settings)
    got = sorted(
        (r.warning_type, r.uscc, r.department_code, r.reason)
        for r in frame[["warning_type", "uscc", "department_code", "reason"]].itertuples()
    )
    assert got == [
        ("W1", build.uscc(1), "market", "近6个月受到2次行政处罚（公示期内）"),
        (
            "W1b",
            build.uscc(1),
            "market",
            "行政处罚（2024-03-01决定）已满最短公示期，自2024-06-01起可申请信用修复，尚未修复",
        ),
        ("W2", build.uscc(8), "market", "行政许可「药品经营许可证」有效期至2024-07-15，剩余不足1个月"),
        ("W3", build.uscc(6), "coal", "公共信用综合评价为D级（2024-01-31评价，中等以下）"),
    ]


@pytest.mark.parametrize("as_of", [dt.date(2024, 6, 30), dt.date(2098, 12, 15), dt.date(2099, 12, 31)])
def test_w2_never_fires_on_a_long_term_licence(loaded, as_of):
    _, con, settings = loaded
    frame = credit_warnings.warnings_at(con, as_of, Scope.all(), types=["W2"], settings=settings)
    assert set(frame["anchor_records"].explode()) <= {"JY4"}


def test_disclosure_indicators_count_timeliness_only_where_a_report_time_exists(loaded):
    _, con, settings = loaded
    at = indicators.indicators_at(con, T, Scope.all(), settings=settings).set_index("indicator_id")
    figures = {i: (at.at[i, "numerator"], at.at[i, "denominator"]) for i in ("I03", "I04b", "I04c")}
    # reported in the window: penalties 1–4 (5 is 简易, P7) and licences JY1–JY3, QR5 (JY4 is 2021)
    assert figures == {"I03": (0, 8), "I04b": (6, 8), "I04c": (3, 3)}
    assert page_queries.untimed_records(at.reset_index()) == 5


# --- item 2: layouts -------------------------------------------------------------------------------


def test_csv_title_lines_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "严重失信.csv"
    path.write_bytes(
        "重大税收违法失信主体名单\r\n（截至2024年6月）\r\n统一社会信用代码,名单名称,认定部门,列入日期\r\n"
        f"{build.uscc(6)},重大税收违法失信主体名单,市税务局,2024-02-02\r\n".encode("gb18030")
    )
    con = duckdb.connect()
    schema.create_warehouse(con)
    result = ingest_entity(con, EntitySource("serious_dishonest", "file", path=path, label=path.name), "full", "r1")
    assert (result.status, result.rows_read, result.rows_accepted) == ("ok", 1, 1)
    assert con.execute("SELECT _row_no FROM serious_dishonest").fetchone() == (4,)


def test_a_two_row_merged_header_is_joined_and_merged_cells_fill_down(loaded):
    report = describe_source(
        EntitySource(
            "penalties", "file", path=FIXTURE / "drop" / "行政处罚信息_202406.xlsx", label="行政处罚信息_202406.xlsx"
        )
    )
    assert report.error is None and report.rows == 6
    assert report.ignored == ["序号"] and report.unknown == []
    assert [(h, c) for h, c, _ in report.mapped][1:5] == [
        ("行政相对人名称", "party_name"),
        ("行政相对人类别", "party_category"),
        ("行政相对人代码_1(统一社会信用代码)", "uscc"),
        ("行政相对人(证件号码)", "party_id_no"),
    ]


def test_files_named_as_exported_are_matched_by_the_configured_patterns(tmp_path):
    for name in ("行政处罚信息_202405.xlsx", "行政处罚信息_202406.xlsx", "经营异常名录.csv", "说明.txt"):
        (tmp_path / name).write_bytes(b"x")
    configured = {"penalties": SourceOptions(files=("行政处罚信息_*.xlsx",))}
    found = {s.entity: s.path.name for s in find_drop_sources(tmp_path, configured)}
    # the latest period wins; a file named after an entity's Chinese label needs no pattern
    assert found == {"penalties": "行政处罚信息_202406.xlsx", "abnormal_operations": "经营异常名录.csv"}
    assert {s.entity: s.path.name for s in find_drop_sources(tmp_path)} == {"abnormal_operations": "经营异常名录.csv"}


# --- item 4: the per-source configuration ----------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_table", "message"),
    [
        ('files = ["行政处罚*.xlsx"]\nheaders = { "处罚单位" = "unit" }',
         "数据源 x.entities.penalties.headers.处罚单位：'unit' 不是 penalties 的列"),
        ('constants = { is_dishonst = true }', "数据源 x.entities.penalties.constants.is_dishonst：不是 penalties 的列"),
        ('constants = { procedure = "快速" }', "数据源 x.entities.penalties.constants.procedure：'快速' 不是允许的取值"),
        ('values = { party_category = { "企业" = "公司" } }',
         "数据源 x.entities.penalties.values.party_category.企业：'公司' 不是允许的取值"),
        ("files = 3", "数据源 x.entities.penalties.files：须为文件名模式的列表"),
        ('files = ["sub/行政处罚*.xlsx"]', "数据源 x.entities.penalties.files：文件名模式不能包含目录"),
        ('sheet = "Sheet1"', "数据源 x.entities.penalties.sheet：未知的配置项"),
    ],
)  # fmt: skip
def test_source_configuration_errors_name_the_key(tmp_path, entity_table, message):
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[sources.x]\nkind = "drop"\npath = "drop"\n\n[sources.x.entities.penalties]\n{entity_table}\n',
        encoding="utf-8",
    )
    with pytest.raises(sources.SourcesError) as caught:
        sources.load_sources(path)
    assert str(caught.value).startswith(message)


def test_header_overrides_and_value_maps_of_a_source(tmp_path):
    path = tmp_path / "严重失信名单.csv"
    path.write_text(f"信用代码,名单,认定单位,认定日期\n{build.uscc(6)},税收黑名单,税务,2024-02-02\n", encoding="utf-8")
    options = SourceOptions(
        headers={"信用代码": "uscc", "名单": "list_name", "认定单位": "department", "认定日期": "listed_date"},
        values={"list_name": {"税收黑名单": "重大税收违法失信主体名单"}, "department": {"税务": "市税务局"}},
    )
    con = duckdb.connect()
    schema.create_warehouse(con)
    source = EntitySource("serious_dishonest", "file", path=path, label=path.name, options=options)
    assert ingest_entity(con, source, "full", "r1").status == "ok"
    assert con.execute("SELECT uscc, list_name, department FROM serious_dishonest").fetchall() == [
        (build.uscc(6), "重大税收违法失信主体名单", "市税务局")
    ]


def test_describe_source_says_why_an_entity_would_fail(tmp_path):
    path = tmp_path / "executees.csv"
    path.write_text(
        "案号,被执行人姓名/名称,执行法院,立案时间,备注\n(2024)执1号,甲,法院,2024-01-01,x\n", encoding="utf-8"
    )
    report = describe_source(EntitySource("executees", "file", path=path, label=path.name))
    assert report.missing_required == ["失信（is_dishonest）"]
    assert report.error == "缺少必填列：失信（is_dishonest）"
    assert report.unknown == ["备注"]
    configured = EntitySource(
        "executees", "file", path=path, label=path.name, options=SourceOptions(constants={"is_dishonest": "true"})
    )
    assert describe_source(configured).error is None
