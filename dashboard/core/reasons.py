"""Chinese wording of quarantine reasons and quality flags (docs/data-contract.md "Reject or flag").

Quarantine templates take `{detail}` (the columns and values concerned) and, for duplicate_key,
`{winner}` (the row number that was kept)."""

from __future__ import annotations

# Rows that cannot be used at all: kept in `quarantine` with their original values.
REASON_LABELS: dict[str, str] = {
    "missing_key": "关键字段为空：{detail}",
    "missing_required": "必填字段为空：{detail}",
    "bad_date": "日期无法识别：{detail}",
    "bad_number": "数值无法识别：{detail}",
    "bad_bool": "是否值无法识别（应为 是/否）：{detail}",
    "bad_enum": "取值不在允许范围内：{detail}",
    "duplicate_key": "本批数据中关键字段重复（{detail}），以第 {winner} 行为准",
    # rows a reader could not split into the header's fields (CSV), or with an oversized value
    "csv_columns": "该行列数与表头不符（{detail}），无法拆分为字段",
    "csv_quote": "该行引号不成对，无法拆分为字段",
    "field_too_long": "字段内容超过长度上限（{detail}）",
}
TOO_LONG_DETAIL = "单个字段不得超过 warehouse.max_field_bytes 字节"

# Rows accepted with a quality flag in stg_<entity>._flags (';'-joined, sorted).
FLAG_LABELS: dict[str, str] = {
    "uscc_invalid": "统一社会信用代码校验不通过",
    "authority_uscc_invalid": "机关统一社会信用代码校验不通过",
    "id_no_invalid": "身份证号码校验不通过",
    "placeholder_date": "日期为占位值（视为空）",
    "date_order": "日期先后顺序错误",
    "missing_field": "必填字段为空",
    "amount_unreadable": "金额无法识别（已按空值接受）",
    "reg_no_only": "主体仅以营业执照注册号标识（登记信息中有该注册号时已关联统一社会信用代码）",
    "mojibake": "疑似乱码（文字编码曾被误读）",
}

# Whole-source failures (EntityResult.error).
ERR_READ = "无法读取文件 {name}：{reason}"
ERR_ENCODING = "编码无法识别（不是 UTF-8 或 GB18030）"
ERR_EMPTY = "文件为空"
ERR_NOT_FOUND = "文件不存在"
ERR_FORMAT = "不支持的文件格式（仅支持 .csv、.xlsx、.parquet）"
ERR_CSV = "CSV 格式错误（{detail}）"
ERR_XLSX = "不是有效的 Excel（.xlsx）文件（{detail}）"
ERR_PARQUET = "不是有效的 Parquet 文件（{detail}）"
ERR_NO_HEADER = "没有表头行"
ERR_MISSING_COLUMNS = "缺少必填列：{columns}"
ERR_DB_READ = "无法读取数据库 {name}：{detail}"
ERR_DB_CONNECT = "无法连接数据库 {name}：{detail}"
ERR_DB_TABLE = "数据库表名不合法：{table}"
ERR_DB_QUERY = "数据库查询必须是一条 SELECT 语句"
ERR_INTERNAL = "导入 {name} 时出错：{detail}"


def column_label(label: str, name: str) -> str:
    """How a column is named to people: Chinese label with the canonical name, 处罚决定日期（decision_date）."""
    return f"{label}（{name}）"
