-- rule: docs/data-contract.md "Reject or flag" (data-quality page: quarantine by reason)
-- returns: one row per entity and reason code among the rows quarantined by each entity's latest
--          load (a row with two reasons counts under both): rows, the run and its source(s)
-- parameters: none
-- source: docs/data-contract.md ("kept with entity, file, row number, reason code, Chinese message and the original values");
--         the latest load per entity: marts/10_latest_entity_loads.sql
SELECT
    q.entity,
    q.reason_code,
    COUNT(*) AS n_rows,
    MIN(q.run_id) AS run_id,
    MIN(q.source) AS source
FROM quarantine AS q
INNER JOIN latest_entity_loads AS l ON l.entity = q.entity AND l.run_id = q.run_id
GROUP BY q.entity, q.reason_code
ORDER BY q.entity, n_rows DESC, q.reason_code
