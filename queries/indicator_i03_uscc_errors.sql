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
-- source: RULES.md I03, P3; 001 二(三)
WITH points AS (
    SELECT CAST($as_of AS DATE) AS as_of_date
    UNION
    SELECT day AS as_of_date
    FROM ref_calendar
    WHERE day < CAST($as_of AS DATE)
      AND day > CAST(CAST($as_of AS DATE) - $series_months * INTERVAL 1 MONTH AS DATE)
      AND EXTRACT(DAY FROM CAST(day + INTERVAL 1 DAY AS DATE)) = 1
),

records AS (
    SELECT
        p.as_of_date,
        s.uscc,
        s.name,
        NOT s.is_uscc_valid AS is_wrong_code,
        CASE
            WHEN $breakdown = 'department' THEN
                CASE SUBSTR(s.uscc, 1, 1)
                    WHEN '1' THEN 'establishment'
                    WHEN '3' THEN 'justice'
                    WHEN '9' THEN 'market'
                END
            WHEN $breakdown = 'district' THEN s.district_code
        END AS group_code
    FROM points AS p
    INNER JOIN subject_facts AS s ON s.established_date <= p.as_of_date
),

duplicated_codes AS (
    SELECT as_of_date, uscc
    FROM records
    GROUP BY as_of_date, uscc
    HAVING COUNT(DISTINCT name) >= 2
),

flagged AS (
    SELECT
        r.as_of_date,
        r.group_code,
        r.is_wrong_code OR d.uscc IS NOT NULL AS is_problem
    FROM records AS r
    LEFT JOIN duplicated_codes AS d ON d.as_of_date = r.as_of_date AND d.uscc = r.uscc
),

counted AS (
    SELECT
        as_of_date,
        group_code,
        SUM(CASE WHEN is_problem THEN 1 ELSE 0 END) AS numerator,
        COUNT(*) AS denominator
    FROM flagged
    GROUP BY as_of_date, group_code
)

SELECT
    'I03' AS indicator_id,
    as_of_date,
    group_code,
    numerator,
    denominator,
    CAST(numerator AS DOUBLE) / NULLIF(denominator, 0) AS value
FROM counted
