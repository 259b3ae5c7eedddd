"""The source-data contract of docs/data-contract.md as data: entities, columns, header aliases, types, keys.

Everything that reads, validates, stores or generates source data takes its column lists from
here, so a column is named, typed and aliased in exactly one place.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Column value types. `month` is stored as the first day of the month (DATE).
TEXT, DATE, BOOL, INT, DECIMAL, MONTH = "text", "date", "bool", "int", "decimal", "month"

# Checks that accept the row but add a quality flag when they fail (docs/data-contract.md "Reject or flag").
CHECK_USCC = "uscc"  # P3
CHECK_ID_NO = "id_no"  # P4


@dataclass(frozen=True)
class Column:
    """One canonical column: its type, whether the row is unusable without it, and its aliases.

    `required` columns that are part of the key, or of type date/int/decimal/bool, quarantine the
    row when missing or unparseable; other required text columns only flag it (I04 合规率).
    `enum` maps every accepted spelling to its canonical value; any other value quarantines the row.
    """

    name: str
    label: str
    type: str = TEXT
    required: bool = False
    code: str | None = None
    aliases: tuple[str, ...] = ()
    enum: dict[str, str] | None = None
    check: str | None = None
    placeholder_means_absent: bool = False
    # A date that may say "never ends" (长期, 2099/12/31, 9999-12-31): such a value is NULL with no
    # flag and no error (a licence's 有效期至, a penalty's 处罚有效期).
    long_term: bool = False
    # A BOOL column computed from the long-term date column it names when the file does not carry it.
    long_term_of: str | None = None
    # An enum value no spelling matches becomes this value instead of quarantining the row.
    enum_other: str | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header spelling that maps to this column (matching ignores case and spaces)."""
        names = [self.name, self.label, *self.aliases]
        if self.code:
            names.append(self.code)
        return tuple(names)


@dataclass(frozen=True)
class Entity:
    """One source entity (file stem / table): its columns, natural key and date-order rules."""

    name: str
    label: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # (earlier, later): later must not precede earlier; a violation flags the row.
    date_order: tuple[tuple[str, str], ...] = ()
    # Column whose value, when empty, is taken from another column (licence number → 文书号).
    fallbacks: dict[str, str] = field(default_factory=dict)
    # A key column that, when empty, may be stood in for by another column in the key (a listing
    # that names its subject only by 营业执照注册号): the row is accepted and flagged reg_no_only.
    key_alternates: dict[str, str] = field(default_factory=dict)
    # Date column filled, when empty, from another date column when the status column is one of
    # the values: closed_date ← 核准日期 of a 注销/吊销/迁出 registry record.
    status_dates: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()
    # A column of mixed identifiers (失信被执行人 "身份证号码/组织机构代码") split by its form into
    # uscc, org_code or party_id_no.
    split_identifier: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")


C = Column
PARTY_CATEGORY = {
    "法人及非法人组织": "法人及非法人组织",
    "法人": "法人及非法人组织",
    "非法人组织": "法人及非法人组织",
    "自然人": "自然人",
    "个体工商户": "个体工商户",
}
REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


def _vocabulary(name: str, key: str, value: str) -> dict[str, str]:
    """A spelling → class map shipped as reference data (dashboard/reference/<name>.csv)."""
    with open(REFERENCE_DIR / f"{name}.csv", encoding="utf-8", newline="") as f:
        return {row[key].strip(): row[value].strip() for row in csv.DictReader(f)}


