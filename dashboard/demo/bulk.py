"""Vectorised bulk of the demo drop: the registry, natural persons and every entity's ordinary
rows, generated with numpy and pyarrow in batches (a month, a year) so that the province scale
runs in bounded memory with no per-row Python.

Randomness: every batch draws from its own generator seeded by (seed, stream, batch), so a batch
is the same whatever else changes. Subjects carry a latent quality `q` ~ N(0, 1): low-q subjects
are penalised, listed and sued more often and graded lower, as in real data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.core.identifiers import (
    ID_CHECK,
    ID_WEIGHTS,
    ORG_CHARSET,
    ORG_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    make_uscc,
    uscc_check_char,
)
from dashboard.demo import words as W
from dashboard.demo.calendar import NEVER, Calendar, add_months, day_no, from_day, month_end_before, month_start

HISTORY_MONTHS = 60

# Random streams (first key after the seed).
(
    S_SUBJECTS,
    S_PERSONS,
    S_PENALTIES,
    S_LICENCES,
    S_ABNORMAL,
    S_EXECUTEES,
    S_SERIOUS,
    S_TAX,
    S_EVAL,
    S_LOANS,
    S_CAMPAIGNS,
    S_LEDGER,
    S_COLLECTIONS,
    S_SCORES,
    S_COMMITMENTS,
) = range(1, 16)


@dataclass(frozen=True)
class Scale:
    """Registry size and the volume of facts relative to the city."""

    name: str
    subjects: int
    volume: float
    xlsx: bool


SCALES = {
    "tiny": Scale("tiny", 3_000, 0.1, True),
    "city": Scale("city", 30_000, 1.0, True),
    "province": Scale("province", 3_000_000, 100.0, False),
}

# Monthly volumes at city scale (decisions per month before seasonality).
PENALTIES_PER_MONTH = 640
LICENCES_PER_MONTH = 800
EXECUTEES_PER_MONTH = 95
LOANS_PER_MONTH = 55
COMMITMENTS_PER_MONTH = 22
SERIOUS_PER_MONTH = 0.3
# Fewer decisions in the Spring Festival months and around National Day, a year-end peak.
MONTH_FACTOR = {
    1: 0.85,
    2: 0.68,
    3: 1.0,
    4: 1.0,
    5: 0.97,
    6: 1.05,
    7: 1.0,
    8: 0.98,
    9: 1.02,
    10: 0.88,
    11: 1.12,
    12: 1.38,
}


# ---------------------------------------------------------------- small vector helpers


@lru_cache(maxsize=512)
def _word_array(words: tuple) -> pa.Array:
    return pa.array(list(words), pa.string())


def strings(words, idx: np.ndarray) -> pa.Array:
    """words[idx] as a string array (words: a short list of choices)."""
    return _word_array(tuple(words)).take(pa.array(np.asarray(idx, dtype="int64")))


def join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def padded(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(np.asarray(values, dtype="int64")), pa.string()), width=width, padding="0")


def dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Day numbers as a date32 array (mask True = null)."""
    days = np.asarray(days, dtype="int64")
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        days = np.where(mask, 0, days)
    return pa.array(days.astype("int32"), pa.int32(), mask=mask).cast(pa.date32())


def ascii_matrix(words: list[str]) -> np.ndarray:
    return np.array([[ord(c) for c in w] for w in words], dtype=np.uint8)


def matrix_strings(mat: np.ndarray) -> pa.Array:
    """Rows of an (n, k) ASCII uint8 matrix as strings (one contiguous string array)."""
    mat = np.ascontiguousarray(mat, dtype=np.uint8)
    n, k = mat.shape
    offsets = np.arange(0, (n + 1) * k, k, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(mat.tobytes())).cast(pa.string())


def where(mask: np.ndarray, a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), a, b)


def pick(rng: np.random.Generator, n: int, weighted: tuple[tuple[object, float], ...] | dict) -> np.ndarray:
    items = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
    p = np.array([w for _, w in items], dtype=float)
    return rng.choice(len(items), n, p=p / p.sum())


