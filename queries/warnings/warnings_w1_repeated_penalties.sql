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
--          without a break up to T; episodes are computed once per load in
--          marts/30_repeated_penalty_spans.sql), so its id stays the same while the condition holds.
--          The counts are taken for the subjects that mart says hold at T, and checked again here:
--          a subject is warned when both agree, as before the mart existed.
-- parameters: $as_of, $short_months, $short_min_decisions, $long_months, $long_min_decisions,
--             $uscc (one subject, or NULL for all)
-- source: docs/rules.md W1, P7, P9; 000 §二(一) 一 ("半年内受到两次及以上行政处罚、或一年内受到3次及以上
--         行政处罚且行政处罚信息还在公示期")
--         P9 at T, and the decisions themselves: marts/25_penalty_publicity_spans.sql
WITH episode_at_t AS (
    -- the subjects whose condition holds at T, with the episode it belongs to (computed once per
    -- load: marts/30_repeated_penalty_spans.sql); only their decisions are counted below
    SELECT uscc, episode_start AS start_day, opening_decision_no
    FROM repeated_penalty_spans
    WHERE span_from <= $as_of
      AND (span_until IS NULL OR span_until > $as_of)
      AND ($uscc IS NULL OR uscc = $uscc)
),

counted_at_t AS (
    SELECT
        p.uscc,
        p.decision_no,
        p.decision_date,
        p.department_code,
        p.party_name,
        p.decision_date > CAST($as_of - $short_months * INTERVAL 1 MONTH AS DATE) AS in_short_window,
        p.decision_date > CAST($as_of - $long_months * INTERVAL 1 MONTH AS DATE) AS in_long_window
    FROM penalty_publicity_spans AS p
    INNER JOIN episode_at_t AS e ON e.uscc = p.uscc
    WHERE NOT p.is_natural_person
      AND (p.decision_date > CAST($as_of - $short_months * INTERVAL 1 MONTH AS DATE)
           OR p.decision_date > CAST($as_of - $long_months * INTERVAL 1 MONTH AS DATE))
      AND p.in_publicity_from <= $as_of
      AND $as_of < p.in_publicity_until
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

episode_anchor AS (
    SELECT e.uscc, e.start_day, e.opening_decision_no
    FROM episode_at_t AS e
    INNER JOIN warned AS w ON w.uscc = e.uscc
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
