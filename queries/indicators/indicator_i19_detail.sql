-- rule: I19 (detail)
-- returns: one row per record that makes a government body (W4 party rule) count in I19 at $as_of:
--          a 失信 court record filed and published by then and not closed, or a 严重失信主体名单
--          listing not removed by then. Columns: party_key, party_name, uscc, matched_by (uscc |
--          name), source_entity (executees | serious_dishonest), record_ref (case number or list
--          name), department_code, authority, start_date, end_date.
-- parameters: $as_of, $department_code (NULL = all)
-- source: docs/rules.md I19, W4; 001 七(十九); marts/30_government_parties.sql
SELECT
    g.party_key,
    g.party_name,
    g.uscc,
    g.matched_by,
    g.source_entity,
    g.record_ref,
    g.department_code,
    g.authority,
    g.start_date,
    g.end_date
FROM government_party_records AS g
WHERE g.start_date <= CAST($as_of AS DATE)
  AND COALESCE(g.end_date, DATE '9999-12-31') > CAST($as_of AS DATE)
  AND (g.source_entity = 'serious_dishonest'
       OR (g.is_dishonest AND COALESCE(g.dishonest_published_date, g.start_date) <= CAST($as_of AS DATE)))
  AND (CAST($department_code AS VARCHAR) IS NULL OR g.department_code = $department_code)
ORDER BY g.party_key, g.source_entity, g.record_ref
