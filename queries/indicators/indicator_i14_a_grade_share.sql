-- rule: I14
-- returns: one row per as-of point and group: the point T ($as_of) and, when $series_months > 0,
--          every month-end of the $series_months months before it; the group is NULL for the city,
--          or the subject's district_code when $breakdown = 'district'. Columns: indicator_id,
--          as_of_date, group_code, numerator (surviving enterprises graded A in the latest tax-credit
--          year published by the point), denominator (surviving enterprises, P2), value.
-- parameters: $as_of, $series_months, $breakdown ('city' | 'district')
-- steps: series_points (T and the month-ends before it: queries/steps/series_points.sql)
-- source: docs/rules.md I14, P2; 001 五(十四). A year's grades count from their published_date, or
--         April 30 of the next year when the record gives none (docs/data-contract.md tax_credit);
--         the A grades with their enterprises: marts/35_a_grade_enterprises.sql
WITH -- publication days per year (few rows): a year's grades count from their published_date, or
-- April 30 of the next year when the record gives none
publication_days AS (
    SELECT
        d.year,
        COALESCE(d.published_date, CAST(CAST(d.year + 1 AS VARCHAR) || '-04-30' AS DATE)) AS published_on
    FROM (SELECT year, published_date FROM tax_credit GROUP BY year, published_date) AS d
),

latest_year AS (
    SELECT p.as_of_date, MAX(d.year) AS year
    FROM series_points AS p
    INNER JOIN publication_days AS d ON d.published_on <= p.as_of_date
    GROUP BY p.as_of_date
),

surviving AS (
    SELECT
        p.as_of_date,
        CASE WHEN $breakdown = 'district' THEN s.district_code END AS group_code,
        COUNT(*) AS n_enterprises
    FROM series_points AS p
    INNER JOIN indicator_subjects AS s
        ON s.alive_from <= p.as_of_date
        AND COALESCE(s.alive_until, DATE '9999-12-31') > p.as_of_date
    WHERE s.is_enterprise
    GROUP BY 1, 2
),

surviving_a_grade AS (
    -- enterprises graded A in the latest year published by the point, whose A counts by then
    -- (marts/35_a_grade_enterprises.sql), alive at the point
    SELECT
        ly.as_of_date,
        CASE WHEN $breakdown = 'district' THEN a.district_code END AS group_code,
        COUNT(*) AS n_a_grade
    FROM latest_year AS ly
    INNER JOIN a_grade_enterprises AS a ON a.year = ly.year
    WHERE a.counts_from <= ly.as_of_date
      AND a.alive_from <= ly.as_of_date
      AND COALESCE(a.alive_until, DATE '9999-12-31') > ly.as_of_date
    GROUP BY 1, 2
),

counted AS (
    SELECT
        s.as_of_date,
        s.group_code,
        COALESCE(a.n_a_grade, 0) AS numerator,
        s.n_enterprises AS denominator
    FROM surviving AS s
    LEFT JOIN surviving_a_grade AS a
        ON a.as_of_date = s.as_of_date
        AND COALESCE(a.group_code, '') = COALESCE(s.group_code, '')
)

SELECT
    'I14' AS indicator_id,
    as_of_date,
    group_code,
    numerator,
    denominator,
    CAST(numerator AS DOUBLE) / NULLIF(denominator, 0) AS value
FROM counted