_USCC_LUT = np.zeros(256, dtype=np.int64)
_USCC_LUT[[ord(c) for c in USCC_CHARSET]] = np.arange(len(USCC_CHARSET))
_ORG_LUT = np.zeros(256, dtype=np.int64)
_ORG_LUT[[ord(c) for c in ORG_CHARSET]] = np.arange(len(ORG_CHARSET))
_USCC_ASCII = np.frombuffer(USCC_CHARSET.encode(), dtype=np.uint8)


def uscc_matrix(kind2: np.ndarray, region6: np.ndarray, org8: np.ndarray) -> np.ndarray:
    """(n, 18) ASCII matrix of valid USCCs (P3) from (n, 2), (n, 6) and (n, 8) ASCII parts."""
    n = kind2.shape[0]
    mat = np.empty((n, 18), dtype=np.uint8)
    mat[:, 0:2], mat[:, 2:8], mat[:, 8:16] = kind2, region6, org8
    total = np.zeros(n, dtype=np.int64)
    for j, w in enumerate(ORG_WEIGHTS):
        total += _ORG_LUT[mat[:, 8 + j]] * w
    c = 11 - total % 11
    mat[:, 16] = np.where(c == 10, ord("X"), np.where(c == 11, ord("0"), ord("0") + c))
    total[:] = 0
    for j, w in enumerate(USCC_WEIGHTS):
        total += _USCC_LUT[mat[:, j]] * w
    v = 31 - total % 31
    mat[:, 17] = _USCC_ASCII[np.where(v == 31, 0, v)]
    return mat


def wrong_check(code: str) -> str:
    """The same USCC with a wrong final check character (fails P3)."""
    good = uscc_check_char(code[:17])
    return code[:17] + USCC_CHARSET[(USCC_CHARSET.index(good) + 7) % 31]


