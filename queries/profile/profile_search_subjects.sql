-- rule: P1 (subject search for the profile page)
-- returns: one row per registry record (uscc + name) that matches the search: the USCC starts with
--          $uscc_pattern, or the name contains every one of the search terms (up to four, the others
--          NULL), or — only when $rep_pattern is not NULL (the credit office) — the legal
--          representative's name contains the text. Exact USCC, then exact name first; then
--          surviving subjects (not closed) before closed ones; then USCC prefix matches (by USCC),
--          name matches (shorter names first), legal-representative matches. matched_by says which
--          ('uscc' | 'name' | 'legal_rep'); at most $row_limit rows.
-- parameters: $text (the normalised search text without spaces), $term1, $term2, $term3, $term4 ('%term%' LIKE
--             patterns, wildcards escaped with '\', or NULL), $uscc_pattern ('TEXT%', upper case,
--             escaped likewise), $rep_pattern ('%text%' or NULL), $row_limit
-- source: docs/data-contract.md subjects; docs/architecture.md (name search by LIKE: full-text
--         search does not segment Chinese)
WITH matches AS (
    SELECT
        s.uscc,
        s.name,
        s.status,
        s.district_code,
        s.industry_code,
        s.closed_on_date IS NULL AS is_surviving,
        CASE
            WHEN s.uscc = UPPER($text) THEN 0
            WHEN s.name = $text THEN 1
            WHEN s.uscc LIKE $uscc_pattern ESCAPE '\' THEN 2
            WHEN s.name LIKE $term1 ESCAPE '\'
                AND ($term2 IS NULL OR s.name LIKE $term2 ESCAPE '\')
                AND ($term3 IS NULL OR s.name LIKE $term3 ESCAPE '\')
                AND ($term4 IS NULL OR s.name LIKE $term4 ESCAPE '\') THEN 3
            ELSE 4
        END AS match_rank
    FROM subject_facts AS s
    WHERE s.uscc LIKE $uscc_pattern ESCAPE '\'
       OR (
           s.name LIKE $term1 ESCAPE '\'
           AND ($term2 IS NULL OR s.name LIKE $term2 ESCAPE '\')
           AND ($term3 IS NULL OR s.name LIKE $term3 ESCAPE '\')
           AND ($term4 IS NULL OR s.name LIKE $term4 ESCAPE '\')
       )
       OR ($rep_pattern IS NOT NULL AND s.legal_rep LIKE $rep_pattern ESCAPE '\')
)

SELECT
    m.uscc,
    m.name,
    m.status,
    d.name AS district_name,
    i.name AS industry_name,
    CASE
        WHEN m.match_rank IN (0, 2) THEN 'uscc'
        WHEN m.match_rank IN (1, 3) THEN 'name'
        ELSE 'legal_rep'
    END AS matched_by
FROM matches AS m
LEFT JOIN ref_districts AS d ON d.district_code = m.district_code
LEFT JOIN ref_industries AS i ON i.industry_code = m.industry_code
ORDER BY
    CASE WHEN m.match_rank <= 1 THEN 0 ELSE 1 END,
    CASE WHEN m.is_surviving THEN 0 ELSE 1 END,
    m.match_rank,
    CASE WHEN m.match_rank = 2 THEN m.uscc END,
    LENGTH(m.name),
    m.name,
    m.uscc
LIMIT $row_limit
