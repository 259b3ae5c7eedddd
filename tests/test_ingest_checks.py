"""The SQL forms of P3 (USCC) and P4 (resident ID) agree with the Python reference in
dashboard/identifiers.py on many random valid and invalid codes."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest

from dashboard.core import identifiers as ids
from dashboard.load.ingest import checks_sql

UPPER = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _mutations(rng: random.Random, code: str) -> list[str]:
    i = rng.randrange(len(code))
    other = rng.choice([c for c in UPPER if c != code[i]])
    return [
        code[:i] + other + code[i + 1 :],  # one character changed
        code[:i] + code[i + 1 :],  # one character dropped
        code + rng.choice(UPPER),  # one too many
        code[::-1],  # scrambled
        code.lower(),  # lower case (still valid)
        " " + code[1:],
    ]


def uscc_samples(n: int = 3000) -> list[str | None]:
    rng = random.Random(42)
    out: list[str | None] = [None, "", "91350100M000100Y43", "91110108551385082Q", "91430111MA4L41YT1U"]
    for k in range(n):
        prefix = ("N2", "Y1", "91", "11", "52", "31")[k % 6] if k % 2 else "".join(rng.choices(ids.USCC_CHARSET, k=2))
        region = "".join(rng.choices("0123456789", k=6))
        org = "".join(rng.choices(ids.USCC_CHARSET if k % 5 else UPPER, k=8))
        if all(c in ids.USCC_CHARSET for c in org):
            code = ids.make_uscc(prefix, region, org)
        else:  # I, O, S, V or Z inside: invalid whatever the check characters say
            code = prefix + region + org + ids.org_code_check_char(org) + rng.choice(ids.USCC_CHARSET)
        out.append(code)
        out.extend(_mutations(rng, code))
        out.append("".join(rng.choices(UPPER, k=18)))
    return out


def id_samples(n: int = 3000) -> list[str | None]:
    rng = random.Random(7)
    out: list[str | None] = [None, "", "230402199003071233", "00000000000000000X", "230402000001011234"]
    for k in range(n):
        birth = dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(50000))
        number = ids.make_resident_id("".join(rng.choices("0123456789", k=6)), birth, f"{rng.randrange(1000):03d}")
        out.append(number)
        out.extend(_mutations(rng, number))
        body = number[:6] + f"{birth.year}0230" + number[14:17]  # 30 February
        out.append(body + ids.id_check_char(body))
        out.append("".join(rng.choices("0123456789", k=17)) + rng.choice("0123456789Xx"))
    return out


@pytest.mark.parametrize(
    "macro, python, samples",
    [
        (checks_sql.USCC_MACRO, ids.is_valid_uscc, uscc_samples),
        (checks_sql.ID_MACRO, ids.is_valid_resident_id, id_samples),
    ],
    ids=["P3-uscc", "P4-resident-id"],
)
def test_sql_and_python_checks_agree(macro, python, samples):
    codes = samples()
    con = duckdb.connect()
    checks_sql.install(con)
    con.execute(
        "CREATE TABLE codes AS SELECT i, $codes[i] AS code FROM range(1, len($codes) + 1) r(i)", {"codes": codes}
    )
    sql_verdicts = [v for (v,) in con.execute(f"SELECT {macro}(code) FROM codes ORDER BY i").fetchall()]
    python_verdicts = [python(c) for c in codes]
    disagreements = [(c, s, p) for c, s, p in zip(codes, sql_verdicts, python_verdicts) if s != p]
    assert disagreements == []
    assert 0.1 < sum(python_verdicts) / len(codes) < 0.6  # the sample really mixes valid and invalid codes


def test_letter_prefixed_codes_are_valid_in_sql():
    con = duckdb.connect()
    checks_sql.install(con)
    codes = [ids.make_uscc("N2", "230402", "MA1B2C3D"), ids.make_uscc("Y1", "230400", "12345678")]
    assert con.execute(f"SELECT list_transform($c, lambda x: {checks_sql.USCC_MACRO}(x))", {"c": codes}).fetchone()[
        0
    ] == [True, True]


def test_macros_are_temporary(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    checks_sql.install(con)
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    con = duckdb.connect(str(path))
    assert con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = $n", {"n": checks_sql.USCC_MACRO}
    ).fetchone() == (0,)
