-- rule: none (docs/data-contract.md "Reject or flag": what the data-quality page calls an entity's latest load)
-- returns: latest_entity_loads — a view, one row per entity that a load has recorded
--          (meta_entity_loads) or quarantined rows of: run_id, the run of its latest such event
--          (the later run id on a tie). A view, not a table: the load writes its quarantine and
--          entity records before the marts are built, but a view stays right whenever they change.
-- parameters: none
-- source: docs/data-contract.md ("kept with entity, file, row number, reason code, Chinese message and the original
--         values"); dashboard/store/schema.py (quarantine, meta_entity_loads)
CREATE OR REPLACE VIEW latest_entity_loads AS
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