# 登记状态: every spelling of the registry exports → the class the rules use (存续 surviving,
# 注销/吊销 closed, 迁出 left the city); dashboard/reference/subject_status.csv, docs/rules.md.
SUBJECT_STATUS = _vocabulary("subject_status", "spelling", "status_class")
CLOSED_STATUSES = ("注销", "吊销", "迁出")
LICENSE_STATUS = {
    "有效": "有效",
    "1": "有效",
    "正常": "有效",
    "无效": "无效",
    "2": "无效",
    "注销": "无效",
    "撤销": "无效",
    "撤回": "无效",
    "吊销": "无效",
    "失效": "无效",
}
PROCEDURE = {
    "简易": "简易",
    "简易程序": "简易",
    "01": "简易",
    "普通": "普通",
    "普通程序": "普通",
    "一般程序": "普通",
    "02": "普通",
}
SEVERITY = {"轻微": "轻微", "一般": "一般", "严重": "严重"}
LICENSE_KIND = {k: k for k in ("普通", "特许", "认可", "核准", "登记", "其他")}
TAX_GRADE = {k: k for k in ("A", "B", "M", "C", "D")}
GRADE_AE = {k: k for k in ("A", "B", "C", "D", "E")}
REPAIR_RECORD_TYPE = {
    "penalty": "penalty",
    "行政处罚": "penalty",
    "serious_dishonest": "serious_dishonest",
    "严重失信": "serious_dishonest",
    "abnormal": "abnormal",
    "经营异常": "abnormal",
}
REPAIR_STATUS = {k: k for k in ("申请中", "已修复", "不予修复")}
FULFILMENT = {k: k for k in ("履约", "未履约", "履约中")}
LEDGER_KIND = {"许可": "许可", "行政许可": "许可", "处罚": "处罚", "行政处罚": "处罚"}
COLLECTION_CATEGORY = {k: k for k in ("纳税", "水费", "电费", "燃气费", "不动产", "科技研发")}

