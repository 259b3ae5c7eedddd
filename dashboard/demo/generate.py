"""Deterministic demo data: a drop folder for 鹤岗市 (Hegang, 黑龙江省) with one file per entity of
dashboard.core.contract, written in the shapes real exports take. Same seed, scale and as_of → the same
bytes.

    python -m dashboard demo --scale city --seed 42 --out data/drops/demo [--as-of 2026-11-29]

Scales (dashboard.demo.bulk.SCALES): `tiny` (3,000 subjects, ~25,000 fact rows, for tests),
`city` (~30,000 subjects, ~234,000 fact rows, the demo default; a few seconds), `province`
(~3,000,000 subjects, ~23,000,000 fact rows, ~4.7 GB; about a minute and ~1.3 GB of memory on two
cores; for load benchmarks; Hegang region codes throughout, XLSX replaced by CSV).

Time: T is the last day of the month before as_of (default today). History covers the 60 months
ending at T; records dated after T up to as_of appear where natural (recent decisions, approvals).

Files and shapes (dashboard.demo.write.file_specs):
- penalties.csv: 双公示 codes as headers (CF_WSH …, one spelled lower-case), dates YYYY/MM/DD,
  上报时间 with a time of day, 是/否 booleans, 暂无 for absent 法定代表人 and amounts;
- licenses.csv (UTF-8 with BOM): XK_* codes, dates YYYYMMDD, status codes 1/2 and words;
- abnormal_operations.csv: GB18030, Chinese headers, dates YYYY年M月D日, an extra 企业名称 column;
- subjects, executees, commitments, disclosure_ledger: Chinese labels as headers;
- evaluations.parquet (typed); loans.xlsx at city and tiny scale (Excel date cells; CSV at
  province scale); collections.csv with headers in odd case and spacing; the rest canonical names.

The bulk (dashboard.demo.bulk, dashboard.demo.facts) is vectorised: registry of 91 enterprises
(~58 %), 92 个体工商户 (~30 %), 93 合作社, 11/12/13 public bodies, 5x social organisations and 3x law
firms over the P5 districts, industries weighted to coal, farming and trade; natural persons with
valid resident IDs; 60 months of decisions with seasonality (Spring Festival dip, year-end peak);
authorities named as in dashboard/reference/departments.csv plus four county bureaus the reference
lacks. Indicator levels are tuned to a mid-ranking city: I14 A-grade taxpayers ≈ 13–14 % of
surviving enterprises; I04 上报率 and 及时率 in the 90s with 市城管局, 市林草局 (上报率) and
市城管局, 市消防队 (及时率) lagging; objections answered late now and then (市住建局 often);
I12 repair rate ≈ 75 %; a few serious-dishonest enterprises, some removed in the last 12 months;
纳税/电费 collections above the surviving-enterprise count, 水费 slightly below, one 燃气费 month
missing (T − 3 months); city_scores for the 13 prefecture-level units, Hegang improving from about
176th towards about 130th of 261; ~0.12 % wrong USCC check characters and ~0.04 % duplicated codes;
~0.2 % invalid resident IDs; a few authority codes with wrong check characters (市林草局 most).

Planted cases (dashboard.demo.planted: 70 subjects, ~120 rows, in every drop whatever the scale;
`planted_cases(as_of)` lists the ~95 expectations), at T:
- W1 (15): 2 decisions in 6 months; 3 in 12 with none in 6; decisions exactly T−6m and T−12m
  (outside) and one day later (inside); one decision number twice (counted once, and a duplicate
  key for the quarantine); a second decision that is 简易程序, 首违轻微 or revoked; a third out of
  publicity; placeholder publicity ends 1900-01-01 / 2099-12-31 / 9999-09-09 and an empty one; a
  decision repaired the day before T; a natural person with two decisions.
- W1b (12, P10/P11): 严重 at T−13m, exactly T−12m (eligible) and T−11m (not); 一般 at T−4m,
  exactly T−3m (eligible) and T−3m+1 day (not); 轻微 with no end; repairs 申请中, 不予修复,
  approved the day after T (still counts), the day before T and long before T (not).
- W1c (4): an active campaign entry, an entry closed before T, a closed campaign, listed after T.
- W2 (11): valid_to = T (counts), T+1m−1 day (counts), T+1m (not), T−1 day (not), 2099-12-31 and
  9999-09-09 (no expiry), 无效 status; overlays: abnormal listing at T (高) or removed before T,
  a 失信被执行人 at T (高) or closed before T.
- W3 (5): latest 公共信用综合评价 C, D, E (warned); D then B, B then C after T (not); G1 (2):
  行业信用评价 by a department's short and by its full name.
- W4 (11): kinds 11, 12, 13 (two escalated as 失信); names with 人民政府 / 站 and no USCC; an
  invalid code with 街道办事处; traps: 鹤岗市鹤北农场有限公司 and 鹤岗市粮食局直属粮库 with valid
  91 codes, …中心有限公司 and …农场职工合作社 without codes; a public body whose case closed before T.
- W5 (7 loans): unpaid past a 30-day buffer, inside it, exactly at due + buffer (not), one day
  later, no buffer recorded, repaid before T, repaid the day after T.
- I03 (4): wrong check characters on 9x, 3x and 1x codes; one code on two names. I05 (5): answers
  on the 5th/6th working day, none, grading objections on the 7th/8th. I08 (3): 履约/未履约/履约中.
  I14: a subject graded A in the latest published year. I15 (4): listed at T, newly listed,
  removed in and before the window.
- Loader cases: penalties with an empty CF_WSH (missing_key), CF_JDRQ <year of T>/02/30
  (bad_date), a duplicate CF_WSH (duplicate_key); a licence with XK_ZT 待审核 (bad_enum) and one
  with no XK_XKBH (falls back to XK_WSH); flagged rows (5): party USCC and authority USCC failing
  P3, resident IDs with a wrong check character or an impossible birth date, 上报时间 before CF_JDRQ.
  These four are the only rows a load quarantines (tests/test_demo.py loads a drop to prove it).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
import shutil
import time
from pathlib import Path

import numpy as np

from dashboard.core import contract
from dashboard.core.settings import REFERENCE_DIR, Settings
from dashboard.demo.bulk import HISTORY_MONTHS, SCALES, Ctx, make_persons, make_subjects, subjects_table
from dashboard.demo.calendar import month_end_before, month_no
from dashboard.demo.facts import (
    LICENCE,
    PENALTY,
    MonthlyFacts,
    abnormal_operations,
    campaign_lists,
    city_scores,
    collections,
    disclosure_ledger,
    evaluations,
    executees,
    loans,
    serious_dishonest,
    tax_credit,
    tax_credit_years,
)
from dashboard.demo.planted import PlantedCase, planted
from dashboard.demo.write import EntityWriter, file_specs

SOURCE_SUFFIXES = (".csv", ".xlsx", ".parquet")


def reference_departments() -> list[dict]:
    with open(REFERENCE_DIR / "departments.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def planted_cases(as_of: dt.date | None = None) -> list[PlantedCase]:
    """The planted expectations of a drop generated for `as_of` (any seed and scale)."""
    as_of = as_of or dt.date.today()
    return planted(month_end_before(as_of), as_of, reference_departments()).cases


log = logging.getLogger(__name__)


def _clear(out_dir: Path) -> None:
    """Remove entity files of any format (and unfinished parts) so that each entity has one file."""
    for entity in contract.ENTITIES:
        for suffix in SOURCE_SUFFIXES:
            (out_dir / f"{entity.name}{suffix}").unlink(missing_ok=True)
            (out_dir / f".{entity.name}{suffix}.part").unlink(missing_ok=True)


def _authority_subjects(ctx: Ctx) -> list[dict]:
    """The departments and county bureaus themselves, as registered public bodies."""
    rows = []
    for i, d in enumerate(ctx.departments):
        uscc = d["authority_usccs"].split("|")[0]
        rows.append(
            {
                "uscc": uscc,
                "name": d["full_name"],
                "status": "存续",
                "established_date": dt.date(1984 + i % 20, 1 + i % 12, 1 + i % 27),
                "district_code": "230400",
                "industry_code": "D" if uscc.startswith("91") else "S",
                "closed_date": None,
                "legal_rep": None,
            }
        )
    for a in ctx.authorities:
        if not a.known:
            rows.append(
                {
                    "uscc": a.uscc,
                    "name": a.name,
                    "status": "存续",
                    "established_date": dt.date(2001, 3, 1),
                    "district_code": a.region,
                    "industry_code": "S",
                    "closed_date": None,
                    "legal_rep": None,
                }
            )
    return rows


def generate_drop(out_dir: Path, scale: str = "city", seed: int = 42, as_of: dt.date | None = None) -> Path:
    """Write a complete demo drop into `out_dir` (created if needed; entity files already there are
    replaced) and return `out_dir`. Deterministic for (scale, seed, as_of); as_of defaults to today."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")
    as_of = as_of or dt.date.today()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear(out_dir)
    started = time.perf_counter()
    departments = reference_departments()
    ctx = Ctx(seed, SCALES[scale], as_of, departments)
    log.info(f"演示数据：规模 {scale}，种子 {seed}，截至 {ctx.T}（数据至 {as_of}），输出 {out_dir}")
    plant = planted(ctx.T, as_of, departments)
    specs = file_specs(xlsx=ctx.scale.xlsx)
    created = dt.datetime.combine(as_of, dt.time(8, 0))
    writers = {name: EntityWriter(out_dir, spec, created) for name, spec in specs.items()}

    def put(entity: str, columns: dict) -> None:
        w = writers[entity]
        w.write(w.table(columns))

    persons = make_persons(ctx)
    subjects = make_subjects(ctx, persons)
    put("subjects", subjects_table(subjects))
    writers["subjects"].write_rows(_authority_subjects(ctx) + plant.rows["subjects"])
    log.info(f"  市场主体 {writers['subjects'].rows:,} 行（{time.perf_counter() - started:.1f} 秒）")

    facts = MonthlyFacts(ctx, subjects, persons)
    for m, first, last in ctx.months():
        pen, info = facts.penalties(m, first, last)
        put("penalties", pen)
        rep, follow = facts.repairs(m, info)
        put("repairs", rep)
        put("objections", facts.objections(m, PENALTY, info, info["person"]))
        put(
            "commitments",
            facts.commitments(m, "信用修复承诺", follow["auth"], follow["party"], follow["applied"], 0.4, 12),
        )
        lic, linfo = facts.licences(m, first, last)
        put("licenses", lic)
        put("objections", facts.objections(m, LICENCE, linfo, None))
        put(
            "commitments",
            facts.commitments(m, "行政许可告知承诺", linfo["auth"], linfo["party"], linfo["day"], 0.08, 6),
        )
        put("commitments", facts.other_commitments(m, first, last))
        if m % 12 == 11:
            log.info(f"  行政处罚、行政许可：第 {m + 1} 个月（{time.perf_counter() - started:.1f} 秒）")

    for batch in abnormal_operations(ctx, subjects):
        put("abnormal_operations", batch)
    put("executees", executees(ctx, subjects, persons))
    put("serious_dishonest", serious_dishonest(ctx, subjects))
    for year in tax_credit_years(ctx):
        put("tax_credit", tax_credit(ctx, subjects, year))
    for batch in evaluations(ctx, subjects):
        put("evaluations", batch)
    put("loans", loans(ctx, subjects))
    put("campaign_lists", campaign_lists(ctx, subjects))

    extra = np.zeros_like(facts.ledger)
    index = {a.code: i for i, a in enumerate(facts.auths)}
    for dept, day, kind in plant.ledger:
        m = month_no(day) - month_no(ctx.start)
        if dept in index and 0 <= m < HISTORY_MONTHS:
            extra[index[dept], m, kind] += 1
    put("disclosure_ledger", disclosure_ledger(ctx, facts, extra))
    put("collections", collections(ctx, subjects))
    put("city_scores", city_scores(ctx))

    for entity, rows in plant.rows.items():
        if entity != "subjects":
            writers[entity].write_rows(rows)
    for entity, rows in plant.raw.items():
        writers[entity].write_raw(rows)

    total_facts = 0
    for entity in contract.ENTITY_BY_NAME:
        path, n_rows = writers[entity].close()
        if entity != "subjects":
            total_facts += n_rows
        log.info(f"  {path.name}: {n_rows:,} 行，{path.stat().st_size / 1e6:,.1f} MB")
    log.info(f"演示数据完成：事实记录 {total_facts:,} 行，用时 {time.perf_counter() - started:.1f} 秒")
    return out_dir


def generated_drop(target: Path, scale: str, seed: int) -> Path:
    """A drop generated by generate_drop into `target`, once: it is written beside its final
    place and renamed, so an interrupted generation is never taken for a drop."""
    if target.is_dir():
        return target
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        generate_drop(partial, scale=scale, seed=seed)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    os.replace(partial, target)
    return target


def ensure_demo_drop(settings: Settings) -> Path:
    """The demo drop (dashboard.demo.generate, city scale, seed 42), generated on first use."""
    target = settings.demo_drop_dir
    if not target.is_dir():
        log.info("生成演示数据到 %s …", target)
    return generated_drop(target, scale="city", seed=42)
