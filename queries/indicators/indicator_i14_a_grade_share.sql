-- rule: I14
-- returns: one row per as-of point and group: the point T ($as_of) and, when $series_months > 0,
--          every month-end of the $series_months months before it; the group is NULL for the city,
--          or the subject's district_code when $breakdown = 'district'. Columns: indicator_id,
--          as_of_date, group_code, numerator (surviving enterprises graded A in the latest tax-credit
--          year published by the point), denominator (surviving enterprises, P2), value.
-- parameters: $as_of, $series_months, $breakdown ('city' | 'district')
-- steps: series_points (T and the month-ends before it: queries/steps/series_points.sql)
-- source: docs/rules.md I14, P2; 001 五(十四). A year's grades count from their published_date, or
--         April 30 of the next year when the record gives none (docs/data-contract.md tax_credit).
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

a_grade AS (
    SELECT DISTINCT ly.as_of_date, t.uscc
    FROM latest_year AS ly
    INNER JOIN tax_credit AS t ON t.year = ly.year
    WHERE t.grade = 'A'
      AND COALESCE(t.published_date, CAST(CAST(t.year + 1 AS VARCHAR) || '-04-30' AS DATE)) <= ly.as_of_date
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
    SELECT
        a.as_of_date,
        CASE WHEN $breakdown = 'district' THEN s.district_code END AS group_code,
        COUNT(*) AS n_a_grade
    FROM a_grade AS a
    INNER JOIN indicator_subjects AS s
        ON s.uscc = a.uscc
        AND s.alive_from <= a.as_of_date
        AND COALESCE(s.alive_until, DATE '9999-12-31') > a.as_of_date
    WHERE s.is_enterprise
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
