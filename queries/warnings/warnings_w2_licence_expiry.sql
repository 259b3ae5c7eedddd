-- rule: W2
-- returns: one row per valid licence (status 有效) of a party with a USCC expiring soon:
--          T <= valid_to < T + $licence_horizon_months months (a placeholder expiry is NULL = no
--          expiry, never listed), with the overlay flags at T — on the 经营异常名录 (listed on or
--          before T, not removed by T) and 失信被执行人 (a dishonest executee record filed on or
--          before T, not closed by T); risk_level 高 when any flag is set, else 一般. Routed to the
--          licensing department. anchor_records = the licence number; subject_name = the record's party
--          name. first_seen_date = the first
--          day T with T + horizon > valid_to.
-- parameters: $as_of, $licence_horizon_months, $uscc (one subject, or NULL for all)
-- source: docs/rules.md W2; 000 §二(二) ("按月提取出行政许可有效期不足1个月的企业 … 与企业经营异常名录信息和
--         失信被执行人信息关联叠加")
WITH expiring AS (
    SELECT
        license_no,
        uscc,
        party_name,
        certificate,
        valid_to,
        department_code,
        -- the first day T with T + horizon > valid_to: the day after valid_to − horizon, except
        -- when valid_to is a month end (then the first day of the following month)
        CAST(CASE
            WHEN valid_to = LAST_DAY(valid_to)
                THEN LAST_DAY(CAST(valid_to - $licence_horizon_months * INTERVAL 1 MONTH AS DATE))
            ELSE CAST(valid_to - $licence_horizon_months * INTERVAL 1 MONTH AS DATE)
        END + INTERVAL 1 DAY AS DATE) AS first_seen_date
    FROM license_facts
    WHERE is_valid_status
      AND uscc IS NOT NULL
      AND valid_to >= $as_of
      AND valid_to < CAST($as_of + $licence_horizon_months * INTERVAL 1 MONTH AS DATE)
      AND ($uscc IS NULL OR uscc = $uscc)
),

abnormal_at_t AS (
    SELECT DISTINCT uscc
    FROM abnormal_operations
    WHERE listed_date <= $as_of
      AND (removed_date IS NULL OR removed_date > $as_of)
),

dishonest_at_t AS (
    SELECT DISTINCT uscc
    FROM executees
    WHERE is_dishonest
      AND uscc IS NOT NULL
      AND filed_date <= $as_of
      AND (closed_date IS NULL OR closed_date > $as_of)
),

flagged AS (
    SELECT
        e.*,
        a.uscc IS NOT NULL AS on_abnormal_list,
        x.uscc IS NOT NULL AS is_dishonest_executee
    FROM expiring AS e
    LEFT JOIN abnormal_at_t AS a ON a.uscc = e.uscc
    LEFT JOIN dishonest_at_t AS x ON x.uscc = e.uscc
)

SELECT
    'W2-' || SUBSTR(MD5('W2|' || f.uscc || '|' || COALESCE(f.department_code, '') || '|' || f.license_no), 1, 12)
        AS warning_id,
    'W2' AS warning_type,
    f.uscc,
    CAST(NULL AS VARCHAR) AS party_id_no,
    FALSE AS is_natural_person,
    f.party_name AS subject_name,
    f.department_code,
    d.short_name AS department_name,
    '行政许可「' || COALESCE(f.certificate, f.license_no) || '」有效期至' || CAST(f.valid_to AS VARCHAR)
        || '，剩余不足' || CAST($licence_horizon_months AS VARCHAR) || '个月'
        || CASE WHEN f.on_abnormal_list THEN '；列入经营异常名录' ELSE '' END
        || CASE WHEN f.is_dishonest_executee THEN '；失信被执行人' ELSE '' END AS reason,
    f.license_no AS anchor_records,
    CASE WHEN f.on_abnormal_list OR f.is_dishonest_executee THEN '高' ELSE '一般' END AS risk_level,
    FALSE AS escalated,
    CAST(NULL AS VARCHAR) AS repair_status,
    f.valid_to AS expiry_date,
    f.first_seen_date,
    LAST_DAY(f.first_seen_date) AS first_seen_month
FROM flagged AS f
LEFT JOIN ref_departments AS d ON d.department_code = f.department_code
