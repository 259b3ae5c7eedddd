-- rule: W5
-- returns: one row per 信易贷 loan in default at T and routed department: not repaid by T
--          (repaid_date NULL or after T) and T > due_date + buffer days (the record's buffer_days,
--          else $default_buffer_days). Routed to $w5_department (金融监管分局) and to the subject's
--          supervising department (industry → department map) when known. The warning holds from
--          the day after the buffer ends (first_seen_date). anchor_records = the loan id.
-- parameters: $as_of, $default_buffer_days, $w5_department, $uscc (one subject, or NULL for all)
-- source: docs/rules.md W5; 000 §二(五) ("对在金融机构规定的缓冲期内仍未还款的企业")
--         the subject's name and supervising department: marts/35_listed_subjects.sql
WITH loans_with_buffer AS (
    SELECT
        loan_id,
        uscc,
        lender,
        amount_wan_yuan,
        due_date,
        repaid_date,
        COALESCE(buffer_days, $default_buffer_days) AS buffer_days
    FROM loans
    WHERE $uscc IS NULL OR uscc = $uscc
),

in_default AS (
    SELECT
        l.*,
        CAST(l.due_date + (l.buffer_days + 1) * INTERVAL 1 DAY AS DATE) AS default_date,
        s.subject_name,
        s.supervising_department_code
    FROM loans_with_buffer AS l
    LEFT JOIN listed_subjects AS s ON s.uscc = l.uscc
    WHERE (l.repaid_date IS NULL OR l.repaid_date > $as_of)
      AND $as_of > CAST(l.due_date + l.buffer_days * INTERVAL 1 DAY AS DATE)
),

routes AS (
    SELECT loan_id, $w5_department AS department_code
    FROM in_default
    UNION
    SELECT loan_id, supervising_department_code AS department_code
    FROM in_default
    WHERE supervising_department_code IS NOT NULL
)

SELECT
    'W5-' || SUBSTR(MD5('W5|' || i.uscc || '|' || r.department_code || '|' || i.loan_id), 1, 12) AS warning_id,
    'W5' AS warning_type,
    i.uscc,
    CAST(NULL AS VARCHAR) AS party_id_no,
    FALSE AS is_natural_person,
    i.subject_name,
    r.department_code,
    d.short_name AS department_name,
    '信易贷逾期未还款（' || i.lender || '，到期日' || CAST(i.due_date AS VARCHAR) || '，缓冲期'
        || CAST(i.buffer_days AS VARCHAR) || '天）' AS reason,
    i.loan_id AS anchor_records,
    CAST(NULL AS VARCHAR) AS risk_level,
    FALSE AS escalated,
    CAST(NULL AS VARCHAR) AS repair_status,
    CAST(NULL AS DATE) AS expiry_date,
    i.default_date AS first_seen_date,
    LAST_DAY(i.default_date) AS first_seen_month
FROM in_default AS i
INNER JOIN routes AS r ON r.loan_id = i.loan_id
LEFT JOIN ref_departments AS d ON d.department_code = r.department_code