ENTITIES: tuple[Entity, ...] = (
    Entity(
        "subjects",
        "市场主体登记",
        "one row per registered market subject (uscc + name)",
        key=("uscc", "name"),
        columns=(
            C("uscc", "统一社会信用代码", required=True, check=CHECK_USCC),
            C("name", "主体名称", required=True, aliases=("企业名称", "名称", "企业名称（字号名称）")),
            C("status", "登记状态", required=True, enum=SUBJECT_STATUS, aliases=("登记状态（中文）",)),
            C("established_date", "成立日期", DATE, required=True),
            C("district_code", "行政区划代码", aliases=("住所所在行政区划",)),
            C("industry_code", "行业门类"),
            C("closed_date", "注销/吊销日期", DATE, aliases=("注销日期", "吊销日期")),
            C("legal_rep", "法定代表人"),
            C("approved_date", "核准日期", DATE, aliases=("核准日期（登记、吊销、注销日期）",)),
            C("reg_no", "营业执照注册号", aliases=("注册号", "工商注册号")),
        ),
        date_order=(("established_date", "closed_date"),),
        status_dates=(("closed_date", "approved_date", "status", CLOSED_STATUSES),),
    ),
    Entity(
        "penalties",
        "行政处罚",
        "one row per 行政处罚 decision (decision_no)",
        key=("decision_no",),
        columns=(
            C("decision_no", "行政处罚决定书文号", required=True, code="CF_WSH"),
            C("party_name", "行政相对人名称", required=True, code="CF_XDR_MC"),
            C("party_category", "行政相对人类别", required=True, code="CF_XDR_LB", enum=PARTY_CATEGORY),
            C(
                "uscc",
                "统一社会信用代码",
                required=True,
                code="CF_XDR_SHXYM",
                check=CHECK_USCC,
                aliases=("行政相对人代码_1(统一社会信用代码)", "行政相对人代码"),
            ),
            C("penalty_kinds", "处罚类别", required=True, code="CF_CFLB"),
            C("decision_date", "处罚决定日期", DATE, required=True, code="CF_JDRQ"),
            C("authority", "处罚机关", required=True, code="CF_CFJG"),
            C("authority_uscc", "处罚机关统一社会信用代码", required=True, code="CF_CFJGDM", check=CHECK_USCC),
            C("reported_at", "上报时间", DATE, aliases=("入库时间", "归集时间", "报送时间")),
            C("party_id_no", "证件号码", code="CF_XDR_ZJHM", check=CHECK_ID_NO, aliases=("身份证号码",)),
            C("reg_no", "工商注册号", code="CF_XDR_GSZC", aliases=("营业执照注册号", "注册号")),
            C("org_code", "组织机构代码", code="CF_XDR_ZZJG"),
            C("legal_rep", "法定代表人", code="CF_FRDB"),
            C("violation_type", "违法行为类型", code="CF_WFXW"),
            C("facts", "违法事实", code="CF_SY"),
            C("basis", "处罚依据", code="CF_YJ"),
            C("content", "处罚内容", code="CF_NR"),
            C("fine_wan_yuan", "罚款金额（万元）", DECIMAL, code="CF_NR_FK", aliases=("罚款金额",)),
            C(
                "confiscated_wan_yuan",
                "没收违法所得、没收非法财物的金额（万元）",
                DECIMAL,
                code="CF_NR_WFFF",
                aliases=("没收金额（万元）", "没收违法所得、没收非法财物的金额"),
            ),
            C("licence_action", "暂扣或吊销证照名称及编号", code="CF_NR_ZKDX"),
            C("publicity_end", "公示截止期", DATE, code="CF_GSJZQ", placeholder_means_absent=True),
            C("penalty_valid_to", "处罚有效期", DATE, code="CF_YXQ", long_term=True),
            C("procedure", "程序", enum=PROCEDURE, aliases=("案件程序类别", "程序类别")),
            C("severity", "失信程度", enum=SEVERITY),
            C("minor_first_offence", "首违轻微", BOOL),
            C("revoked", "已撤销", BOOL),
            C("source_unit", "数据来源单位", code="CF_SJLY"),
            C("source_unit_uscc", "数据来源单位统一社会信用代码", code="CF_SJLYDM"),
            C("remarks", "备注", code="BZ"),
        ),
        date_order=(("decision_date", "reported_at"), ("decision_date", "publicity_end")),
    ),
    Entity(
        "licenses",
        "行政许可",
        "one row per 行政许可 decision (license_no)",
        key=("license_no",),
        columns=(
            C("license_no", "许可编号", required=True, code="XK_XKBH"),
            C("party_name", "行政相对人名称", required=True, code="XK_XDR_MC"),
            C(
                "uscc",
                "统一社会信用代码",
                required=True,
                code="XK_XDR_SHXYM",
                check=CHECK_USCC,
                aliases=("行政相对人代码_1(统一社会信用代码)", "行政相对人代码"),
            ),
            C("certificate", "许可证书名称", required=True, code="XK_XKZS"),
            C("decision_date", "许可决定日期", DATE, required=True, code="XK_JDRQ"),
            C("valid_from", "有效期自", DATE, required=True, code="XK_YXQZ"),
            C("valid_to", "有效期至", DATE, required=True, code="XK_YXQZI", long_term=True),
            C("authority", "许可机关", required=True, code="XK_XKJG"),
            C("authority_uscc", "许可机关统一社会信用代码", required=True, code="XK_XKJGDM", check=CHECK_USCC),
            C("status", "当前状态", required=True, code="XK_ZT", enum=LICENSE_STATUS),
            C("reported_at", "上报时间", DATE, aliases=("入库时间", "归集时间", "报送时间")),
            C("decision_doc_no", "行政许可决定文书号", code="XK_WSH"),
            C("license_kind", "许可类别", code="XK_XKLB", enum=LICENSE_KIND, enum_other="其他"),
            C("content", "许可内容", code="XK_NR"),
            C("is_long_term", "长期有效", BOOL, long_term_of="valid_to"),
            C("party_category", "行政相对人类别", code="XK_XDR_LB", enum=PARTY_CATEGORY),
            C("legal_rep", "法定代表人", code="XK_FRDB"),
            C("decision_doc_name", "行政许可决定文书名称", code="XK_XKWS"),
            C("source_unit", "数据来源单位", code="XK_LYDW"),
            C("source_unit_uscc", "数据来源单位统一社会信用代码", code="XK_LYDWDM"),
        ),
        date_order=(("decision_date", "reported_at"), ("valid_from", "valid_to")),
        fallbacks={"license_no": "decision_doc_no"},
    ),
    Entity(
        "abnormal_operations",
        "经营异常名录",
        "one row per listing (uscc + listed_date)",
        key=("uscc", "listed_date"),
        columns=(
            C("uscc", "统一社会信用代码", required=True, check=CHECK_USCC),
            C("listed_date", "列入日期", DATE, required=True),
            C("listed_reason", "列入原因", required=True, aliases=("列入经营异常名录原因",)),
            C("removed_date", "移出日期", DATE),
            C("removed_reason", "移出原因", aliases=("移出经营异常名录原因",)),
            C("decided_by", "作出决定机关", aliases=("作出决定机关(列入)", "列入决定机关")),
            C("removed_by", "作出决定机关(移出)", aliases=("移出决定机关",)),
            C("reg_no", "营业执照注册号", aliases=("注册号", "工商注册号")),
            C("subject_name", "企业名称", aliases=("主体名称", "市场主体名称")),
        ),
        date_order=(("listed_date", "removed_date"),),
        key_alternates={"uscc": "reg_no"},
    ),
    Entity(
        "executees",
        "被执行人",
        "one row per enforcement case party (case_no + party_name)",
        key=("case_no", "party_name"),
        columns=(
            C("case_no", "执行案号", required=True, aliases=("案号",)),
            C("party_name", "被执行人姓名/名称", required=True, aliases=("被执行人姓名", "被执行人名称", "被执行人")),
            C("court", "执行法院", required=True),
            C("filed_date", "立案时间", DATE, required=True, aliases=("立案日期",)),
            C("is_dishonest", "失信", BOOL, required=True, aliases=("是否失信",)),
            C("uscc", "统一社会信用代码", check=CHECK_USCC),
            C("party_id_no", "身份证号码", check=CHECK_ID_NO, aliases=("证件号码",)),
            C("dishonest_published_date", "发布时间", DATE),
            C("closed_date", "结案/屏蔽日期", DATE, aliases=("结案日期", "屏蔽日期")),
            C("performance", "履行情况", aliases=("被执行人的履行情况",)),
            C("party_code", "身份证号码/组织机构代码", aliases=("证件号码/组织机构代码",)),
            C("org_code", "组织机构代码"),
            C("legal_rep", "法定代表人或者负责人姓名", aliases=("法定代表人",)),
            C("province", "省份"),
            C("basis_doc_no", "执行依据文号"),
            C("basis_unit", "做出执行依据单位", aliases=("作出执行依据单位",)),
            C("obligation", "生效法律文书确定的义务"),
            C("dishonest_conduct", "失信被执行人行为具体情形"),
        ),
        date_order=(("filed_date", "closed_date"),),
        split_identifier="party_code",
    ),
    Entity(
        "serious_dishonest",
        "严重失信主体名单",
        "one row per listing (uscc + list_name + listed_date)",
        key=("uscc", "list_name", "listed_date"),
        columns=(
            C("uscc", "统一社会信用代码", required=True, check=CHECK_USCC),
            C("list_name", "名单名称", required=True),
            C("department", "认定部门", required=True),
            C("listed_date", "列入日期", DATE, required=True),
            C("removed_date", "移出日期", DATE),
            C("removed_reason", "移出原因"),
            C("subject_name", "主体名称"),
        ),
        date_order=(("listed_date", "removed_date"),),
    ),
    Entity(
        "tax_credit",
        "纳税信用等级",
        "one row per taxpayer and evaluation year (uscc + year)",
        key=("uscc", "year"),
        columns=(
            C("uscc", "统一社会信用代码", required=True, check=CHECK_USCC, aliases=("纳税人识别号",)),
            C("year", "评价年度", INT, required=True, aliases=("纳税信用等级评定年度", "评定年度")),
            C("grade", "信用等级", required=True, enum=TAX_GRADE, aliases=("纳税信用级别", "纳税信用等级")),
            C("published_date", "发布日期", DATE),
            C("taxpayer_name", "纳税人名称"),
        ),
    ),
    Entity(
        "evaluations",
        "信用评价",
        "one row per grade given (uscc + evaluator + eval_date)",
        key=("uscc", "evaluator", "eval_date"),
        columns=(
            C("uscc", "统一社会信用代码", required=True, check=CHECK_USCC),
            C("evaluator", "评价部门", required=True),
            C("eval_date", "评价日期", DATE, required=True, aliases=("评价时间",)),
            C("grade", "等级", required=True, enum=GRADE_AE, aliases=("评价等级",)),
            C("score", "分值", DECIMAL, aliases=("信用分",)),
            C("subject_name", "主体名称"),
        ),
    ),
    Entity(
        "repairs",
        "信用修复",
        "one row per repair application (repair_id)",
        key=("repair_id",),
        columns=(
            C("repair_id", "修复申请编号", required=True),
            C("uscc", "统一社会信用代码", required=True, check=CHECK_USCC),
            C("record_type", "修复记录类型", required=True, enum=REPAIR_RECORD_TYPE),
            C("record_ref", "被修复记录", required=True),
            C("applied_date", "申请日期", DATE, required=True),
            C("status", "办理状态", required=True, enum=REPAIR_STATUS),
            C("decided_date", "决定日期", DATE),
        ),
        date_order=(("applied_date", "decided_date"),),
    ),
    Entity(
        "objections",
        "异议处理",
        "one row per objection (objection_id)",
        key=("objection_id",),
        columns=(
            C("objection_id", "异议编号", required=True),
            C("uscc", "统一社会信用代码", required=True, check=CHECK_USCC),
            C("department", "处理部门", required=True),
            C("received_date", "收到日期", DATE, required=True),
            C("answered_date", "答复日期", DATE),
            C("outcome", "处理结果"),
            C("concerns_grading", "涉及信用评价", BOOL),
        ),
        date_order=(("received_date", "answered_date"),),
    ),
    Entity(
        "commitments",
        "信用承诺",
        "one row per commitment (commitment_id)",
        key=("commitment_id",),
        columns=(
            C("commitment_id", "承诺编号", required=True),
            C("uscc", "统一社会信用代码", required=True, check=CHECK_USCC),
            C("kind", "承诺类型", required=True),
            C("department", "受理部门", required=True),
            C("signed_date", "签署日期", DATE, required=True),
            C("due_date", "履约期限", DATE),
            C("fulfilment", "履约状态", enum=FULFILMENT),
        ),
        date_order=(("signed_date", "due_date"),),
    ),
    Entity(
        "loans",
        "信易贷",
        "one row per loan (loan_id)",
        key=("loan_id",),
        columns=(
            C("loan_id", "贷款编号", required=True),
            C("uscc", "统一社会信用代码", required=True, check=CHECK_USCC),
            C("lender", "金融机构", required=True),
            C("amount_wan_yuan", "贷款金额（万元）", DECIMAL, required=True),
            C("due_date", "到期日", DATE, required=True),
            C("repaid_date", "还款日期", DATE),
            C("buffer_days", "缓冲期(天)", INT, aliases=("缓冲期",)),
        ),
    ),
    Entity(
        "campaign_lists",
        "专项治理名单",
        "one row per subject and campaign (uscc + campaign)",
        key=("uscc", "campaign"),
        columns=(
            C("uscc", "统一社会信用代码", required=True, check=CHECK_USCC),
            C("campaign", "专项名称", required=True),
            C("department", "责任部门", required=True),
            C("listed_date", "列入日期", DATE, required=True),
            C("closed_date", "销号日期", DATE),
        ),
        date_order=(("listed_date", "closed_date"),),
    ),
    Entity(
        "disclosure_ledger",
        "双公示台账",
        "one row per department, month and kind",
        key=("department", "month", "kind"),
        columns=(
            C("department", "部门", required=True),
            C("month", "月份", MONTH, required=True),
            C("kind", "类别", required=True, enum=LEDGER_KIND),
            C("decisions", "决定数", INT, required=True),
        ),
    ),
    Entity(
        "collections",
        "特定信用信息归集",
        "one row per department, month and category",
        key=("department", "month", "category"),
        columns=(
            C("department", "部门", required=True),
            C("month", "月份", MONTH, required=True),
            C("category", "类别", required=True, enum=COLLECTION_CATEGORY),
            C("records", "记录数", INT, required=True),
            C("subjects_covered", "覆盖主体数", INT, required=True),
        ),
    ),
    Entity(
        "city_scores",
        "城市信用监测得分",
        "one row per city and month",
        key=("city", "month"),
        columns=(
            C("month", "月份", MONTH, required=True),
            C("city", "城市", required=True),
            C("province", "省份", required=True),
            C("score", "综合信用指数", DECIMAL, required=True),
            C("rank", "排名", INT, required=True),
            C("rank_in_province", "省内排名", INT),
        ),
    ),
)

