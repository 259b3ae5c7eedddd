-- rule: I19
-- returns: one row per as-of point (group_code always NULL): the point T ($as_of) and, when
--          $series_months > 0, every month-end of the $series_months months before it.
--          numerator and value: government bodies (W4 party rule, marts/30_government_parties.sql;
--          one party per valid USCC, else per name) that at the point are 失信被执行人 (a 失信 court
--          record filed and published by then and not closed by then) or on a 严重失信主体名单
--          (listed by then, not removed by then); denominator NULL. Points without any such body
--          give 0.
-- parameters: $as_of, $series_months
-- steps: series_points (T and the month-ends before it: queries/steps/series_points.sql)
-- source: docs/rules.md I19, W4; 001 七(十九); 000 §二(四)
WITH active_records AS (
    SELECT p.as_of_date, g.party_key
    FROM series_points AS p
    INNER JOIN government_party_records AS g
        ON g.start_date <= p.as_of_date
        AND COALESCE(g.end_date, DATE '9999-12-31') > p.as_of_date
    WHERE g.source_entity = 'serious_dishonest'
       OR (g.is_dishonest AND COALESCE(g.dishonest_published_date, g.start_date) <= p.as_of_date)
),

counted AS (
    SELECT p.as_of_date, COUNT(DISTINCT a.party_key) AS numerator
    FROM series_points AS p
    LEFT JOIN active_records AS a ON a.as_of_date = p.as_of_date
    GROUP BY p.as_of_date
)

SELECT
    'I19' AS indicator_id,
    as_of_date,
    CAST(NULL AS VARCHAR) AS group_code,
    numerator,
    CAST(NULL AS BIGINT) AS denominator,
    CAST(numerator AS DOUBLE) AS value
FROM counted
