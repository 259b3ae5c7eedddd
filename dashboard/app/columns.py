"""Chinese headers and display kinds of every column the pages show, keyed by the English column
names the query functions return — one place, so a column reads the same on every page and in
every download.

`pick("uscc", "subject_name", value=("覆盖率", PCT))` gives a column spec for ui.table: the named
columns with their headers, keyword arguments overriding a header/kind where a page means the
column differently. `present(frame)` gives every known column of a frame, in the frame's order.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dashboard.app.exports import BOOL, COUNT, DATE, LIST, MONTH, NUMBER, PCT, STATUS, TEXT, WAN_YUAN, Col
from dashboard.core import contract, glossary
from dashboard.core.reasons import REASON_LABELS
from dashboard.rules.credit_warnings import WARNING_TYPES
from dashboard.rules.profile import MATCHED_BY_LABELS
from dashboard.rules.quality import reason_label

# Codes that reach a list → the words people read (a list shows the words, never the code).
ENTITY_NAMES = tuple((e.name, e.label) for e in contract.ENTITIES)  # penalties → 行政处罚
REASON_NAMES = tuple((code, reason_label(code)) for code in REASON_LABELS)  # bad_date → 日期无法识别
WARNING_TYPE_NAMES = tuple(WARNING_TYPES.items())  # W1 → 多次行政处罚预警

LABELS: dict[str, Col] = {
    # subjects and departments
    "uscc": Col("统一社会信用代码"),
    "subject_name": Col("主体名称"),
    "name": Col("名称"),
    "party_name": Col("当事人名称"),
    "party_id_no": Col("证件号码"),
    "party_id_masked": Col("证件号码"),
    "is_natural_person": Col("自然人", BOOL),
    "is_enterprise": Col("企业", BOOL),
    "department_name": Col(glossary.DEPARTMENT),
    "district_name": Col("区县"),
    "industry_name": Col("行业"),
    "industry_code": Col("行业门类"),
    "status": Col("状态"),
    "established_date": Col("成立日期", DATE),
    "legal_rep": Col("法定代表人"),
    # indicators
    "indicator_id": Col("指标编号"),
    "value": Col("实际值", NUMBER),
    "numerator": Col("分子", COUNT),
    "denominator": Col("分母", COUNT),
    "target": Col("目标值", NUMBER),
    "category": Col("类别"),
    "month": Col("月份", MONTH),
    "month_end": Col("月份", MONTH),
    "records": Col("记录数", COUNT),
    "subjects_covered": Col("覆盖主体数", COUNT),
    "is_pushed": Col("已推送", BOOL),
    "problem": Col("问题类型"),
    "n_names": Col("同码名称数", COUNT),
    "ledger_decisions": Col("台账决定数", COUNT),
    "reported_penalties": Col("上报处罚数", COUNT),
    "reported_licenses": Col("上报许可数", COUNT),
    "reported": Col("上报数", COUNT),
    "gap": Col("差额", COUNT),
    "record_kind": Col("记录类型"),
    "record_no": Col("文书号"),
    "authority": Col("决定机关"),
    "decision_date": Col("决定日期", DATE),
    "reported_at": Col("上报日期", DATE),
    "report_deadline_date": Col("上报期限", DATE),
    "working_days_to_report": Col("上报用时（工作日）", COUNT),
    "quality_flags": Col("质量标记"),
    "is_compliant": Col("合规", BOOL),
    "is_timely": Col("及时", BOOL),
    "objection_id": Col("异议编号"),
    "received_date": Col("收到日期", DATE),
    "answered_date": Col("答复日期", DATE),
    "answer_deadline_date": Col("答复期限", DATE),
    "working_days_to_answer": Col("答复用时（工作日）", COUNT),
    "allowed_working_days": Col("时限（工作日）", COUNT),
    "concerns_grading": Col("涉及信用评价", BOOL),
    "outcome": Col("处理结果"),
    "commitment_id": Col("承诺编号"),
    "kind": Col("类型"),
    "signed_date": Col("签署日期", DATE),
    "due_date": Col("到期日", DATE),
    "fulfilment": Col("履约状态"),
    "has_results": Col("有评价结果", BOOL),
    "n_evaluations": Col("评价次数", COUNT),
    "n_subjects": Col("主体数", COUNT),
    "last_eval_date": Col("最近评价日期", DATE),
    "decision_no": Col("决定书文号"),
    "severity_class": Col("失信程度"),
    "repair_eligible_date": Col("可申请修复日期", DATE),
    "publicity_end_date": Col("公示截止日期", DATE),
    "penalty_valid_to": Col("处罚有效期", DATE),
    "has_pending_repair": Col("修复申请中", BOOL),
    "repair_status": Col("修复状态"),
    "tax_year": Col("纳税评价年度"),
    "tax_grade": Col("纳税信用等级"),
    "list_name": Col("名单名称"),
    "listed_date": Col("列入日期", DATE),
    "removed_date": Col("移出日期", DATE),
    "matched_by": Col("识别依据", labels=tuple(MATCHED_BY_LABELS.items())),
    "source_entity": Col("记录来源", labels=ENTITY_NAMES),
    "record_ref": Col("记录编号"),
    "start_date": Col("开始日期", DATE),
    "end_date": Col("结束日期", DATE),
    "scope_level": Col("统计口径"),
    "value_text": Col("实际值"),
    "target_text": Col("目标"),
    # warnings and follow-up
    "warning_id": Col("预警编号"),
    "warning_type": Col("预警类型", labels=WARNING_TYPE_NAMES),
    "type_name": Col("预警类型"),
    "reason": Col("预警原因"),
    "anchor_records": Col("依据记录", LIST),
    "risk_level": Col("风险等级"),
    "escalated": Col("已升级", BOOL),
    "first_seen_month": Col("首次出现月份", MONTH),
    "first_seen_date": Col("首次出现日期", DATE),
    "first_action_date": Col("首次处置日期", DATE),
    "working_days_to_first_action": Col("首次处置用时（工作日）", COUNT),
    "is_overdue": Col("超期未处置", BOOL),
    "n_open": Col("预警中", COUNT),
    "n_acted": Col("已处置", COUNT),
    "n_overdue": Col("超期未处置", COUNT),
    "n_resolved": Col("已解除", COUNT),
    "n_warnings": Col("预警数", COUNT),
    "median_working_days_to_first_action": Col("首次处置用时中位数（工作日）", NUMBER),
    "median_days_to_first_action": Col("首次处置用时中位数（工作日）", NUMBER),
    "step": Col("处置环节"),
    "action_date": Col("处置日期", DATE),
    "note": Col("处置说明"),
    "user": Col("记录人"),
    "recorded_at": Col("记录时间"),
    "expiry_date": Col("许可有效期至", DATE),
    "user_name": Col("记录人"),
    "deadline_date": Col("处置期限", DATE),
    "holds": Col("预警中", BOOL),
    "n_steps": Col("处置记录数", COUNT),
    # work items (001 一, 六, 七, 九, 十一, 十三, 十六–二十)
    "seed_ref": Col("依据"),
    "title": Col("工作事项"),
    "owner_names": Col(glossary.DEPARTMENT),
    "frequency": Col("频次"),
    "evidence": Col("佐证材料"),
    "updated_by": Col("更新人"),
    "updated_at": Col("更新时间"),
    # department ranking (通报)
    "rank": Col("排名", COUNT),
    "n_indicators": Col("考核指标数", COUNT),
    "n_red": Col("未达标指标", COUNT),
    "n_amber": Col("临界指标", COUNT),
    "i04a": Col("上报率", PCT),
    "i04b": Col("合规率", PCT),
    "i04c": Col("及时率", PCT),
    "i05": Col("异议按时处理率", PCT),
    "lagging_on": Col("主要差距"),
    # grading
    "grade": Col("等级"),
    "grade_source": Col("等级来源"),
    "eval_date": Col("评价日期", DATE),
    "evaluator": Col("评价部门"),
    "score": Col("分值", NUMBER),
    "group_code": Col("分组代码"),
    "group_name": Col("分组"),
    "ratio": Col("抽查比例", PCT),
    "n_drawn": Col("抽取数", COUNT),
    # profile
    "certificate": Col("许可证书"),
    "license_no": Col("许可编号"),
    "valid_from": Col("有效期自", DATE),
    "valid_to": Col("有效期至", DATE),
    "penalty_kinds": Col("处罚类别"),
    "fine_wan_yuan": Col("罚款（万元）", WAN_YUAN),
    "in_publicity": Col("公示中", BOOL),
    "eligible_for_repair_date": Col("可申请修复日期", DATE),
    "eligible_for_repair": Col("可申请修复", BOOL),
    "is_active": Col("当前有效", BOOL),
    "case_no": Col("执行案号"),
    "court": Col("执行法院"),
    "filed_date": Col("立案日期", DATE),
    "is_dishonest": Col("失信", BOOL),
    "closed_date": Col("结案/销号日期", DATE),
    "campaign": Col("专项名称"),
    "repair_id": Col("修复申请编号"),
    "record_type": Col("修复记录类型"),
    "applied_date": Col("申请日期", DATE),
    "decided_date": Col("决定日期", DATE),
    "loan_id": Col("贷款编号"),
    "lender": Col("金融机构"),
    "amount_wan_yuan": Col("金额（万元）", WAN_YUAN),
    "repaid_date": Col("还款日期", DATE),
    "year": Col("评价年度"),
    "published_date": Col("发布日期", DATE),
    "listed_reason": Col("列入原因"),
    "removed_reason": Col("移出原因"),
    "facts": Col("违法事实"),
    "content": Col("内容"),
    "department": Col("部门"),
    "party_category": Col("当事人类别"),
    "procedure": Col("程序"),
    "is_excluded_p7": Col("不纳入信用信息（简易程序/首违轻微）", BOOL),
    "is_revoked": Col("已撤销", BOOL),
    "is_public_credit_info": Col("公共信用信息", BOOL),
    "repaired_date": Col("修复日期", DATE),
    "license_kind": Col("许可类别"),
    "expiry_status": Col("有效期状态"),
    "days_to_expiry": Col("距到期天数", COUNT),
    "decided_by": Col("作出决定机关"),
    "performance": Col("履行情况"),
    "is_dishonest_at": Col("失信被执行人", BOOL),
    "dishonest_published_date": Col("失信发布日期", DATE),
    "status_at": Col("办理状态"),
    "answered_within_sla": Col("按时答复", BOOL),
    "is_due": Col("已到履约期限", BOOL),
    "buffer_days": Col("缓冲期（天）", COUNT),
    "is_in_default": Col("违约", BOOL),
    "supervising_department_name": Col("监管部门"),
    "draw_order": Col("抽取顺序", COUNT),
    # data quality
    "entity": Col(glossary.DATA_ITEM, labels=ENTITY_NAMES),
    "entity_label": Col(glossary.DATA_ITEM),
    "run_id": Col("装载编号"),
    "label": Col(glossary.DATA_ITEM),
    "reason_code": Col("原因", labels=REASON_NAMES),
    "message": Col("说明"),
    "n_rows": Col("行数", COUNT),
    "source": Col("来源"),
    "row_no": Col("行号", COUNT),
    "original": Col("原始值"),
    "quarantined_at": Col("隔离时间"),
    "n_current": Col("当前记录数", COUNT),
    "n_flagged": Col("带质量标记", COUNT),
    "n_replaced": Col("已替换版本", COUNT),
    "n_retired": Col("已退役版本", COUNT),
    "n_quarantined": Col("隔离行数", COUNT),
    "last_loaded_at": Col("最近装载时间"),
    "n_penalties": Col("处罚决定数", COUNT),
    "n_simple_procedure": Col("简易程序", COUNT),
    "n_minor_first_offence": Col("首违轻微", COUNT),
    "n_excluded": Col("不纳入信用信息", COUNT),
    "n_revoked": Col("已撤销", COUNT),
    "excluded_share": Col("排除占比", PCT),
    "n_records": Col("记录数", COUNT),
    "n_orphans": Col("登记库无此代码", COUNT),
    "n_orphan_usccs": Col("涉及代码数", COUNT),
    "orphan_share": Col("占比", PCT),
    "n_names_on_uscc": Col("同码名称数", COUNT),
    "registering_authority_code": Col("登记管理部门码"),
    "kind_label": Col("类型"),
    "status_label": Col("状态"),
    "started_at": Col("开始时间"),
    "seconds": Col("用时（秒）", NUMBER),
    "snapshot_id": Col("快照"),
    "error": Col("错误"),
    "notes": Col("说明"),
    "rows_read": Col("读取", COUNT),
    "rows_accepted": Col("接受", COUNT),
    "rows_quarantined": Col("隔离", COUNT),
    "rows_flagged": Col("带标记", COUNT),
    "rows_inserted": Col("新增", COUNT),
    "rows_replaced": Col("替换", COUNT),
    "rows_retired": Col("退役", COUNT),
    "rows_unchanged": Col("未变", COUNT),
}
# Codes shown beside their names would only repeat them.
HIDDEN = frozenset({"department_code", "district_code", "party_key", "indicator_id", "is_natural_person"})
_UNIT_KIND = {"pct": PCT, "count": COUNT, "months": COUNT}


def kind_of_unit(unit: str) -> str:
    """The column kind of an indicator value in its catalogue unit."""
    return _UNIT_KIND.get(unit, NUMBER)


def _as_col(name: str, spec: Col | str | tuple[str, str]) -> Col:
    if isinstance(spec, Col):
        return spec
    if isinstance(spec, tuple):
        return Col(*spec)
    return Col(spec, LABELS[name].kind if name in LABELS else TEXT)


def pick(*names: str, **overrides: Col | str | tuple[str, str]) -> dict[str, Col]:
    """A column spec: `names` with their shared headers, then `overrides` (name = header, or
    (header, kind)) replacing or adding columns; order: names, then new override columns."""
    missing = [n for n in names if n not in LABELS and n not in overrides]
    if missing:
        raise KeyError(f"no Chinese header for columns {missing}")
    # a name without a shared header is in overrides (checked above), which set it again below
    out = {n: LABELS[n] if n in LABELS else _as_col(n, overrides[n]) for n in names}
    for name, spec in overrides.items():
        out[name] = _as_col(name, spec)
    return out


def present(
    frame: pd.DataFrame, exclude: Iterable[str] = (), **overrides: Col | str | tuple[str, str]
) -> dict[str, Col]:
    """Every column of `frame` that has a header (codes and internal columns left out), in the
    frame's order, with `overrides` applied."""
    skip = set(exclude) | HIDDEN
    out: dict[str, Col] = {}
    for name in frame.columns:
        if name in overrides:
            out[name] = _as_col(name, overrides[name])
        elif name in LABELS and name not in skip:
            out[name] = LABELS[name]
    return out


def indicator_values(unit: str) -> dict[str, Col]:
    """Overrides that show value and target in an indicator's unit."""
    kind = kind_of_unit(unit)
    return {"value": Col("实际值", kind), "target": Col("目标值", kind), "status": Col("状态", STATUS)}