ENTITY_BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}

# Booleans (docs/data-contract.md): 是/否, true/false, 1/0, Y/N.
TRUE_WORDS = ("是", "true", "1", "y", "yes", "t")
FALSE_WORDS = ("否", "false", "0", "n", "no", "f")
# A date that says "never ends" (a licence's 有效期至, a penalty's 处罚有效期): long-term, not expiring.
LONG_TERM_WORDS = ("长期", "长期有效", "永久", "永久有效", "无期限", "无固定期限")
# Empty cells and these words mean "absent".
ABSENT_WORDS = ("", "暂无", "无", "-", "—", "null", "none", "nan")
# Date spellings accepted (docs/data-contract.md), as strptime formats; Excel date cells arrive as dates.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y年%m月%d日",
    "%Y.%m.%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
)
MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y%m", "%Y年%m月")


def check_flag(column: Column) -> str | None:
    """The quality-flag code a failed P3/P4 check puts on a row: uscc_invalid,
    authority_uscc_invalid, id_no_invalid (the codes rule SQL looks for in `_flags`)."""
    if column.check == CHECK_USCC:
        return f"{column.name}_invalid"
    if column.check == CHECK_ID_NO:
        return "id_no_invalid"
    return None


def normalize_header(text: str) -> str:
    """Header matching ignores case and surrounding white space (incl. full-width space and BOM)."""
    return str(text).replace("\ufeff", "").strip().strip("\u3000").strip().lower()


