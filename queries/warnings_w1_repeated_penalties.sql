-- rule: W1
-- returns: one row per warned subject and routed department: subjects with a USCC (not natural
--          persons) that, counting only their penalties in publicity at T (P9) and each decision
--          number once, have at least $short_min_decisions decisions in the last $short_months
--          months or at least $long_min_decisions in the last $long_months months (half-open
--          windows (T − N months, T]). Routed to every department that issued a counted decision
--          (the long window's decisions when the long rule holds, else the short window's).
--          anchor_records = the counted decision numbers ('|'-joined). The warning is identified by
--          the decision that opened the current episode (the day the condition last began to hold
--          without a break up to T), so its id stays the same while the condition holds.
-- parameters: $as_of, $short_months, $short_min_decisions, $long_months, $long_min_decisions
-- source: RULES.md W1, P7, P9; 000 §二(一) 一 ("半年内受到两次及以上行政处罚、或一年内受到3次及以上
--         行政处罚且行政处罚信息还在公示期")
WITH public_penalties AS (
    SELECT
        uscc,
        decision_no,
        decision_date,
        publicity_end_date,
        repaired_date,
        department_code,
        party_name
    FROM penalty_facts
    WHERE is_public_credit_info
      AND uscc IS NOT NULL
      AND NOT COALESCE(is_natural_person, FALSE)
      AND decision_date <= $as_of
),

counted_at_t AS (
    SELECT
        p.*,
        p.decision_date > CAST($as_of - $short_months * INTERVAL 1 MONTH AS DATE) AS in_short_window,
        p.decision_date > CAST($as_of - $long_months * INTERVAL 1 MONTH AS DATE) AS in_long_window
    FROM public_penalties AS p
    WHERE $as_of <= p.publicity_end_date
      AND (p.repaired_date IS NULL OR p.repaired_date > $as_of)
),

subject_counts AS (
    SELECT
        uscc,
        COUNT(DISTINCT CASE WHEN in_short_window THEN decision_no END) AS n_short,
        COUNT(DISTINCT CASE WHEN in_long_window THEN decision_no END) AS n_long
    FROM counted_at_t
    GROUP BY uscc
),

warned AS (
    SELECT
        uscc,
        n_short,
        n_long,
        n_short >= $short_min_decisions AS short_rule_holds,
        n_long >= $long_min_decisions AS long_rule_holds
    FROM subject_counts
    WHERE n_short >= $short_min_decisions OR n_long >= $long_min_decisions
),

counted_decisions AS (
    SELECT c.*
    FROM counted_at_t AS c
    INNER JOIN warned AS w ON w.uscc = c.uscc
    WHERE (w.long_rule_holds AND c.in_long_window)
       OR (NOT w.long_rule_holds AND c.in_short_window)
),

-- Episode start: the condition can only begin to hold on a decision date and only stop on a day a
-- decision leaves a window, leaves publicity or is repaired. Evaluating it on each such day of the
-- warned subjects gives the last day it did not hold; the episode starts on the next checkpoint.
-- (A window exit falls on d + N months, or the day after when the month end was clamped: both.)
history AS (
    SELECT p.*
    FROM public_penalties AS p
    INNER JOIN warned AS w ON w.uscc = p.uscc
),

checkpoints AS (
    SELECT uscc, decision_date AS day FROM history
    UNION
    SELECT uscc, CAST(decision_date + $short_months * INTERVAL 1 MONTH AS DATE) FROM history
    UNION
    SELECT uscc, CAST(decision_date + $short_months * INTERVAL 1 MONTH + INTERVAL 1 DAY AS DATE) FROM history
    UNION
    SELECT uscc, CAST(decision_date + $long_months * INTERVAL 1 MONTH AS DATE) FROM history
    UNION
    SELECT uscc, CAST(decision_date + $long_months * INTERVAL 1 MONTH + INTERVAL 1 DAY AS DATE) FROM history
    UNION
    SELECT uscc, CAST(publicity_end_date + INTERVAL 1 DAY AS DATE) FROM history
    UNION
    SELECT uscc, repaired_date FROM history WHERE repaired_date IS NOT NULL
),

checkpoint_counts AS (
    SELECT
        k.uscc,
        k.day,
        COUNT(DISTINCT CASE
            WHEN h.decision_date > CAST(k.day - $short_months * INTERVAL 1 MONTH AS DATE) THEN h.decision_no
        END) AS n_short,
        COUNT(DISTINCT CASE
            WHEN h.decision_date > CAST(k.day - $long_months * INTERVAL 1 MONTH AS DATE) THEN h.decision_no
        END) AS n_long
    FROM checkpoints AS k
    LEFT JOIN history AS h
        ON h.uscc = k.uscc
        AND h.decision_date <= k.day
        AND k.day <= h.publicity_end_date
        AND (h.repaired_date IS NULL OR h.repaired_date > k.day)
    WHERE k.day <= $as_of
    GROUP BY k.uscc, k.day
),

last_gap AS (
    SELECT uscc, MAX(day) AS gap_day
    FROM checkpoint_counts
    WHERE n_short < $short_min_decisions AND n_long < $long_min_decisions
    GROUP BY uscc
),

episode_start AS (
    SELECT c.uscc, MIN(c.day) AS start_day
    FROM checkpoint_counts AS c
    LEFT JOIN last_gap AS g ON g.uscc = c.uscc
    WHERE g.gap_day IS NULL OR c.day > g.gap_day
    GROUP BY c.uscc
),

episode_anchor AS (
    SELECT e.uscc, e.start_day, MIN(h.decision_no) AS opening_decision_no
    FROM episode_start AS e
    LEFT JOIN history AS h ON h.uscc = e.uscc AND h.decision_date = e.start_day
    GROUP BY e.uscc, e.start_day
),

subject_anchors AS (
    SELECT
        uscc,
        STRING_AGG(decision_no, '|' ORDER BY decision_date, decision_no) AS anchor_records,
        MIN(party_name) AS party_name
    FROM counted_decisions
    GROUP BY uscc
),

routes AS (
    SELECT DISTINCT uscc, department_code
    FROM counted_decisions
),

warnings AS (
    SELECT
        r.uscc,
        r.department_code,
        CONCAT_WS('；',
            CASE WHEN w.short_rule_holds THEN
                '近' || CAST($short_months AS VARCHAR) || '个月受到' || CAST(w.n_short AS VARCHAR) || '次行政处罚（公示期内）'
            END,
            CASE WHEN w.long_rule_holds THEN
                '近' || CAST($long_months AS VARCHAR) || '个月受到' || CAST(w.n_long AS VARCHAR) || '次行政处罚（公示期内）'
            END) AS reason,
        a.anchor_records,
        a.party_name,
        ea.start_day,
        COALESCE(ea.opening_decision_no, CAST(ea.start_day AS VARCHAR)) AS identity_anchor
    FROM routes AS r
    INNER JOIN warned AS w ON w.uscc = r.uscc
    INNER JOIN subject_anchors AS a ON a.uscc = r.uscc
    INNER JOIN episode_anchor AS ea ON ea.uscc = r.uscc
)

SELECT
    'W1-' || SUBSTR(MD5('W1|' || w.uscc || '|' || COALESCE(w.department_code, '') || '|' || w.identity_anchor), 1, 12)
        AS warning_id,
    'W1' AS warning_type,
    w.uscc,
    CAST(NULL AS VARCHAR) AS party_id_no,
    FALSE AS is_natural_person,
    COALESCE(s.subject_name, w.party_name) AS subject_name,
    w.department_code,
    d.short_name AS department_name,
    w.reason,
    w.anchor_records,
    CAST(NULL AS VARCHAR) AS risk_level,
    FALSE AS escalated,
    CAST(NULL AS VARCHAR) AS repair_status,
    CAST(NULL AS DATE) AS expiry_date,
    w.start_day AS first_seen_date,
    LAST_DAY(w.start_day) AS first_seen_month
FROM warnings AS w
LEFT JOIN indicator_subjects AS s ON s.uscc = w.uscc
LEFT JOIN ref_departments AS d ON d.department_code = w.department_code
