-- rule: I00 (imported)
-- returns: one row per month and city of the home city's province (imported national monitoring
--          results) over the $months months up to $end_month (the latest month in the data when
--          NULL): month, city, province, score, rank (among the ~261 prefecture-level cities),
--          rank_in_province, is_home_city. The home city is the city row of ref_districts (P5),
--          matched with or without its trailing 市.
-- parameters: $end_month (NULL = latest), $months
-- source: docs/rules.md I00; 001 (preamble: 城市信用状况监测预警指标 2022年版)
WITH home AS (
    SELECT name AS city_name, SUBSTR(name, 1, LENGTH(name) - 1) AS short_name
    FROM ref_districts
    WHERE kind = 'city'
),

home_rows AS (
    SELECT s.month, s.province
    FROM city_scores AS s
    INNER JOIN home AS h ON s.city = h.city_name OR s.city = h.short_name
),

last_month AS (
    SELECT COALESCE(CAST($end_month AS DATE), (SELECT MAX(month) FROM home_rows)) AS end_month
),

home_province AS (
    SELECT MIN(province) AS province
    FROM home_rows
)

SELECT
    s.month,
    s.city,
    s.province,
    s.score,
    s.rank,
    s.rank_in_province,
    (s.city = h.city_name OR s.city = h.short_name) AS is_home_city
FROM city_scores AS s
CROSS JOIN home AS h
CROSS JOIN last_month AS lm
CROSS JOIN home_province AS hp
WHERE s.province = hp.province
  AND s.month <= lm.end_month
  AND s.month > CAST(lm.end_month - $months * INTERVAL 1 MONTH AS DATE)
ORDER BY s.month, s.rank
