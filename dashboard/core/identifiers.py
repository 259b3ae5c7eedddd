"""Identifier checks: USCC (P3, GB 32100-2015 with the GB 11714 organization code) and resident
ID numbers (P4, GB 11643). Python is the reference;
`dashboard/ingest/checks_sql.py` generates the same checks as DuckDB SQL from these weights,
and a test proves the two agree.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeGuard

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are given (P3)."""
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS))
    value = 31 - total % 31
    return USCC_CHARSET[0 if value == 31 else value]


def org_code_check_char(first8: str) -> str:
    """The 9th character of a GB 11714 organization code (positions 9–17 of a USCC)."""
    total = sum(ORG_CHARSET.index(ch) * w for ch, w in zip(first8, ORG_WEIGHTS))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def is_valid_uscc(code: str | None) -> TypeGuard[str]:
    """P3: charset, region digits, organization-code check and the final check character."""
    if not code or len(code) != 18:
        return False
    code = code.upper()
    if any(ch not in USCC_CHARSET for ch in code) or not code[2:8].isdigit():
        return False
    org = code[8:17]
    if any(ch not in ORG_CHARSET for ch in org[:8]):
        return False
    if org_code_check_char(org[:8]) != org[8]:
        return False
    return uscc_check_char(code[:17]) == code[17]


def make_uscc(authority_and_kind: str, region: str, org8: str) -> str:
    """Build a valid USCC from its parts (used by reference data and the demo generator)."""
    body = authority_and_kind + region + org8 + org_code_check_char(org8)
    return body + uscc_check_char(body)


def uscc_kind(code: str | None) -> str | None:
    """P1: the first two characters (登记管理部门码 + 机构类别码) of a valid USCC, else None."""
    return code[:2].upper() if is_valid_uscc(code) else None


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS)) % 11]


def is_valid_resident_id(number: str | None) -> bool:
    """P4: 17 digits + check character, and digits 7–14 a real date."""
    if not number or len(number) != 18:
        return False
    number = number.upper()
    if not number[:17].isdigit():
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return id_check_char(number[:17]) == number[17]


def make_resident_id(region: str, birth: dt.date, seq3: str) -> str:
    body = region + birth.strftime("%Y%m%d") + seq3
    return body + id_check_char(body)
