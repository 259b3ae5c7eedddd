-- rule: docs/data-contract.md "Reject or flag" (data-quality page: rows per entity)
-- returns: one row per contract entity: current rows, current rows carrying a quality flag,
--          versions ended as replaced or retired, rows quarantined by the entity's latest load,
--          and when the entity last received rows
-- parameters: none
-- source: docs/data-contract.md (entities, quality flags, quarantine); the staging counts, once per
--         load: marts/50_quality_entity_rows.sql; the latest load per entity: marts/10_latest_entity_loads.sql
WITH quarantined AS (
    SELECT
        q.entity,
        COUNT(DISTINCT q.row_no) AS n_quarantined
    FROM quarantine AS q
    INNER JOIN latest_entity_loads AS l ON l.entity = q.entity AND l.run_id = q.run_id
    GROUP BY q.entity
)

SELECT
    s.entity,
    COALESCE(s.n_current, 0) AS n_current,
    COALESCE(s.n_flagged, 0) AS n_flagged,
    COALESCE(s.n_replaced, 0) AS n_replaced,
    COALESCE(s.n_retired, 0) AS n_retired,
    COALESCE(q.n_quarantined, 0) AS n_quarantined,
    s.last_loaded_at
FROM entity_row_counts AS s
LEFT JOIN quarantined AS q ON q.entity = s.entity
