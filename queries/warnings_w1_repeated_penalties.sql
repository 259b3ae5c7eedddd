-- rule: W1
-- returns: one row per warned subject and routed department: subjects with a USCC (not natural
--          persons) that, counting only their penalties in publicity at T (P9) and each decision
--          number once, have at least $short_min_decisions decisions in the last $short_months
--          months or at least $long_min_decisions in the last $long_months months (half-open
--          windows (T − N months, T]). Routed to every department that issued a counted decision
--          (the long window's decisions when the long rule holds, else the short window's).
--          anchor_records = the counted decision numbers ('|'-joined); subject_name = the party name
--          on them (the published name; no registry lookup). The warning is identified by
--          the decision that opened the current episode (the day the condition last began to hold
--          without a break up to T), so its id stays the same while the condition holds.
-- parameters: $as_of, $short_months, $short_min_decisions, $long_months, $long_min_decisions,
--             $uscc (one subject, or NULL for all)
-- source: RULES.md W1, P7, P9; 000 §二(一) 一 ("半年内受到两次及以上行政处罚、或一年内受到3次及以上
--         行政处罚且行政处罚信息还在公示期")
-- (The P7/subject filter appears twice below: two scans that each keep their own date filter are
-- cheaper than one shared scan of every penalty.)
WITH counted_at_t AS (
    SELECT
        uscc,
        decision_no,
        decision_date,
        department_code,
        party_name,
        decision_date > CAST($as_of - $short_months * INTERVAL 1 MONTH AS DATE) AS in_short_window,
        decision_date > CAST($as_of - $long_months * INTERVAL 1 MONTH AS DATE) AS in_long_window
    FROM penalty_facts
    WHERE is_public_credit_info
      AND uscc IS NOT NULL
      AND NOT COALESCE(is_natural_person, FALSE)
      AND ($uscc IS NULL OR uscc = $uscc)
      AND decision_date <= $as_of
      AND (decision_date > CAST($as_of - $short_months * INTERVAL 1 MONTH AS DATE)
           OR decision_date > CAST($as_of - $long_months * INTERVAL 1 MONTH AS DATE))
      AND $as_of <= publicity_end_date
      AND (repaired_date IS NULL OR repaired_date > $as_of)
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

-- Episode start: a sweep over the warned subjects' penalties. Each counts in a window from its
-- decision date until the first of: leaving the window (the first day T with T − N months >= the
-- decision date: decision + N months, or the day after when that month end was clamped), the day
-- after its publicity ends, its repair approval. Running sums of the enter/leave events give the
-- counts on every day they change; the episode starts on the first change day after the last day
-- the condition did not hold.
history AS (
    SELECT p.uscc, p.decision_no, p.decision_date, p.publicity_end_date, p.repaired_date
    FROM penalty_facts AS p
    INNER JOIN warned AS w ON w.uscc = p.uscc
    WHERE p.is_public_credit_info
      AND NOT COALESCE(p.is_natural_person, FALSE)
      AND p.decision_date <= $as_of
),

window_exits AS (
    SELECT
        uscc,
        decision_no,
        decision_date,
        COALESCE(repaired_date, CAST(publicity_end_date + INTERVAL 1 DAY AS DATE)) AS repair_exit,
        CAST(publicity_end_date + INTERVAL 1 DAY AS DATE) AS publicity_exit,
        CASE
            WHEN EXTRACT(DAY FROM CAST(decision_date + $short_months * INTERVAL 1 MONTH AS DATE))
                 < EXTRACT(DAY FROM decision_date)
                THEN CAST(decision_date + $short_months * INTERVAL 1 MONTH + INTERVAL 1 DAY AS DATE)
            ELSE CAST(decision_date + $short_months * INTERVAL 1 MONTH AS DATE)
        END AS short_exit,
        CASE
            WHEN EXTRACT(DAY FROM CAST(decision_date + $long_months * INTERVAL 1 MONTH AS DATE))
                 < EXTRACT(DAY FROM decision_date)
                THEN CAST(decision_date + $long_months * INTERVAL 1 MONTH + INTERVAL 1 DAY AS DATE)
            ELSE CAST(decision_date + $long_months * INTERVAL 1 MONTH AS DATE)
        END AS long_exit
    FROM history
),

events AS (
    -- each penalty enters both windows on its decision day and leaves each on its own day
    SELECT
        x.uscc,
        CASE k.kind WHEN 0 THEN x.decision_date WHEN 1 THEN x.short_until ELSE x.long_until END AS day,
        CASE k.kind WHEN 0 THEN 1 WHEN 1 THEN -1 ELSE 0 END AS short_change,
        CASE k.kind WHEN 0 THEN 1 WHEN 2 THEN -1 ELSE 0 END AS long_change
    FROM (
        SELECT
            uscc,
            decision_date,
            -- a penalty that never counts (repaired on its decision day) enters and leaves that day
            GREATEST(decision_date, LEAST(short_exit, publicity_exit, repair_exit)) AS short_until,
            GREATEST(decision_date, LEAST(long_exit, publicity_exit, repair_exit)) AS long_until
        FROM window_exits
    ) AS x
    CROSS JOIN (VALUES (0), (1), (2)) AS k (kind)
),

checkpoint_counts AS (
    -- a RANGE frame sums every event of the same day: the counts at
    -- the end of each change day (a penalty that never counts enters and leaves on one day)
    SELECT
        uscc,
        day,
        SUM(short_change) OVER (PARTITION BY uscc ORDER BY day RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            AS n_short,
        SUM(long_change) OVER (PARTITION BY uscc ORDER BY day RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            AS n_long
    FROM events
    WHERE day <= $as_of
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
    w.party_name AS subject_name,
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
LEFT JOIN ref_departments AS d ON d.department_code = w.department_code
