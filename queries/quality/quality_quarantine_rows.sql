-- rule: docs/data-contract.md "Reject or flag" (data-quality page: quarantined rows for download and correction)
-- returns: one row per (source row, reason) quarantined by each entity's latest load, optionally of
--          one entity and/or one reason code: where it came from, why (Chinese message) and the
--          original values as a JSON object keyed by the source's own headers
-- parameters: $entity (NULL: every entity), $reason_code (NULL: every reason)
-- source: docs/data-contract.md ("kept with entity, file, row number, reason code, Chinese message and the original values");
--         the latest load per entity: marts/10_latest_entity_loads.sql
SELECT
    q.entity,
    q.source,
    q.row_no,
    q.reason_code,
    q.message_zh AS message,
    q.original,
    q.run_id,
    q.quarantined_at
FROM quarantine AS q
INNER JOIN latest_entity_loads AS l ON l.entity = q.entity AND l.run_id = q.run_id
WHERE
    ($entity IS NULL OR q.entity = $entity)
    AND ($reason_code IS NULL OR q.reason_code = $reason_code)
ORDER BY q.entity, q.source, q.row_no, q.reason_code
