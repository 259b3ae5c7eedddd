import datetime as dt
import random

import pytest

from dashboard.core.identifiers import (
    USCC_CHARSET,
    is_valid_resident_id,
    is_valid_uscc,
    make_resident_id,
    make_uscc,
    uscc_check_char,
    uscc_kind,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110108551385082Q", "91430111MA4L41YT1U"])
def test_rules_examples_are_valid(code):
    assert is_valid_uscc(code)
    assert is_valid_uscc(code.lower())


def test_letter_prefixed_codes_are_valid():
    # python-stdnum rejects these; P3 accepts any charset character in positions 1–2
    for prefix in ("N2", "Y1", "A1", "51"):
        code = make_uscc(prefix, "230402", "MA1B2C3D")
        assert is_valid_uscc(code), code
        assert uscc_kind(code) == prefix


@pytest.mark.parametrize(
    "bad",
    [
        "91350100M000100Y44",  # wrong final check character
        "91350100M000100Z43",  # Z is not in the charset (and org check breaks)
        "9135010OM000100Y43",  # letter O in the region digits
        "91350100M00010Y43",  # 17 characters
        "",
        None,
    ],
)
def test_invalid_codes(bad):
    assert not is_valid_uscc(bad)


def test_org_code_check_is_enforced():
    code = "91350100M000100Y43"
    broken = code[:16] + "5" + code[17]  # change the org-code check character…
    fixed = broken[:17] + uscc_check_char(broken[:17])  # …and repair the final one
    assert not is_valid_uscc(fixed)


def test_every_single_character_change_is_detected():
    rng = random.Random(7)
    code = make_uscc("91", "230404", "12345678")
    for pos in range(18):
        ch = rng.choice([c for c in USCC_CHARSET if c != code[pos]])
        assert not is_valid_uscc(code[:pos] + ch + code[pos + 1 :]), pos


def test_resident_id():
    number = make_resident_id("230402", dt.date(1990, 1, 1), "123")
    assert is_valid_resident_id(number)
    assert is_valid_resident_id("11010519491231002X")
    assert not is_valid_resident_id("110105194912310021")
    assert not is_valid_resident_id("110105194902300021")  # 30 February
    assert not is_valid_resident_id("1101051949123100")
