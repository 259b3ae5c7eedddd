-- rule: P1 (subject search for the profile page)
-- returns: one row per registry record (uscc + name) whose name contains the search text or whose
--          USCC starts with it; exact USCC, then exact name, then USCC prefix matches (by USCC),
--          then name matches (shorter names first); at most $row_limit rows
-- parameters: $text (the search text, trimmed), $name_pattern ('%text%', LIKE wildcards escaped
--             with '\'), $uscc_pattern ('TEXT%', upper case, escaped likewise), $row_limit
-- source: docs/data-contract.md subjects; DESIGN.md (name search by LIKE: full-text search does not segment Chinese)
WITH matches AS (
    SELECT
        s.uscc,
        s.name,
        s.status,
        s.district_code,
        s.industry_code,
        CASE
            WHEN s.uscc = UPPER($text) THEN 0
            WHEN s.name = $text THEN 1
            WHEN s.uscc LIKE $uscc_pattern ESCAPE '\' THEN 2
            ELSE 3
        END AS match_rank
    FROM subject_facts AS s
    WHERE s.name LIKE $name_pattern ESCAPE '\' OR s.uscc LIKE $uscc_pattern ESCAPE '\'
)

SELECT
    m.uscc,
    m.name,
    m.status,
    d.name AS district_name,
    i.name AS industry_name
FROM matches AS m
LEFT JOIN ref_districts AS d ON d.district_code = m.district_code
LEFT JOIN ref_industries AS i ON i.industry_code = m.industry_code
ORDER BY
    m.match_rank,
    CASE WHEN m.match_rank = 2 THEN m.uscc END,
    LENGTH(m.name),
    m.name,
    m.uscc
LIMIT $row_limit
