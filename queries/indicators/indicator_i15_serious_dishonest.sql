-- rule: I15a, I15b, I15c
--       (I15: a share listed, b newly listed, c exit ratio)
-- returns: one row per indicator, as-of point and group: the point T ($as_of) and, when
--          $series_months > 0, every month-end of the $series_months months before it; the group is
--          NULL for the city, the listing department_code (serious_dishonest.department through
--          ref_department_names) when $breakdown = 'department', or the subject's district_code
--          when 'district'. A listing is on the list at a day d when listed_date <= d and it is not
--          removed by d (removed_date NULL or after d). Enterprises are P1 kind 91 (valid USCC).
--          I15a: enterprises on the list at the point ÷ surviving enterprises (P2);
--          I15b: enterprises whose first listing falls in the window ($window_months months up to
--          the point) ÷ surviving enterprises;
--          I15c: of the subjects (any kind) on the list at some day of the window, those no longer
--          on it at the point (so removed within the window) ÷ those subjects.
--          With the department breakdown the denominator of I15a/b stays the city's.
-- parameters: $as_of, $series_months, $window_months, $breakdown ('city' | 'department' | 'district')
-- steps: series_points (T and the month-ends before it: queries/steps/series_points.sql)
-- source: docs/rules.md I15a–c, P1, P2; 001 五(十五)
WITH windows AS (
    SELECT as_of_date, CAST(as_of_date - $window_months * INTERVAL 1 MONTH AS DATE) AS window_start
    FROM series_points
),

listings AS (
    SELECT
        l.uscc,
        l.listed_date,
        COALESCE(l.removed_date, DATE '9999-12-31') AS off_list_date,
        (';' || l._flags || ';') NOT LIKE '%;uscc_invalid;%' AND SUBSTR(l.uscc, 1, 2) = '91' AS is_enterprise,
        COALESCE(CASE
            WHEN $breakdown = 'department' THEN dn.department_code
            WHEN $breakdown = 'district' THEN s.district_code
        END, '') AS group_key
    FROM serious_dishonest AS l
    -- joined only for their breakdown (a constant-false condition lets the engine skip the join)
    LEFT JOIN ref_department_names AS dn ON dn.name = TRIM(l.department) AND $breakdown = 'department'
    LEFT JOIN indicator_subjects AS s ON s.uscc = l.uscc AND $breakdown = 'district'
),

surviving AS (
    SELECT
        w.as_of_date,
        COALESCE(CASE WHEN $breakdown = 'district' THEN s.district_code END, '') AS group_key,
        COUNT(*) AS n_enterprises
    FROM windows AS w
    INNER JOIN indicator_subjects AS s
        ON s.alive_from <= w.as_of_date
        AND COALESCE(s.alive_until, DATE '9999-12-31') > w.as_of_date
    WHERE s.is_enterprise
    GROUP BY 1, 2
),

-- one row per point, subject and group: what its listings say about that point and window
subject_states AS (
    SELECT
        w.as_of_date,
        w.window_start,
        l.uscc,
        l.group_key,
        MAX(CASE WHEN l.is_enterprise THEN 1 ELSE 0 END) AS is_enterprise,
        MIN(l.listed_date) AS first_listed_date,
        MAX(CASE WHEN l.off_list_date > w.as_of_date THEN 1 ELSE 0 END) AS is_listed_at_point,
        -- on the list at some day of (window_start, point]
        MAX(CASE WHEN l.off_list_date > CAST(w.window_start + INTERVAL 1 DAY AS DATE) THEN 1 ELSE 0 END)
            AS was_listed_in_window
    FROM windows AS w
    INNER JOIN listings AS l ON l.listed_date <= w.as_of_date
    GROUP BY 1, 2, 3, 4
),

listed_counts AS (
    SELECT
        as_of_date,
        group_key,
        SUM(CASE WHEN is_enterprise = 1 AND is_listed_at_point = 1 THEN 1 ELSE 0 END) AS n_listed,
        SUM(CASE WHEN is_enterprise = 1 AND first_listed_date > window_start THEN 1 ELSE 0 END) AS n_new,
        SUM(was_listed_in_window) AS n_in_window,
        SUM(CASE WHEN was_listed_in_window = 1 AND is_listed_at_point = 0 THEN 1 ELSE 0 END) AS n_exited
    FROM subject_states
    GROUP BY as_of_date, group_key
),

with_denominator AS (
    -- city and districts: every group with surviving enterprises, listed or not
    SELECT
        s.as_of_date,
        NULLIF(s.group_key, '') AS group_code,
        COALESCE(c.n_listed, 0) AS n_listed,
        COALESCE(c.n_new, 0) AS n_new,
        COALESCE(c.n_in_window, 0) AS n_in_window,
        COALESCE(c.n_exited, 0) AS n_exited,
        s.n_enterprises
    FROM surviving AS s
    LEFT JOIN listed_counts AS c ON c.as_of_date = s.as_of_date AND c.group_key = s.group_key
    WHERE $breakdown <> 'department'
    UNION ALL
    -- departments: those with listings, over the city's surviving enterprises
    SELECT
        c.as_of_date,
        NULLIF(c.group_key, '') AS group_code,
        c.n_listed,
        c.n_new,
        c.n_in_window,
        c.n_exited,
        s.n_enterprises
    FROM listed_counts AS c
    LEFT JOIN surviving AS s ON s.as_of_date = c.as_of_date AND s.group_key = ''
    WHERE $breakdown = 'department'
),

rates AS (
    SELECT 'I15a' AS indicator_id, as_of_date, group_code, n_listed AS numerator, n_enterprises AS denominator
    FROM with_denominator
    UNION ALL
    SELECT 'I15b' AS indicator_id, as_of_date, group_code, n_new AS numerator, n_enterprises AS denominator
    FROM with_denominator
    UNION ALL
    SELECT 'I15c' AS indicator_id, as_of_date, group_code, n_exited AS numerator, n_in_window AS denominator
    FROM with_denominator
)

SELECT
    indicator_id,
    as_of_date,
    group_code,
    numerator,
    denominator,
    CAST(numerator AS DOUBLE) / NULLIF(denominator, 0) AS value
FROM rates