def break_check(mat: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Give the chosen USCC rows a wrong check character (I03 错码)."""
    cur = _USCC_LUT[mat[rows, 17]]
    mat[rows, 17] = _USCC_ASCII[(cur + rng.integers(1, 31, rows.size)) % 31]


def id_matrix(region6: np.ndarray, birth: np.ndarray, seq3: np.ndarray) -> np.ndarray:
    """(n, 18) ASCII matrix of valid resident ID numbers (P4)."""
    n = region6.shape[0]
    mat = np.empty((n, 18), dtype=np.uint8)
    mat[:, 0:6] = region6
    ymd = birth.astype("int64").astype("datetime64[D]")
    y = ymd.astype("datetime64[Y]").astype("int64") + 1970
    mo = ymd.astype("datetime64[M]").astype("int64") % 12 + 1
    d = (ymd - ymd.astype("datetime64[M]").astype("datetime64[D]")).astype("int64") + 1
    number = y * 10**7 + mo * 10**5 + d * 10**3 + seq3  # 11 digits: YYYYMMDDsss
    for i in range(11):
        mat[:, 16 - i] = ord("0") + number // 10**i % 10
    total = np.zeros(n, dtype=np.int64)
    for j, w in enumerate(ID_WEIGHTS):
        total += (mat[:, j].astype(np.int64) - ord("0")) * w
    mat[:, 17] = np.frombuffer(ID_CHECK.encode(), dtype=np.uint8)[total % 11]
    return mat


def scramble(i: np.ndarray, modulus: int, mult: int = 2_654_435_761, add: int = 97) -> np.ndarray:
    """A bijection of [0, modulus) (mult must be coprime to modulus): unique, irregular codes."""
    return (np.asarray(i, dtype=np.int64) % modulus * (mult % modulus) + add) % modulus


def trade_names(i: np.ndarray) -> pa.Array:
    """Unique trade names (字号): 2 characters for the first K² indexes, 3 after."""
    chars = W.TRADE_CHARS
    k = len(chars)
    i = np.asarray(i, dtype=np.int64)
    two = i < k * k
    v2 = scramble(i, k * k)
    v3 = scramble(i - k * k, k**3)
    c1 = np.where(two, v2 // k, v3 // (k * k))
    c2 = np.where(two, v2 % k, v3 // k % k)
    c3 = np.where(two, k, v3 % k)
    return join(strings(chars, c1), strings(chars, c2), strings((*chars, ""), c3))


# ---------------------------------------------------------------- context


@dataclass
class Authority:
    """An issuing authority: a reference department, or a county bureau the reference lacks."""

    code: str  # department code, or x_<n> for unknown authorities
    name: str
    short: str
    uscc: str
    profile: W.Profile
    prefix: str
    known: bool
    region: str = "230400"


@dataclass
class Ctx:
    """One generation run: seed, scale, dates (T, history start), calendar, reference departments
    and the issuing authorities."""

    seed: int
    scale: Scale
    as_of: dt.date
    departments: list[dict]
    dept: dict[str, dict] = field(init=False)
    T: dt.date = field(init=False)
    start: dt.date = field(init=False)
    cal: Calendar = field(init=False)
    authorities: list[Authority] = field(init=False)

    def __post_init__(self) -> None:
        self.T = month_end_before(self.as_of)
        self.start = month_start(add_months(self.T, -(HISTORY_MONTHS - 1)))
        self.cal = Calendar(dt.date(1980, 1, 1), add_months(self.as_of, 30))
        self.dept = {d["department_code"]: d for d in self.departments}
        auths = []
        for code, prof in W.PROFILES.items():
            d = self.dept[code]
            auths.append(
                Authority(
                    code, d["full_name"], d["short_name"], d["authority_usccs"].split("|")[0], prof, prof.prefix, True
                )
            )
        for i, (name, org8, region, prof_code, prefix) in enumerate(W.UNKNOWN_AUTHORITIES):
            auths.append(
                Authority(
                    f"x_{i}", name, name, make_uscc("11", region, org8), W.PROFILES[prof_code], prefix, False, region
                )
            )
        self.authorities = auths

    def rng(self, *keys: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *keys])

    @property
    def first_day(self) -> int:
        return day_no(self.start)

    @property
    def t_day(self) -> int:
        return day_no(self.T)

    @property
    def as_of_day(self) -> int:
        return day_no(self.as_of)

    def months(self) -> list[tuple[int, int, int]]:
        """(month number 0..60, first day, last day) of the history; month 60 is the part after T."""
        out = []
        for m in range(HISTORY_MONTHS):
            first = add_months(self.start, m)
            out.append((m, day_no(first), day_no(add_months(first, 1)) - 1))
        if self.as_of > self.T:
            out.append((HISTORY_MONTHS, self.t_day + 1, self.as_of_day))
        return out

    def volume(self, per_month: float, month_first: int) -> float:
        d = from_day(month_first)
        years = (month_first - self.first_day) / 365.25
        return per_month * self.scale.volume * MONTH_FACTOR[d.month] * (1 + 0.035 * years)


# ---------------------------------------------------------------- registry and persons

KIND_CODES = [k for k, _ in W.KINDS]
KIND_ASCII = ascii_matrix(KIND_CODES)
DISTRICT_CODES = [d[0] for d in W.DISTRICTS]
DISTRICT_ASCII = ascii_matrix(DISTRICT_CODES)
RESIDENT_REGIONS = DISTRICT_CODES[1:]  # ID numbers carry a district/county code
K91, K92, K93 = (KIND_CODES.index(k) for k in ("91", "92", "93"))
GOVERNMENT_KINDS = [KIND_CODES.index(k) for k in ("11", "12", "13")]
LETTER = {ch: i for i, ch in enumerate(W.INDUSTRY_LETTERS)}


@dataclass
class Subjects:
    """The bulk registry as arrays (index = subject number)."""

    kind: np.ndarray
    district: np.ndarray
    industry: np.ndarray
    q: np.ndarray
    est: np.ndarray
    closed: np.ndarray  # NEVER when still registered
    status: np.ndarray  # 0 存续 1 注销 2 吊销
    uscc: pa.Array
    name: pa.Array
    legal_rep: pa.Array
    weight: np.ndarray  # propensity to be a party (0: never used in facts)
    pools: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.kind.size

    def alive(self, idx: np.ndarray | slice, day) -> np.ndarray:
        return (self.est[idx] <= day) & (self.closed[idx] > day)

    def build_pools(self) -> None:
        """Per industry: subject indexes that can be parties, with cumulative propensity."""
        for letter in range(len(W.INDUSTRY_LETTERS)):
            idx = np.flatnonzero((self.industry == letter) & (self.weight > 0))
            if idx.size:
                self.pools[letter] = (idx, np.cumsum(self.weight[idx]))

    def sample(self, rng: np.random.Generator, industry: np.ndarray, day: np.ndarray) -> np.ndarray:
        """A party alive on `day` per row, drawn by propensity within the row's industry (−1: none)."""
        out = np.full(industry.size, -1, dtype=np.int64)
        todo = np.arange(industry.size)
        for _ in range(6):
            if not todo.size:
                break
            for letter in np.unique(industry[todo]):
                rows = todo[industry[todo] == letter]
                idx, cw = self.pools.get(int(letter)) or self.pools[LETTER["F"]]
                out[rows] = idx[np.searchsorted(cw, rng.random(rows.size) * cw[-1], side="right")]
            ok = self.alive(out[todo], day[todo])
            out[todo[~ok]] = -1
            todo = todo[~ok]
        return out

    def sample_kinds(
        self, rng: np.random.Generator, n: int, day: int, kinds: list[int], low_quality: float = 1.0
    ) -> np.ndarray:
        """n distinct subjects of the given kinds alive on `day`, favouring low q (may return fewer)."""
        cand = np.flatnonzero(np.isin(self.kind, kinds) & self.alive(slice(None), day) & (self.weight > 0))
        if not cand.size:
            return cand
        w = np.exp(-low_quality * self.q[cand])
        return rng.choice(cand, min(n, cand.size), replace=False, p=w / w.sum())


@dataclass
class Persons:
    name: pa.Array
    id_no: pa.Array


def _person_names(rng: np.random.Generator, n: int) -> pa.Array:
    surname = strings([s for s, _ in W.SURNAMES], pick(rng, n, W.SURNAMES))
    g1 = strings(W.GIVEN_CHARS, rng.integers(0, len(W.GIVEN_CHARS), n))
    two = rng.random(n) < 0.7
    g2 = strings((*W.GIVEN_CHARS, ""), np.where(two, rng.integers(0, len(W.GIVEN_CHARS), n), len(W.GIVEN_CHARS)))
    return join(surname, g1, g2)


def make_persons(ctx: Ctx) -> Persons:
    """Natural persons of Hegang: names and unique valid resident IDs (births 1956–2004)."""
    rng = ctx.rng(S_PERSONS)
    n = max(1_000, int(ctx.scale.subjects * 0.8))
    first, last = day_no(dt.date(1956, 1, 1)), day_no(dt.date(2004, 12, 31))
    ndays = last - first + 1
    v = scramble(np.arange(n), len(RESIDENT_REGIONS) * ndays * 1000)
    seq = v % 1000
    birth = first + v // 1000 % ndays
    region = v // 1000 // ndays
    region_ascii = ascii_matrix(RESIDENT_REGIONS)[region]
    mat = id_matrix(region_ascii, birth, seq)
    bad = np.flatnonzero(rng.random(n) < 0.002)  # P4 failures (typing errors at source)
    mat[bad, 17] = np.where(mat[bad, 17] == ord("1"), ord("2"), ord("1"))
    return Persons(_person_names(rng, n), matrix_strings(mat))


def _word_choice(table: dict[str, tuple[str, ...]], industry: np.ndarray, u: np.ndarray) -> pa.Array:
    """A word of the row's industry (the F list where an industry has none)."""
    words: list[str] = []
    offsets, counts = [], []
    for letter in W.INDUSTRY_LETTERS:
        ws = table.get(letter) or table["F"]
        offsets.append(len(words))
        counts.append(len(ws))
        words += ws
    off, cnt = np.array(offsets)[industry], np.array(counts)[industry]
    return strings(words, off + (u * cnt).astype(np.int64))


def _names(
    rng: np.random.Generator, kind: np.ndarray, district: np.ndarray, industry: np.ndarray, index: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """Subject names by kind, each kind's pattern built for its own rows only; returns the names
    and the districts (enumerated public bodies take the district their name says)."""
    n = kind.size
    district = district.copy()
    prefix_full = [d[2] for d in W.DISTRICTS]
    use_full = rng.random(n) < 0.35
    suffix_idx = pick(rng, n, W.ENTERPRISE_SUFFIXES)
    word_u = rng.random(n)
    coop_idx = rng.integers(0, len(W.COOP_WORDS), n)
    inst_idx = rng.integers(0, len(W.INSTITUTION_WORDS), n)

    # Public bodies (11) and mass organisations (13): enumerated district × function first.
    reserved = {name for name, *_ in W.UNKNOWN_AUTHORITIES}  # registered under their own codes
    enum_rows, enum_names = [], []
    for kind_no, functions in (
        (KIND_CODES.index("11"), W.GOV_FUNCTIONS),
        (KIND_CODES.index("13"), W.MASS_ORG_FUNCTIONS),
    ):
        rows = np.flatnonzero(kind == kind_no)
        combos = [
            (d, f) for d in range(1, len(DISTRICT_CODES)) for f in functions if prefix_full[d] + f not in reserved
        ]
        order = rng.permutation(len(combos))
        for j, r in enumerate(rows[: len(combos)]):
            d, f = combos[order[j]]
            district[r] = d
            enum_rows.append(int(r))
            enum_names.append(prefix_full[d] + f)
    enumerated = np.zeros(n, bool)
    enumerated[enum_rows] = True
    county = np.isin(district, [DISTRICT_CODES.index("230421"), DISTRICT_CODES.index("230422")])

    parts: list[pa.Array] = [pa.array(enum_names, pa.string())]
    order_rows: list[np.ndarray] = [np.array(enum_rows, dtype=np.int64)]
    for k, code in enumerate(KIND_CODES):
        rows = np.flatnonzero((kind == k) & ~enumerated)
        if not rows.size:
            continue
        tn = trade_names(index[rows])
        full = strings(prefix_full, district[rows])
        short = pc.if_else(pa.array(county[rows]), full, "鹤岗市")
        if code == "91":
            arr = join(
                pc.if_else(pa.array(use_full[rows]), full, short),
                tn,
                _word_choice(W.ENTERPRISE_WORDS, industry[rows], word_u[rows]),
                strings([x for x, _ in W.ENTERPRISE_SUFFIXES], suffix_idx[rows]),
            )
        elif code == "92":
            arr = join(full, tn, _word_choice(W.SHOP_WORDS, industry[rows], word_u[rows]))
        elif code == "93":
            arr = join(short, tn, strings(W.COOP_WORDS, coop_idx[rows]), "专业合作社")
        elif code == "11":
            arr = pc.if_else(pa.array(county[rows]), join(full, tn, "镇人民政府"), join(full, tn, "街道办事处"))
        elif code == "12":
            arr = join(full, tn, strings(W.INSTITUTION_WORDS, inst_idx[rows]))
        elif code == "13":
            arr = join(full, tn, "社区居民委员会")
        elif code == "31":
            arr = join("黑龙江", tn, "律师事务所")
        else:
            words = W.SOCIAL_WORDS[code]
            arr = join("鹤岗市", tn, strings(words, (word_u[rows] * len(words)).astype(np.int64)))
        parts.append(arr)
        order_rows.append(rows)
    position = np.empty(n, dtype=np.int64)
    position[np.concatenate(order_rows)] = np.arange(n)
    return pa.concat_arrays(parts).take(pa.array(position)), district


def make_subjects(ctx: Ctx, persons: Persons) -> Subjects:
    """The bulk registry: kinds, districts, industries, dates, status, USCCs, names, legal reps."""
    rng = ctx.rng(S_SUBJECTS)
    n = ctx.scale.subjects
    kind = pick(rng, n, W.KINDS).astype(np.int8)
    dist_w = np.array([d[3] for d in W.DISTRICTS])
    district = rng.choice(len(dist_w), n, p=dist_w / dist_w.sum()).astype(np.int8)
    district[(kind == KIND_CODES.index("11")) & (district == 0)] = 1
    industry = np.full(n, LETTER["S"], dtype=np.int8)
    for code in W.BUSINESS_KINDS:
        rows = np.flatnonzero(kind == KIND_CODES.index(code))
        weights = W.INDUSTRY_WEIGHTS[code]
        letters = np.array([LETTER[k] for k in weights], dtype=np.int8)
        industry[rows] = letters[pick(rng, rows.size, weights)]
    q = rng.standard_normal(n).astype(np.float32)

    # Establishment: registrations grow ~9 % a year; public bodies are old.
    as_of = ctx.as_of
    years = np.arange(1985, as_of.year + 1)
    yw = 1.09 ** (years - 1985)
    yw[-1] *= (as_of - dt.date(as_of.year, 1, 1)).days / 365.0
    year = years[rng.choice(years.size, n, p=yw / yw.sum())]
    jan1 = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    span = np.where(year == as_of.year, (as_of - dt.date(as_of.year, 1, 1)).days + 1, 365)
    est = jan1 + (rng.random(n) * span).astype(np.int64)
    public = ~np.isin(kind, [K91, K92, K93])
    est[public] = day_no(dt.date(1980, 1, 1)) + (rng.random(public.sum()) * 32 * 365).astype(np.int64)
    est = np.minimum(ctx.cal.next_workday(est), ctx.as_of_day)

    # Closure (注销/吊销): exponential lifetimes, shorter for 个体工商户.
    mean_years = np.select([kind == K91, kind == K92, kind == K93], [13.0, 8.0, 9.0], 60.0)
    closed = est + (rng.exponential(mean_years) * 365.25).astype(np.int64)
    closed = np.where(
        closed <= ctx.as_of_day,
        np.minimum(ctx.cal.next_workday(np.minimum(closed, ctx.as_of_day)), ctx.as_of_day),
        NEVER,
    )
    closed = np.where(closed <= est, NEVER, closed)
    status = np.where(closed == NEVER, 0, np.where(rng.random(n) < 0.78, 1, 2)).astype(np.int8)

    # USCC: pre-2015 subjects keep their 8-digit organisation code, later ones get an MA… code.
    idx = np.arange(n, dtype=np.int64)
    old = est < day_no(dt.date(2015, 10, 1))
    org8 = np.empty((n, 8), dtype=np.uint8)
    v_old = 20_000_000 + scramble(idx, 60_000_000)
    for i in range(8):
        org8[:, 7 - i] = ord("0") + v_old // 10**i % 10
    v_new = scramble(idx, 30 * 31**5)
    new = np.empty((n, 8), dtype=np.uint8)
    new[:, 0], new[:, 1] = ord("M"), ord("A")
    for i in range(5):
        new[:, 7 - i] = _USCC_ASCII[v_new // 31**i % 31]
    new[:, 2] = _USCC_ASCII[1 + v_new // 31**5]  # never '0': MA0… is kept for planted subjects
    org8[~old] = new[~old]
    names, district = _names(rng, kind, district, industry, idx)
    mat = uscc_matrix(KIND_ASCII[kind], DISTRICT_ASCII[district], org8)
    break_check(mat, np.flatnonzero(rng.random(n) < 0.0012), rng)
    # 重码: a few subjects registered under another subject's code (different name).
    shadow = np.flatnonzero(rng.random(n) < 0.0004)
    shadow = shadow[shadow > 0]
    mat[shadow] = mat[shadow - 1]
    uscc = matrix_strings(mat)

    rep_idx = rng.integers(0, len(persons.name), n)
    legal_rep = where(np.isin(kind, GOVERNMENT_KINDS), pa.nulls(n, pa.string()), persons.name.take(pa.array(rep_idx)))
    kind_factor = np.select(
        [kind == K91, kind == K92, kind == K93, np.isin(kind, GOVERNMENT_KINDS)], [1.0, 0.5, 0.25, 0.02], 0.1
    )
    weight = np.exp(-0.9 * q) * kind_factor
    weight[shadow] = 0.0  # a 重码 twin shares its code: keep its facts off per-code entities
    subj = Subjects(kind, district, industry, q, est, closed, status, uscc, names, legal_rep, weight)
    subj.build_pools()
    return subj


def subjects_table(s: Subjects) -> dict[str, object]:
    return {
        "uscc": s.uscc,
        "name": s.name,
        "status": strings(("存续", "注销", "吊销"), s.status),
        "established_date": dates(s.est),
        "district_code": strings(DISTRICT_CODES, s.district),
        "industry_code": strings(list(W.INDUSTRY_LETTERS), s.industry),
        "closed_date": dates(np.minimum(s.closed, 2_000_000), s.closed == NEVER),
        "legal_rep": s.legal_rep,
    }
