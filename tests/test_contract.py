from dashboard.core import contract


def test_every_entity_of_the_data_contract_is_defined():
    assert {e.name for e in contract.ENTITIES} == {
        "subjects",
        "penalties",
        "licenses",
        "abnormal_operations",
        "executees",
        "serious_dishonest",
        "tax_credit",
        "evaluations",
        "repairs",
        "objections",
        "commitments",
        "loans",
        "campaign_lists",
        "disclosure_ledger",
        "collections",
        "city_scores",
    }


def test_keys_are_required_columns():
    for entity in contract.ENTITIES:
        for key in entity.key:
            assert entity.column(key).required, (entity.name, key)


def test_header_spellings_are_unambiguous_within_an_entity():
    for entity in contract.ENTITIES:
        seen: dict[str, str] = {}
        for col in entity.columns:
            for header in col.headers:
                norm = contract.normalize_header(header)
                assert seen.setdefault(norm, col.name) == col.name, (entity.name, header)


def test_disclosure_codes_map_to_canonical_names():
    penalties = contract.header_map(contract.ENTITY_BY_NAME["penalties"])
    assert penalties["cf_wsh"] == "decision_no"
    assert penalties["cf_jdrq"] == "decision_date"
    assert penalties[contract.normalize_header(" 处罚决定日期 ")] == "decision_date"
    licenses = contract.header_map(contract.ENTITY_BY_NAME["licenses"])
    assert licenses["xk_yxqzi"] == "valid_to"
    assert licenses["xk_wsh"] == "decision_doc_no"


def test_header_normalisation_ignores_case_space_and_bom():
    assert contract.normalize_header("\ufeff CF_WSH\u3000") == "cf_wsh"


def test_check_flags():
    pen = contract.ENTITY_BY_NAME["penalties"]
    assert contract.check_flag(pen.column("uscc")) == "uscc_invalid"
    assert contract.check_flag(pen.column("authority_uscc")) == "authority_uscc_invalid"
    assert contract.check_flag(pen.column("party_id_no")) == "id_no_invalid"
    assert contract.check_flag(pen.column("decision_no")) is None