def header_map(entity: Entity) -> dict[str, str]:
    """Normalized header spelling → canonical column name for one entity: every spelling as it is
    written, then its loose form (loose_header), an exact spelling winning over a loose one."""
    mapping: dict[str, str] = {}
    for col in entity.columns:
        for h in col.headers:
            mapping.setdefault(normalize_header(h), col.name)
    for col in entity.columns:
        for h in col.headers:
            mapping.setdefault(loose_header(h), col.name)
    return mapping


# Characters a loose header comparison drops: white space, brackets and separators that exports
# place differently ("作出决定机关(列入)" / "作出决定机关（列入）" / "作出决定机关 列入").
_LOOSE_DROP = re.compile(r"[\s()\[\]【】<>《》:：,，、.。·_\-]+")
_CODE_FIRST = re.compile(r"^([a-z][a-z0-9]*(?:_[a-z0-9]+)*)[\s(:：]+(.+)$")
_INNER = re.compile(r"[(]([^()]+)[)]")
# Columns that number the rows of an export and mean nothing: ignored, not reported.
IGNORED_HEADERS = ("序号", "行号", "编号序号")


def loose_header(text: str) -> str:
    """NFKC (full-width letters, digits and brackets → ASCII), lower case, without white space,
    brackets and separators."""
    return _LOOSE_DROP.sub("", unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").lower())


def header_candidates(text: str) -> list[str]:
    """Keys to look a source header up by in header_map, most specific first: the header as it is,
    loosely; a leading field code and the label after it ("CF_XDR_MC 行政相对人名称",
    "CF_XDR_GSZC (工商注册号)"); the text in brackets ("行政相对人代码_3(统一社会信用代码)")."""
    norm = normalize_header(text)
    nfkc = unicodedata.normalize("NFKC", norm).strip()
    out = [norm, loose_header(norm)]
    if m := _CODE_FIRST.match(nfkc):
        out += [m.group(1), loose_header(m.group(2))]
    out += [loose_header(inner) for inner in _INNER.findall(nfkc)]
    return [k for k in out if k]


def lookup_header(known: Mapping[str, str], text: str) -> str | None:
    """The canonical column a source header names (header_map of its entity), or None."""
    for key in header_candidates(text):
        if key in known:
            return known[key]
    return None


def is_ignored_header(text: str) -> bool:
    """A row-number column (序号) that is neither mapped nor reported."""
    return loose_header(text) in IGNORED_HEADERS
