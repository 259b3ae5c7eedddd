-- rule: DATA.md "Reject or flag" (data-quality page: quarantine by reason)
-- returns: one row per entity and reason code among the rows quarantined by each entity's latest
--          load (a row with two reasons counts under both): rows, the run and its source(s)
-- parameters: none
-- source: DATA.md ("kept with entity, file, row number, reason code, Chinese message and the original values")
WITH latest_load AS (
    SELECT entity, run_id
    FROM (
        SELECT
            entity,
            run_id,
            ROW_NUMBER() OVER (PARTITION BY entity ORDER BY event_at DESC, run_id DESC) AS recency
        FROM (
            SELECT entity, run_id, loaded_at AS event_at FROM meta_entity_loads
            UNION ALL
            SELECT entity, run_id, quarantined_at AS event_at FROM quarantine
        ) AS runs
    ) AS ranked
    WHERE recency = 1
)

SELECT
    q.entity,
    q.reason_code,
    COUNT(*) AS n_rows,
    MIN(q.run_id) AS run_id,
    MIN(q.source) AS source
FROM quarantine AS q
INNER JOIN latest_load AS l ON l.entity = q.entity AND l.run_id = q.run_id
GROUP BY q.entity, q.reason_code
ORDER BY q.entity, n_rows DESC, q.reason_code
