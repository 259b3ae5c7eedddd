"""One word per concept on screen: the glossary of the dashboard.

Every concept the pages name has one Chinese term (`Term.term`); the synonyms that crept in
before, or that a new page would reach for, are listed as `rejected` and must not reach the
screen (tests/test_glossary.py scans the text literals of pages/ and dashboard/app/ for them).
Code names the term through the constants below (glossary.DEPARTMENT …) rather than typing it
again. Terms that look alike but mean different things stay apart and say so in `note`: 处置 (a
department's follow-up on a warning) is not 整改 (one step of it, 已整改) nor 异议处理 (answering an
objection, a 双公示 duty); 超期 (a warning past its time limit) is not 逾期 (monthly feedback sent
after its due date); 评价部门, 监管部门 and 登记管理部门 are the roles a department plays in a record,
not the 责任单位 the office holds to account.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A concept (in English, for the code), its one Chinese term, and the synonyms not to use."""

    concept: str
    term: str
    rejected: tuple[str, ...] = ()
    note: str = ""


DEPARTMENT = "责任单位"
UNMATCHED_DEPARTMENT = "未匹配部门"
SUBJECT = "主体"
PROFILE = "主体画像"
FOLLOW_UP = "处置"
OVERDUE = "超期未处置"
IN_FORCE = "预警中"
BELOW_TARGET = "未达标"
NEAR_TARGET = "临界"
ON_TARGET = "达标"
LOAD = "装载"
DATA_ITEM = "数据项"
QUARANTINE = "隔离"
SNAPSHOT = "数据快照"

TERMS: tuple[Term, ...] = (
    Term(
        "a city department accountable for indicators, warnings and feedback (department_code)",
        DEPARTMENT,
        ("请选择部门", "全部部门", "按部门", "各部门", "其他部门", "本部门", "绑定部门", "部门排名", "部门名称"),
        "评价部门, 监管部门, 登记管理部门 and 决定机关 name the role a department has in one record",
    ),
    Term(
        "rows whose department could not be matched to the reference list",
        UNMATCHED_DEPARTMENT,
        ("未映射部门", "未知部门", "未识别部门"),
    ),
    Term(
        "a market subject of the registry (enterprise, organisation, individual business)",
        SUBJECT,
        ("企业名称", "信用主体", "企业画像"),
        "企业 names only the kind of subject that is an enterprise (是否企业)",
    ),
    Term("one subject's whole credit record (the 主体画像 page)", PROFILE, ("信用画像", "信用档案", "主体档案")),
    Term(
        "what a department records doing about a warning",
        FOLLOW_UP,
        ("预警处理", "处理状态", "整改状态", "跟进"),
        "已整改 is one step of 处置; 异议处理 answers an objection",
    ),
    Term(
        "a warning past its time limit without a follow-up step",
        OVERDUE,
        ("逾期未处置", "超时未处置", "超期未处理"),
        "逾期报送 / 逾期未报 are monthly feedback sent late, not warnings",
    ),
    Term("a warning whose condition holds at the as-of date", IN_FORCE, ("在途预警", "生效中", "未关闭预警")),
    Term("an indicator on the wrong side of its target", BELOW_TARGET, ("不达标", "未完成目标")),
    Term("an indicator within the amber band of its target", NEAR_TARGET, ("接近目标", "预警线")),
    Term("an indicator at or beyond its target", ON_TARGET, ("已完成目标",)),
    Term("reading a drop or a database into a new snapshot", LOAD, ("导入数据", "加载数据", "数据导入")),
    Term("one entity of the data contract (行政处罚, 市场主体登记 …)", DATA_ITEM, ("实体", "数据实体", "数据表")),
    Term("rows a load could not use, kept with their original values", QUARANTINE, ("拒收", "剔除行", "错误行")),
    Term("the published, read-only warehouse file a page reads", SNAPSHOT, ("数据版本",)),
)

REJECTED: dict[str, str] = {word: t.term for t in TERMS for word in t.rejected}
