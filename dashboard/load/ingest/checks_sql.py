"""P3 (USCC) and P4 (resident ID) as DuckDB macros, generated from the weights and character sets
of dashboard.core.identifiers so that SQL and Python cannot drift apart (a test proves they agree).

The macros are TEMP: they live on the connection only, so a published snapshot never depends on
them. `install(con)` creates them; rule SQL that needs the checks can call it too.
"""

from __future__ import annotations

import duckdb

from dashboard.core import identifiers as ids

USCC_MACRO = "uscc_is_valid"
ID_MACRO = "resident_id_is_valid"


def _charset_class(chars: str) -> str:
    assert chars.isalnum() and chars.isascii()  # safe inside a SQL string literal and a regex class
    return f"[{chars}]"


def _char_value(charset: str, expr: str) -> str:
    """Value 0..len-1 of a character in its charset (−1 when absent; the regex rules that out)."""
    return f"(instr('{charset}', {expr}) - 1)"


def uscc_sql(code: str = "code", upper_case: bool = False) -> str:
    """SQL boolean expression: is `code` a valid USCC (P3)? NULL input → false. With
    `upper_case` the caller promises `code` is already upper case (saves re-computing it)."""
    u = code if upper_case else f"upper({code})"
    usc = _charset_class(ids.USCC_CHARSET)
    pattern = f"{usc}{{2}}[0-9]{{6}}{usc}{{8}}[0-9X]{usc}"
    org_sum = " + ".join(
        f"{_char_value(ids.ORG_CHARSET, f'substr({u}, {9 + i}, 1)')} * {w}" for i, w in enumerate(ids.ORG_WEIGHTS)
    )
    # 11 − (Σ mod 11) is 1..11; 10 → X and 11 → 0, so one lookup string covers every case.
    org_check = f"substr('123456789X0', 11 - ({org_sum}) % 11, 1)"
    total = " + ".join(
        f"{_char_value(ids.USCC_CHARSET, f'substr({u}, {1 + i}, 1)')} * {w}" for i, w in enumerate(ids.USCC_WEIGHTS)
    )
    check = f"substr('{ids.USCC_CHARSET}', (31 - ({total}) % 31) % 31 + 1, 1)"
    return (
        f"coalesce(length({code}) = 18 AND regexp_full_match({u}, '{pattern}') "
        f"AND ({org_check}) = substr({u}, 17, 1) AND {check} = substr({u}, 18, 1), false)"
    )


def resident_id_sql(number: str = "number", upper_case: bool = False) -> str:
    """SQL boolean expression: is `number` a valid resident ID number (P4)? NULL input → false."""
    u = number if upper_case else f"upper({number})"
    assert ids.ID_CHECK.isalnum()
    total = " + ".join(f"(ascii(substr({u}, {1 + i}, 1)) - 48) * {w}" for i, w in enumerate(ids.ID_WEIGHTS))
    return (
        f"coalesce(length({number}) = 18 AND regexp_full_match({u}, '[0-9]{{17}}[0-9X]') "
        f"AND substr({u}, 7, 4) <> '0000' "
        f"AND try_strptime(substr({u}, 7, 8), '%Y%m%d') IS NOT NULL "
        f"AND substr('{ids.ID_CHECK}', ({total}) % 11 + 1, 1) = substr({u}, 18, 1), false)"
    )


def macros_sql() -> list[str]:
    """CREATE statements of the TEMP macros uscc_is_valid(code) and resident_id_is_valid(number)."""
    return [
        f"CREATE OR REPLACE TEMP MACRO {USCC_MACRO}(code) AS {uscc_sql('code')}",
        f"CREATE OR REPLACE TEMP MACRO {ID_MACRO}(number) AS {resident_id_sql('number')}",
    ]


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create the identifier-check macros on this connection (idempotent)."""
    for stmt in macros_sql():
        con.execute(stmt)
