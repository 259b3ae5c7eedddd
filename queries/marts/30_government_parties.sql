-- rule: W4 party rule, I19 inputs
-- returns: government_party_records — one row per 被执行人 record (executees) and per 严重失信主体名单
--          listing (serious_dishonest) whose party is a government body or one of its departments:
--          a valid USCC of a government kind (settings government.uscc_kinds: 11 机关, 12 事业单位,
--          13 群众团体); or, when the USCC is missing or fails P3, a name containing a keyword of
--          government.name_keywords. A valid USCC of any other kind is not a government body, and
--          kinds in government.never_kinds (91/92/93) never are, nor is a party whose name contains
--          one of government.name_exclusions (公司, 合作社) — whichever way it qualified, so a kind-11
--          code on a name ending in 有限公司 is not one — nor a party identified by a resident ID
--          number (a natural person, e.g. 张院 or 李场). party_key identifies the party: its valid
--          USCC, else 'name:' + its name.
--          W4 reads the executees rows, I19 both.
-- parameters: $government_kind_pattern, $government_never_kind_pattern, $government_name_pattern,
--             $government_exclusion_pattern (regular expressions built from settings [government]
--             by schema.mart_params), $w4_department (settings routing.w4_department)
-- source: docs/rules.md W4 (000 §二(四)), I19 (001 七(十九))
CREATE OR REPLACE TABLE government_party_records AS
WITH executee_parties AS (
    SELECT
        'executees' AS source_entity,
        e.case_no AS record_ref,
        e.party_name,
        e.uscc,
        e.uscc IS NOT NULL AND (';' || e._flags || ';') NOT LIKE '%;uscc_invalid;%' AS is_uscc_valid,
        e.party_id_no IS NOT NULL AS is_natural_person,
        e.court AS authority,
        e.filed_date AS start_date,
        e.closed_date AS end_date,
        e.is_dishonest,
        e.dishonest_published_date
    FROM executees AS e
),

registry_names AS (
    SELECT uscc, MIN(name) AS name
    FROM subject_facts
    GROUP BY uscc
),

listing_parties AS (
    SELECT
        'serious_dishonest' AS source_entity,
        s.list_name AS record_ref,
        COALESCE(s.subject_name, r.name) AS party_name,
        s.uscc,
        s.uscc IS NOT NULL AND (';' || s._flags || ';') NOT LIKE '%;uscc_invalid;%' AS is_uscc_valid,
        FALSE AS is_natural_person,
        s.department AS authority,
        s.listed_date AS start_date,
        s.removed_date AS end_date,
        CAST(NULL AS BOOLEAN) AS is_dishonest,
        CAST(NULL AS DATE) AS dishonest_published_date
    FROM serious_dishonest AS s
    LEFT JOIN registry_names AS r ON r.uscc = s.uscc
),

parties AS (
    SELECT * FROM executee_parties
    UNION ALL
    SELECT * FROM listing_parties
),

classified AS (
    SELECT
        p.*,
        CASE WHEN p.is_uscc_valid THEN SUBSTR(p.uscc, 1, 2) END AS uscc_kind,
        CASE
            -- a party identified by a resident ID number is a natural person, whatever the name
            WHEN p.is_natural_person THEN FALSE
            WHEN p.is_uscc_valid AND REGEXP_MATCHES(SUBSTR(p.uscc, 1, 2), $government_never_kind_pattern) THEN FALSE
            -- the exclusion words hold on both branches, the USCC kind's as well as the name's
            WHEN COALESCE(REGEXP_MATCHES(p.party_name, $government_exclusion_pattern), FALSE) THEN FALSE
            WHEN p.is_uscc_valid THEN REGEXP_MATCHES(SUBSTR(p.uscc, 1, 2), $government_kind_pattern)
            ELSE COALESCE(REGEXP_MATCHES(p.party_name, $government_name_pattern), FALSE)
        END AS is_government_body
    FROM parties AS p
)

SELECT
    c.source_entity,
    c.record_ref,
    c.party_name,
    c.uscc,
    c.is_uscc_valid,
    c.uscc_kind,
    CASE WHEN c.is_uscc_valid THEN 'uscc' ELSE 'name' END AS matched_by,
    CASE WHEN c.is_uscc_valid THEN c.uscc ELSE 'name:' || c.party_name END AS party_key,
    c.authority,
    -- W4 routes every court record to one department (settings routing.w4_department)
    CASE WHEN c.source_entity = 'executees' THEN $w4_department ELSE by_name.department_code END
        AS department_code,
    c.start_date,
    c.end_date,
    c.is_dishonest,
    c.dishonest_published_date
FROM classified AS c
LEFT JOIN ref_department_names AS by_name ON by_name.name = TRIM(c.authority)
WHERE c.is_government_body
