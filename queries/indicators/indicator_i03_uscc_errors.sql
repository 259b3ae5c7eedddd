-- rule: I03
-- returns: one row per as-of point and group: the point T ($as_of) and, when $series_months > 0,
--          every month-end of the $series_months months before it; the group is NULL for the city,
--          the department the registering authority routes to when $breakdown = 'department'
--          (USCC first character 1 → establishment 市委编办, 3 → justice 市司法局, 9 → market
--          市市场监管局; any other → NULL, unrouted), or the district_code when 'district'.
--          numerator: registry records that are 错码 (fail P3) or 重码 (their USCC is carried by two
--          or more distinct names; every record of the group counts), each record once;
--          denominator: registry records. At a past point only records established by then count.
-- parameters: $as_of, $series_months, $breakdown ('city' | 'department' | 'district')
-- steps: series_points (T and the month-ends before it: queries/steps/series_points.sql)
-- source: docs/rules.md I03, P3; 001 二(三); marts/30_indicator_registry_days.sql (the per-record dates)
WITH registry_days AS (
    SELECT
        CASE
            WHEN $breakdown = 'department' THEN department_code
            WHEN $breakdown = 'district' THEN district_code
        END AS group_code,
        established_date,
        problem_date,
        n_records
    FROM indicator_registry_days
),

records_by_day AS (
    SELECT group_code, established_date AS day, SUM(n_records) AS n_records
    FROM registry_days
    GROUP BY group_code, established_date
),

problems_by_day AS (
    SELECT group_code, problem_date AS day, SUM(n_records) AS n_problems
    FROM registry_days
    WHERE problem_date IS NOT NULL
    GROUP BY group_code, problem_date
),

records_at AS (
    SELECT p.as_of_date, d.group_code, SUM(d.n_records) AS n_records
    FROM series_points AS p
    INNER JOIN records_by_day AS d ON d.day <= p.as_of_date
    GROUP BY p.as_of_date, d.group_code
),

problems_at AS (
    SELECT p.as_of_date, d.group_code, SUM(d.n_problems) AS n_problems
    FROM series_points AS p
    INNER JOIN problems_by_day AS d ON d.day <= p.as_of_date
    GROUP BY p.as_of_date, d.group_code
),

counted AS (
    SELECT
        r.as_of_date,
        r.group_code,
        COALESCE(pr.n_problems, 0) AS numerator,
        r.n_records AS denominator
    FROM records_at AS r
    LEFT JOIN problems_at AS pr
        ON pr.as_of_date = r.as_of_date
        AND COALESCE(pr.group_code, '') = COALESCE(r.group_code, '')
)

SELECT
    'I03' AS indicator_id,
    as_of_date,
    group_code,
    numerator,
    denominator,
    CAST(numerator AS DOUBLE) / NULLIF(denominator, 0) AS value
FROM counted
