"""Bulk facts of the demo drop, built on the registry of dashboard.demo.bulk.

Penalties and licences are generated month by month together with what follows from them
(repairs, objections, commitments, the departments' own ledger counts); the other entities per
year or in one vectorised pass. Each function returns or writes typed column arrays; the
EntityWriters of dashboard.demo.write format them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.demo import words as W
from dashboard.demo.bulk import (
    COMMITMENTS_PER_MONTH,
    EXECUTEES_PER_MONTH,
    GOVERNMENT_KINDS,
    HISTORY_MONTHS,
    K91,
    K92,
    K93,
    LETTER,
    LICENCES_PER_MONTH,
    LOANS_PER_MONTH,
    PENALTIES_PER_MONTH,
    S_ABNORMAL,
    S_CAMPAIGNS,
    S_COLLECTIONS,
    S_COMMITMENTS,
    S_EVAL,
    S_EXECUTEES,
    S_LEDGER,
    S_LICENCES,
    S_LOANS,
    S_PENALTIES,
    S_SCORES,
    S_SERIOUS,
    S_TAX,
    SERIOUS_PER_MONTH,
    Ctx,
    Persons,
    Subjects,
    dates,
    join,
    padded,
    pick,
    strings,
    where,
    wrong_check,
)
from dashboard.demo.calendar import NEVER, add_months, add_months_np, day_no, from_day, year_of

PLACEHOLDER_DAYS = np.array([day_no(dt.date(1900, 1, 1)), day_no(dt.date(2099, 12, 31)), day_no(dt.date(9999, 9, 9))])
SEVERITY_WORDS = ("轻微", "一般", "严重")
MIN_MONTHS = np.array([0, 3, 12])  # P8 minimum publicity per severity class
MAX_MONTHS = np.array([3, 12, 36])  # P8 maximum
PENALTY, LICENCE = 0, 1


def _ints(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def _ts(days: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Report timestamps on the given days, during office hours."""
    secs = days.astype(np.int64) * 86400 + 30600 + rng.integers(0, 9 * 3600, days.size)
    return pa.array(secs, pa.timestamp("s"))


def _nullable_bool(values: np.ndarray, null: np.ndarray) -> pa.Array:
    return pa.array(values, pa.bool_(), mask=null)


class MonthlyFacts:
    """Penalties, licences and what follows from them, one month at a time."""

    def __init__(self, ctx: Ctx, subjects: Subjects, persons: Persons) -> None:
        self.ctx, self.s, self.p = ctx, subjects, persons
        auths = ctx.authorities
        self.auths = auths
        a = len(auths)
        known = np.array([x.known for x in auths])
        pw = np.array([x.profile.penalty_weight for x in auths], dtype=float)
        lw = np.array([x.profile.licence_weight if x.profile.certificates else 0.0 for x in auths], dtype=float)
        for w, share in ((pw, W.UNKNOWN_PENALTY_SHARE), (lw, W.UNKNOWN_LICENCE_SHARE)):
            w[known] *= (1 - share) / w[known].sum()
            w[~known] = share / (~known).sum()
        self.pen_w, self.lic_w = pw, lw
        self.person_share = np.array([x.profile.person_share for x in auths])
        self.simple_share = np.array([x.profile.simple_share for x in auths])
        self.late_share = np.array([W.LAGGING_TIMELINESS.get(x.code, W.DEFAULT_LATE) for x in auths])
        self.bad_authority_code = np.array([0.02 if x.code == "forestry" else 0.0008 for x in auths])
        cum = np.zeros((a, len(W.INDUSTRY_LETTERS)))
        for i, x in enumerate(auths):
            for letter, weight in x.profile.industries.items():
                if LETTER[letter] in subjects.pools:
                    cum[i, LETTER[letter]] = weight
            if cum[i].sum() == 0:
                cum[i, LETTER["F"]] = 1.0
        self.industry_cum = np.cumsum(cum / cum.sum(axis=1, keepdims=True), axis=1)
        self.names = [x.name for x in auths]
        self.shorts = [x.short for x in auths]
        self.usccs = [x.uscc for x in auths]
        self.bad_usccs = [wrong_check(x.uscc) for x in auths]
        self.prefixes = [x.prefix for x in auths]
        self.lic_prefixes = [
            x.prefix.replace("行罚决字", "").replace("处罚", "").replace("罚", "") + "许" for x in auths
        ]
        self.known = known
        self.violations, self.v_off, self.v_cnt = self._flatten([x.profile.violations for x in auths])
        self.person_kinds, self.pk_off, self.pk_cnt = self._flatten([x.profile.person_kinds for x in auths])
        certs = [x.profile.certificates or (("其他许可", 3, "QT"),) for x in auths]
        self.certs, self.c_off, self.c_cnt = self._flatten(certs)
        self.combo_names = [c for c, _ in W.PENALTY_KIND_COMBOS]
        self.pen_seq = np.zeros(a, dtype=np.int64)
        self.lic_seq = np.zeros(a, dtype=np.int64)
        self.year: int | None = None
        self.licence_serial = 0
        self.repair_serial = 0
        self.objection_serial = 0
        self.commitment_serial = 0
        # decisions in each department's own case system: [authority, month, kind]
        self.ledger = np.zeros((a, HISTORY_MONTHS, 2), dtype=np.int64)

    @staticmethod
    def _flatten(lists):
        flat, off, cnt = [], [], []
        for items in lists:
            off.append(len(flat))
            cnt.append(len(items))
            flat += list(items)
        return flat, np.array(off), np.array(cnt)

    def _roll_year(self, year: int) -> None:
        if self.year != year:
            self.year = year
            self.pen_seq[:] = 0
            self.lic_seq[:] = 0

    def _industry(self, rng: np.random.Generator, auth: np.ndarray) -> np.ndarray:
        u = rng.random(auth.size)
        return np.minimum((u[:, None] >= self.industry_cum[auth]).sum(axis=1), len(W.INDUSTRY_LETTERS) - 1)

    def _sequence(self, counters: np.ndarray, auth: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Per-authority running numbers in date order."""
        n = auth.size
        order = np.lexsort((day, auth))
        a_sorted = auth[order]
        first = np.r_[True, a_sorted[1:] != a_sorted[:-1]][:n]
        group_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        seq = np.empty(n, dtype=np.int64)
        seq[order] = counters[a_sorted] + np.arange(n) - group_start + 1
        np.add.at(counters, auth, 1)
        return seq

    def _report(self, rng, auth, day):
        """Report day: within 7 working days mostly; lagging departments often later (I04 及时率)."""
        n = auth.size
        late = rng.random(n) < self.late_share[auth]
        k = np.where(late, rng.integers(8, 46, n), 1 + rng.binomial(6, 0.22, n))
        rep = self.ctx.cal.add_workdays(day, k)
        early = rng.random(n) < 0.0005  # recorded before the decision: a date-order flag
        return np.where(early, day - rng.integers(1, 4, n), rep)

    def _parties(self, rng, auth, day, person_share):
        n = auth.size
        person = rng.random(n) < person_share
        party = np.full(n, -1, dtype=np.int64)
        ind = self._industry(rng, auth)
        party[~person] = self.s.sample(rng, ind[~person], day[~person])
        party[person] = rng.integers(0, len(self.p.name), int(person.sum()))
        return person, party

    def _party_columns(self, person, party):
        n = person.size
        sidx = pa.array(np.where(person, 0, party))
        pidx = pa.array(np.where(person, party, 0))
        null = pa.nulls(n, pa.string())
        return {
            "party_name": where(person, self.p.name.take(pidx), self.s.name.take(sidx)),
            "uscc": where(person, null, self.s.uscc.take(sidx)),
            "party_id_no": where(person, self.p.id_no.take(pidx), null),
            "legal_rep": where(person, null, self.s.legal_rep.take(sidx)),
        }

    # ------------------------------------------------------------ penalties
    def penalties(self, m: int, first: int, last: int) -> tuple[dict, dict]:
        """One month of 行政处罚 decisions (only those reported by as_of), and what the follow-ups
        need to know about each (authority, dates, party, severity, P8 end, P7 status)."""
        ctx = self.ctx
        rng = ctx.rng(S_PENALTIES, m)
        self._roll_year(from_day(first).year)
        n = int(rng.poisson(ctx.volume(PENALTIES_PER_MONTH, first)))
        days, p = ctx.cal.day_weights(first, last)
        day = np.sort(rng.choice(days, n, p=p))
        auth = rng.choice(len(self.auths), n, p=self.pen_w)
        person, party = self._parties(rng, auth, day, self.person_share[auth])
        keep = party >= 0
        day, auth, person, party = day[keep], auth[keep], person[keep], party[keep]
        n = day.size
        if m < HISTORY_MONTHS:
            np.add.at(self.ledger[:, m, PENALTY], auth, 1)
        seq = self._sequence(self.pen_seq, auth, day)

        simple = rng.random(n) < self.simple_share[auth]
        sev = np.where(
            simple, np.where(rng.random(n) < 0.85, 0, 3), pick(rng, n, ((0, 0.08), (1, 0.72), (2, 0.08), (3, 0.12)))
        )
        eff = np.where(sev == 3, 1, sev)
        u = rng.random(n)
        end = add_months_np(day, MAX_MONTHS[eff])
        six = (eff == 1) & (u < 0.06)
        end = np.where(six, add_months_np(day, 6), end)
        end_null = np.select([eff == 0, eff == 1, eff == 2], [u >= 0.6, (u >= 0.06) & (u < 0.21), u < 0.22]).astype(
            bool
        )
        placeholder = ((eff == 1) & (u >= 0.97)) | ((eff == 2) & (u >= 0.96))
        real_end = np.where(end_null | placeholder, add_months_np(day, MAX_MONTHS[eff]), end)
        end = np.where(placeholder, PLACEHOLDER_DAYS[rng.integers(0, 3, n)], end)
        minor = ~simple & (eff <= 1) & (rng.random(n) < 0.03)
        revoked = rng.random(n) < 0.004

        kinds = strings(self.combo_names, pick(rng, n, W.PENALTY_KIND_COMBOS))
        pk = strings(self.person_kinds, self.pk_off[auth] + (rng.random(n) * self.pk_cnt[auth]).astype(np.int64))
        kinds = where(person, pk, kinds)
        has_fine = np.asarray(pc.match_substring(kinds, "罚款"))
        yuan = np.round(np.exp(rng.normal(np.log(6000), 1.2, n)), -2).clip(200, 3_000_000)
        yuan = np.where(person, np.round(yuan / 5, -1).clip(50, 20_000), yuan)
        yuan = np.where(
            simple, np.where(person, rng.choice([50, 100, 200], n), rng.choice([500, 1000, 2000, 3000], n)), yuan
        ).astype(np.int64)
        kd = pc.replace_substring(kinds, ";", "、")
        ys = _ints(yuan)
        content = pc.if_else(
            pc.equal(kinds, "罚款"),
            join("罚款人民币", ys, "元"),
            pc.if_else(pa.array(has_fine), join(kd, "，其中罚款人民币", ys, "元"), kd),
        )
        v = self.v_off[auth] + (rng.random(n) * self.v_cnt[auth]).astype(np.int64)
        vtext = strings([t for t, _ in self.violations], v)

        rep = self._report(rng, auth, day)
        bad_code = rng.random(n) < self.bad_authority_code[auth]
        short_name = self.known[auth] & (rng.random(n) < 0.03)
        year = from_day(first).year
        cols = {
            "decision_no": join(strings(self.prefixes, auth), f"〔{year}〕", _ints(seq), "号"),
            **self._party_columns(person, party),
            "party_category": where(
                person,
                pa.array(["自然人"] * n),
                where(
                    self.s.kind[np.where(person, 0, party)] == K92,
                    pa.array(["个体工商户"] * n),
                    where(rng.random(n) < 0.05, pa.array(["法人"] * n), pa.array(["法人及非法人组织"] * n)),
                ),
            ),
            "penalty_kinds": kinds,
            "violation_type": vtext,
            "facts": join("当事人", vtext),
            "basis": strings([b for _, b in self.violations], v),
            "content": content,
            "fine_wan_yuan": pa.array(yuan / 10000.0, pa.float64(), mask=~has_fine),
            "decision_date": dates(day),
            "publicity_end": dates(end, end_null),
            "authority": where(short_name, strings(self.shorts, auth), strings(self.names, auth)),
            "authority_uscc": where(bad_code, strings(self.bad_usccs, auth), strings(self.usccs, auth)),
            "source_unit": strings(self.shorts, auth),
            "reported_at": _ts(rep, rng),
            "procedure": where(
                simple,
                strings(("简易程序", "简易"), (rng.random(n) < 0.3).astype(int)),
                strings(
                    ("普通程序", "一般程序", "普通", None), pick(rng, n, ((0, 0.55), (1, 0.15), (2, 0.15), (3, 0.15)))
                ),
            ),
            "severity": strings((*SEVERITY_WORDS, None), sev),
            "minor_first_offence": _nullable_bool(minor, ~minor & (rng.random(n) < 0.3)),
            "revoked": _nullable_bool(revoked, ~revoked & (rng.random(n) < 0.2)),
        }
        reported = rep <= ctx.as_of_day  # not yet reported at extraction: not in the file
        info = {
            "auth": auth,
            "day": day,
            "rep": rep,
            "person": person,
            "party": party,
            "eff": eff,
            "real_end": real_end,
            "public": ~simple & ~minor & ~revoked,
            "decision_no": cols["decision_no"],
        }
        mask = pa.array(reported)
        return {k: v.filter(mask) for k, v in cols.items()}, {
            k: (v.filter(mask) if isinstance(v, pa.Array) else v[reported]) for k, v in info.items()
        }

    def repairs(self, m: int, info: dict) -> tuple[dict, dict]:
        """Repair applications of public penalties of organisations, once the minimum period is
        over (P10): most apply within weeks; decisions follow in working days."""
        ctx = self.ctx
        rng = ctx.rng(S_PENALTIES, m, 1)
        org = ~info["person"] & info["public"]
        n = org.size
        elig = add_months_np(info["day"], MIN_MONTHS[info["eff"]])
        applied = ctx.cal.next_workday(np.minimum(elig + rng.exponential(12, n).astype(np.int64), ctx.as_of_day + 400))
        ok = org & (rng.random(n) < 0.93) & (applied < info["real_end"]) & (applied <= ctx.as_of_day)
        idx = np.flatnonzero(ok)
        applied = applied[idx]
        decided = ctx.cal.add_workdays(applied, rng.integers(2, 12, idx.size))
        done = decided <= ctx.as_of_day
        refused = rng.random(idx.size) < 0.07
        status = np.where(done, np.where(refused, 1, 0), 2)
        serial = self.repair_serial + np.arange(1, idx.size + 1)
        self.repair_serial += idx.size
        take = pa.array(idx)
        cols = {
            "repair_id": join("XF", padded(serial, 8)),
            "uscc": self.s.uscc.take(pa.array(info["party"][idx])),
            "record_type": strings(("行政处罚", "penalty"), (rng.random(idx.size) < 0.1).astype(int)),
            "record_ref": info["decision_no"].take(take),
            "applied_date": dates(applied),
            "status": strings(("已修复", "不予修复", "申请中"), status),
            "decided_date": dates(decided, ~done),
        }
        follow = {"auth": info["auth"][idx], "applied": applied, "party": info["party"][idx]}
        return cols, follow

    # ------------------------------------------------------------ licences
    def licences(self, m: int, first: int, last: int) -> tuple[dict, dict]:
        """One month of 行政许可 decisions (only those reported by as_of) and their follow-up info."""
        ctx = self.ctx
        rng = ctx.rng(S_LICENCES, m)
        self._roll_year(from_day(first).year)
        n = int(rng.poisson(ctx.volume(LICENCES_PER_MONTH, first) * (1.0 if from_day(first).month != 12 else 0.8)))
        days, p = ctx.cal.day_weights(first, last, weekend=0.01)
        day = np.sort(rng.choice(days, n, p=p))
        auth = rng.choice(len(self.auths), n, p=self.lic_w)
        person, party = self._parties(rng, auth, day, np.zeros(n))
        keep = party >= 0
        day, auth, party = day[keep], auth[keep], party[keep]
        n = day.size
        if m < HISTORY_MONTHS:
            np.add.at(self.ledger[:, m, LICENCE], auth, 1)
        seq = self._sequence(self.lic_seq, auth, day)
        c = self.c_off[auth] + (rng.random(n) * self.c_cnt[auth]).astype(np.int64)
        years = np.array([y for _, y, _ in self.certs])[c]
        start_gap = np.where(rng.random(n) < 0.85, 0, rng.integers(1, 11, n))
        valid_from = day + start_gap
        valid_to = add_months_np(valid_from, 12 * years) - 1
        # Certificates without expiry: most exports write a 5-year review date, some a placeholder.
        long_term = (years == 0) & (rng.random(n) < 0.25)
        valid_to = np.where(years == 0, add_months_np(valid_from, 60) - 1, valid_to)
        valid_to = np.where(
            long_term, np.where(rng.random(n) < 0.7, PLACEHOLDER_DAYS[1], PLACEHOLDER_DAYS[2]), valid_to
        )
        cancelled = rng.random(n) < 0.03
        serial = self.licence_serial + np.arange(1, n + 1)
        self.licence_serial += n
        year = from_day(first).year
        lic_no = join(strings([x for _, _, x in self.certs], c), _ints(year_of(day)), padded(serial, 7))
        no_number = rng.random(n) < 0.002  # 许可编号 missing: the loader falls back to the 文书号
        rep = self._report(rng, auth, day)
        bad_code = rng.random(n) < self.bad_authority_code[auth]
        sidx = pa.array(party)
        cols = {
            "license_no": where(no_number, pa.nulls(n, pa.string()), lic_no),
            "decision_doc_no": join(strings(self.lic_prefixes, auth), f"〔{year}〕", _ints(seq), "号"),
            "party_name": self.s.name.take(sidx),
            "uscc": self.s.uscc.take(sidx),
            "certificate": strings([x for x, _, _ in self.certs], c),
            "license_kind": strings(
                ("普通", "特许", "认可", "核准", "登记", "其他", None),
                pick(rng, n, ((0, 65), (1, 5), (2, 6), (3, 10), (4, 6), (5, 3), (6, 5))),
            ),
            "content": join("准予核发", strings([x for x, _, _ in self.certs], c)),
            "decision_date": dates(day),
            "valid_from": dates(valid_from),
            "valid_to": dates(valid_to),
            "authority": strings(self.names, auth),
            "authority_uscc": where(bad_code, strings(self.bad_usccs, auth), strings(self.usccs, auth)),
            "status": strings(("1", "2", "有效", "无效"), np.where(cancelled, 1, 0) + 2 * (rng.random(n) < 0.25)),
            "reported_at": _ts(rep, rng),
        }
        reported = rep <= ctx.as_of_day
        mask = pa.array(reported)
        info = {"auth": auth[reported], "day": day[reported], "rep": rep[reported], "party": party[reported]}
        return {k: v.filter(mask) for k, v in cols.items()}, info

    # ------------------------------------------------------------ follow-ups
    def objections(self, m: int, kind: int, info: dict, person: np.ndarray | None) -> dict:
        """Objections to published records (I05): most answered within 5 working days."""
        ctx = self.ctx
        rng = ctx.rng(S_PENALTIES if kind == PENALTY else S_LICENCES, m, 2)
        n = info["auth"].size
        org = np.ones(n, bool) if person is None else ~person
        sel = np.flatnonzero(org & (rng.random(n) < (0.012 if kind == PENALTY else 0.003)))
        received = ctx.cal.next_workday(
            np.minimum(info["rep"][sel] + rng.integers(3, 120, sel.size), ctx.as_of_day + 200)
        )
        ok = received <= ctx.as_of_day
        sel, received = sel[ok], received[ok]
        k = sel.size
        auth = info["auth"][sel]
        grading = rng.random(k) < 0.12
        late_p = np.array([W.LAGGING_OBJECTIONS.get(x.code, W.DEFAULT_OBJECTION_LATE) for x in self.auths])[auth]
        late = rng.random(k) < late_p
        sla = np.where(grading, 7, 5)
        wd = np.where(late, sla + rng.integers(1, 12, k), rng.integers(1, sla + 1))
        answered = ctx.cal.add_workdays(received, wd)
        open_ = answered > ctx.as_of_day
        serial = self.objection_serial + np.arange(1, k + 1)
        self.objection_serial += k
        return {
            "objection_id": join("YY", padded(serial, 7)),
            "uscc": self.s.uscc.take(pa.array(info["party"][sel])),
            "department": strings(self.shorts, auth),
            "received_date": dates(received),
            "answered_date": dates(answered, open_),
            "outcome": strings((*W.OBJECTION_OUTCOMES, None), np.where(open_, 4, rng.integers(0, 4, k))),
            "concerns_grading": pa.array(grading),
        }

    def commitments(
        self, m: int, kind: str, auth: np.ndarray, party: np.ndarray, signed: np.ndarray, share: float, months: int
    ) -> dict:
        """Credit commitments (I08): 告知承诺 with licences, 信用修复承诺 with repairs."""
        ctx = self.ctx
        rng = ctx.rng(S_COMMITMENTS, m, 1 if kind.startswith("信用修复") else 2)
        sel = np.flatnonzero(rng.random(auth.size) < share)
        return self._commitment_cols(
            rng,
            strings((kind,), np.zeros(sel.size, int)),
            strings(self.shorts, auth[sel]),
            party[sel],
            signed[sel],
            months,
        )

    def other_commitments(self, m: int, first: int, last: int) -> dict:
        """Commitments made of the subject's own accord or for an industry body (主动型, 行业自律)."""
        ctx = self.ctx
        rng = ctx.rng(S_COMMITMENTS, m, 3)
        n = int(rng.poisson(ctx.volume(COMMITMENTS_PER_MONTH, first)))
        days, p = ctx.cal.day_weights(first, last, weekend=0.0)
        signed = np.sort(rng.choice(days, n, p=p))
        letters = np.array([LETTER[x] for x in "ABCEFGHKL"])
        party = self.s.sample(rng, letters[rng.integers(0, letters.size, n)], signed)
        ok = party >= 0
        known = np.flatnonzero(self.known)
        auth = known[rng.integers(0, known.size, n)][ok]
        kinds = strings(W.COMMITMENT_KINDS, rng.integers(0, len(W.COMMITMENT_KINDS), n)[ok])
        return self._commitment_cols(rng, kinds, strings(self.shorts, auth), party[ok], signed[ok], 12)

    def _commitment_cols(self, rng, kinds, departments, party, signed, months) -> dict:
        ctx = self.ctx
        k = party.size
        due = add_months_np(signed, months)
        no_due = rng.random(k) < 0.15
        due_by = (due <= ctx.as_of_day) & ~no_due
        u = rng.random(k)
        # 0 履约 1 未履约 2 履约中 3 blank
        state = np.where(due_by, np.where(u < 0.9, 0, np.where(u < 0.97, 1, 3)), np.where(u < 0.9, 2, 3))
        serial = self.commitment_serial + np.arange(1, k + 1)
        self.commitment_serial += k
        return {
            "commitment_id": join("CN", padded(serial, 8)),
            "uscc": self.s.uscc.take(pa.array(party)),
            "kind": kinds,
            "department": departments,
            "signed_date": dates(signed),
            "due_date": dates(due, no_due),
            "fulfilment": strings(("履约", "未履约", "履约中", None), state),
        }


# ---------------------------------------------------------------- yearly and one-pass entities


def abnormal_operations(ctx: Ctx, s: Subjects) -> list[dict]:
    """经营异常名录: a July wave for missing annual reports, other reasons through the year."""
    batches = []
    market = ctx.dept["market"]["full_name"]
    branch = (
        [market]
        + [f"{market}{d[1][:2]}分局" for d in W.DISTRICTS[1:7]]
        + ["萝北县市场监督管理局", "绥滨县市场监督管理局"]
    )
    for year in range(ctx.start.year - 1, ctx.as_of.year + 1):
        rng = ctx.rng(S_ABNORMAL, year)
        july = day_no(dt.date(year, 7, 1))
        cand = np.flatnonzero(
            np.isin(s.kind, [K91, K93])
            & (s.weight > 0)
            & (s.est < day_no(dt.date(year, 1, 1)))
            & s.alive(slice(None), july)
        )
        p = 0.035 * np.exp(-0.7 * s.q[cand])
        wave = cand[rng.random(cand.size) < p]
        wave_day = ctx.cal.add_workdays(np.full(wave.size, july), rng.integers(1, 12, wave.size))
        other = cand[rng.random(cand.size) < 0.006]
        other_day = ctx.cal.next_workday(day_no(dt.date(year, 1, 1)) + rng.integers(0, 365, other.size))
        idx = np.r_[wave, other]
        listed = np.r_[wave_day, other_day]
        reason = np.r_[np.zeros(wave.size, int), rng.integers(1, len(W.ABNORMAL_REASONS), other.size)]
        ok = (listed <= ctx.as_of_day) & (listed >= ctx.first_day - 400) & s.alive(idx, listed)
        idx, listed, reason = idx[ok], listed[ok], reason[ok]
        _, first = np.unique(np.c_[idx, listed], axis=0, return_index=True)
        first = np.sort(first)
        idx, listed, reason = idx[first], listed[first], reason[first]
        k = idx.size
        removed = ctx.cal.next_workday(listed + (rng.exponential(150, k) + 20).astype(np.int64))
        gone = (rng.random(k) < 0.62) & (removed <= ctx.as_of_day)
        rem_reason = np.where(reason == 0, 0, rng.integers(1, len(W.ABNORMAL_REMOVAL), k))
        batches.append(
            {
                "uscc": s.uscc.take(pa.array(idx)),
                "x_subject_name": s.name.take(pa.array(idx)),
                "listed_date": dates(listed),
                "listed_reason": strings(W.ABNORMAL_REASONS, reason),
                "removed_date": dates(removed, ~gone),
                "removed_reason": strings(
                    (*W.ABNORMAL_REMOVAL, None), np.where(gone, rem_reason, len(W.ABNORMAL_REMOVAL))
                ),
                "decided_by": strings(branch, np.minimum(s.district[idx], len(branch) - 1)),
            }
        )
    return batches


def executees(ctx: Ctx, s: Subjects, persons: Persons) -> dict:
    """被执行人 cases over the history: firms, persons and, rarely, public bodies (W4)."""
    rng = ctx.rng(S_EXECUTEES)
    months = ctx.months()
    counts = [int(rng.poisson(ctx.volume(EXECUTEES_PER_MONTH, f))) for _, f, _ in months]
    filed = np.concatenate([rng.integers(first, last + 1, c) for (_, first, last), c in zip(months, counts)])
    filed = np.minimum(ctx.cal.next_workday(filed), ctx.as_of_day)
    n = filed.size
    u = rng.random(n)
    kind = np.select([u < 0.45, u < 0.49, u < 0.494], [0, 1, 2], 3)  # 0 firm 1 个体 2 public body 3 person
    party = np.full(n, -1, dtype=np.int64)
    letters = np.array([LETTER[x] for x in "BCEFGHKL"])
    firm = np.flatnonzero(kind <= 1)
    party[firm] = s.sample(
        rng, np.where(kind[firm] == 1, LETTER["F"], letters[rng.integers(0, letters.size, firm.size)]), filed[firm]
    )
    gov_pool = np.flatnonzero(np.isin(s.kind, GOVERNMENT_KINDS))
    gov = np.flatnonzero(kind == 2)
    if gov_pool.size:
        party[gov] = gov_pool[rng.integers(0, gov_pool.size, gov.size)]
    person = kind == 3
    party[person] = rng.integers(0, len(persons.name), int(person.sum()))
    ok = party >= 0
    filed, kind, party, person = filed[ok], kind[ok], party[ok], person[ok]
    n = filed.size
    court = np.where(rng.random(n) < 0.2, 0, rng.integers(1, len(W.COURTS), n))
    year = year_of(filed)
    order = np.lexsort((filed, court * 10_000 + year))
    key = (court * 10_000 + year)[order]
    first = np.r_[True, key[1:] != key[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    seq = np.empty(n, dtype=np.int64)
    seq[order] = np.arange(n) - start + 1
    case_no = join("（", _ints(year), "）", strings([c for _, c in W.COURTS], court), "执", _ints(seq), "号")
    dishonest = rng.random(n) < np.where(person, 0.3, 0.25)
    published = ctx.cal.next_workday(filed + rng.integers(30, 200, n))
    closed = ctx.cal.next_workday(filed + (rng.exponential(260, n) + 30).astype(np.int64))
    is_closed = (rng.random(n) < 0.7) & (closed <= ctx.as_of_day)
    dishonest &= (published <= ctx.as_of_day) & ~(is_closed & (closed <= published))
    sidx = pa.array(np.where(person, 0, party))
    pidx = pa.array(np.where(person, party, 0))
    null = pa.nulls(n, pa.string())
    code_known = rng.random(n) < 0.9
    perf = np.where(is_closed, np.where(rng.random(n) < 0.7, 2, 1), np.where(rng.random(n) < 0.6, 0, 1))
    cols = {
        "case_no": case_no,
        "party_name": where(person, persons.name.take(pidx), s.name.take(sidx)),
        "court": strings([c for c, _ in W.COURTS], court),
        "filed_date": dates(filed),
        "is_dishonest": pa.array(dishonest),
        "uscc": where(~person & code_known, s.uscc.take(sidx), null),
        "party_id_no": where(person & (rng.random(n) < 0.95), persons.id_no.take(pidx), null),
        "dishonest_published_date": dates(published, ~dishonest),
        "closed_date": dates(closed, ~is_closed),
        "performance": strings(W.PERFORMANCE, perf),
    }
    # A legal representative sued beside the firm in some cases (same case number, another party).
    co = np.flatnonzero((kind == 0) & (rng.random(n) < 0.1))
    rep_name = s.legal_rep.take(pa.array(party[co]))
    valid = np.asarray(pc.is_valid(rep_name))
    co = co[valid]
    extra = {k: v.take(pa.array(co)) for k, v in cols.items()}
    extra["party_name"] = rep_name.filter(pa.array(valid))
    extra["uscc"] = pa.nulls(co.size, pa.string())
    extra["party_id_no"] = pa.nulls(co.size, pa.string())
    return {k: pa.concat_arrays([cols[k], extra[k]]) for k in cols}


def serious_dishonest(ctx: Ctx, s: Subjects) -> dict:
    """严重失信主体名单 listings of enterprises (low q most often): a few a year, most removed
    after one to two years."""
    rng = ctx.rng(S_SERIOUS)
    n = int(rng.poisson(SERIOUS_PER_MONTH * ctx.scale.volume * HISTORY_MONTHS * 1.4))
    listed = np.minimum(ctx.cal.next_workday(rng.integers(ctx.first_day - 365, ctx.as_of_day - 5, n)), ctx.as_of_day)
    pool = np.flatnonzero((s.kind == K91) & (s.weight > 0))
    cw = np.cumsum(np.exp(-1.5 * s.q[pool]))
    idx = np.full(n, -1, dtype=np.int64)
    todo = np.arange(n)
    for _ in range(8):
        if not todo.size:
            break
        idx[todo] = pool[np.searchsorted(cw, rng.random(todo.size) * cw[-1], side="right")]
        todo = todo[~s.alive(idx[todo], listed[todo])]
    ok = s.alive(np.maximum(idx, 0), listed) & (idx >= 0)
    _, first = np.unique(idx[ok], return_index=True)  # one listing per enterprise
    keep = np.flatnonzero(ok)[np.sort(first)]
    idx, listed = idx[keep], listed[keep]
    order = np.argsort(listed, kind="stable")
    idx, listed = idx[order], listed[order]
    k = idx.size
    lst = rng.integers(0, len(W.SERIOUS_LISTS), k)
    removed = ctx.cal.next_workday(listed + rng.integers(180, 720, k))
    gone = (rng.random(k) < 0.8) & (removed <= ctx.as_of_day)
    return {
        "uscc": s.uscc.take(pa.array(idx)),
        "subject_name": s.name.take(pa.array(idx)),
        "list_name": strings([x for x, _ in W.SERIOUS_LISTS], lst),
        "department": strings([d for _, d in W.SERIOUS_LISTS], lst),
        "listed_date": dates(listed),
        "removed_date": dates(removed, ~gone),
        "removed_reason": strings(
            ("信用修复", "期满移出", None), np.where(gone, (rng.random(k) >= 0.6).astype(int), 2)
        ),
    }


# Tax grades: A share among enterprises graded (not new): tuned so that A-graded surviving
# enterprises are about 13.5 % of all surviving enterprises (I14 target 15 %).
TAX_GRADE_SHARES = (("A", 0.19), ("B", 0.56), ("C", 0.17), ("D", 0.08))


def tax_credit_years(ctx: Ctx) -> list[int]:
    """Evaluation years whose grades are published (April of year + 1) by as_of, within history."""
    out = []
    for year in range(ctx.start.year - 1, ctx.as_of.year):
        if tax_published(ctx, year) <= ctx.as_of_day:
            out.append(year)
    return out


def tax_published(ctx: Ctx, year: int) -> int:
    return int(ctx.cal.next_workday(np.array([day_no(dt.date(year + 1, 4, 20))]))[0])


def tax_credit(ctx: Ctx, s: Subjects, year: int) -> dict:
    rng = ctx.rng(S_TAX, year)
    dec31 = day_no(dt.date(year, 12, 31))
    idx = np.flatnonzero((s.kind == K91) & (s.weight > 0) & s.alive(slice(None), dec31))
    idx = idx[rng.random(idx.size) < 0.97]
    new = s.est[idx] >= day_no(dt.date(year, 1, 1))
    z = s.q[idx] + 0.5 * rng.standard_normal(idx.size)
    shares = np.array([x for _, x in TAX_GRADE_SHARES])
    cuts = np.quantile(z, 1 - np.cumsum(shares)[:-1]) if idx.size else np.zeros(3)
    grade = np.searchsorted(-cuts, -z)  # 0 A … 3 D
    grades = strings(("A", "B", "C", "D", "M"), np.where(new, 4, grade))
    published = tax_published(ctx, year)
    blank = rng.random(idx.size) < 0.15  # loader default: April 30 of year + 1
    return {
        "uscc": s.uscc.take(pa.array(idx)),
        "x_subject_name": s.name.take(pa.array(idx)),
        "year": pa.array(np.full(idx.size, year)),
        "grade": grades,
        "published_date": dates(np.full(idx.size, published), blank),
    }


GRADE_BANDS = {"A": (900, 1000), "B": (800, 900), "C": (700, 800), "D": (600, 700), "E": (420, 600)}


def _grade(rng, q, shares: tuple[float, ...], noise: float) -> np.ndarray:
    z = q + noise * rng.standard_normal(q.size)
    if not q.size:
        return np.zeros(0, int)
    cuts = np.quantile(z, 1 - np.cumsum(shares)[:-1])
    return np.searchsorted(-cuts, -z)


def evaluations(ctx: Ctx, s: Subjects) -> list[dict]:
    """公共信用综合评价 once a year for most firms; 行业信用评价 by the grading departments of
    001 (十) — three of them with nothing in the last 12 months, one with none at all."""
    out = []
    letters = np.array(list(W.INDUSTRY_LETTERS))
    for year in range(ctx.T.year - 2, ctx.as_of.year + 1):
        rng = ctx.rng(S_EVAL, year)
        day = int(ctx.cal.next_workday(np.array([day_no(dt.date(year, 3, 25))]))[0])
        if day > ctx.as_of_day:
            continue
        idx = np.flatnonzero(
            np.isin(s.kind, [K91, K93]) & (s.weight > 0) & s.alive(slice(None), day) & (s.est <= day - 180)
        )
        idx = idx[rng.random(idx.size) < 0.72]
        g = _grade(rng, s.q[idx], (0.12, 0.64, 0.17, 0.05, 0.02), 0.6)
        out.append(_eval_cols(rng, s, idx, strings(("公共信用综合评价",), np.zeros(idx.size, int)), day, g))
    stale_until = day_no(add_months(ctx.T, -13))
    for code, (inds, share, month) in W.GRADING.items():
        if code in W.GRADING_NEVER:
            continue
        d = ctx.dept[code]
        for year in range(ctx.T.year - 2, ctx.as_of.year + 1):
            rng = ctx.rng(S_EVAL, year, list(W.GRADING).index(code) + 1)
            day = int(ctx.cal.next_workday(np.array([day_no(dt.date(year, month, 15))]))[0])
            if day > ctx.as_of_day or (code in W.GRADING_STALE and day > stale_until):
                continue
            ok_ind = np.isin(letters[s.industry], list(inds))
            kinds = np.isin(s.kind, [K91, K92, K93]) | (
                np.isin(s.kind, GOVERNMENT_KINDS, invert=True) & (code == "civil_affairs")
            )
            idx = np.flatnonzero(ok_ind & kinds & (s.weight > 0) & s.alive(slice(None), day))
            idx = idx[rng.random(idx.size) < share]
            g = _grade(rng, s.q[idx], (0.2, 0.55, 0.17, 0.06, 0.02), 0.8)
            full = rng.random(idx.size) < 0.4
            evaluator = strings((d["short_name"], d["full_name"]), full.astype(int))
            out.append(_eval_cols(rng, s, idx, evaluator, day, g))
    return out


def _eval_cols(rng, s, idx, evaluator, day, g) -> dict:
    lo = np.array([GRADE_BANDS[x][0] for x in "ABCDE"])[g]
    hi = np.array([GRADE_BANDS[x][1] for x in "ABCDE"])[g]
    score = np.round(lo + (hi - lo) * rng.random(idx.size), 1)
    return {
        "uscc": s.uscc.take(pa.array(idx)),
        "evaluator": evaluator,
        "eval_date": dates(np.full(idx.size, day)),
        "grade": strings(tuple("ABCDE"), g),
        "score": pa.array(score),
    }


def loans(ctx: Ctx, s: Subjects) -> dict:
    """信易贷 loans: most repaid on time, some within the lender's buffer, a few in default (W5)."""
    rng = ctx.rng(S_LOANS)
    months = ctx.months()
    counts = [int(rng.poisson(ctx.volume(LOANS_PER_MONTH, f))) for _, f, _ in months]
    start = np.concatenate([rng.integers(first, last + 1, c) for (_, first, last), c in zip(months, counts)])
    start = np.sort(start)
    letters = np.array([LETTER[x] for x in "ABCEFGHL"])
    party = s.sample(rng, letters[rng.integers(0, letters.size, start.size)], start)
    ok = party >= 0
    start, party = start[ok], party[ok]
    n = start.size
    lender = rng.integers(0, len(W.LENDERS), n)
    buffers = np.array([b if b is not None else 0 for _, b in W.LENDERS])[lender]
    buffer_known = np.array([b is not None for _, b in W.LENDERS])[lender] & (rng.random(n) < 0.92)
    term = rng.choice([6, 12, 12, 12, 24, 36], n)
    due = add_months_np(start, term)
    u = rng.random(n)
    # outcome: 0 before due, 1 within buffer, 2 after buffer, 3 never
    outcome = np.select([u < 0.86, u < 0.93, u < 0.975], [0, 1, 2], 3)
    repaid = np.select(
        [outcome == 0, outcome == 1, outcome == 2],
        [
            due - rng.integers(0, 30, n),
            due + 1 + (rng.random(n) * np.maximum(buffers, 3)).astype(np.int64),
            due + buffers + rng.integers(1, 120, n),
        ],
        NEVER,
    )
    repaid = np.maximum(repaid, start + 1)
    unpaid = repaid > ctx.as_of_day
    amount = np.round(np.exp(rng.normal(np.log(120), 0.9, n)).clip(10, 3000), 1)
    serial = np.arange(1, n + 1)
    return {
        "loan_id": join("XYD", _ints(year_of(start)), padded(serial, 6)),
        "uscc": s.uscc.take(pa.array(party)),
        "x_subject_name": s.name.take(pa.array(party)),
        "lender": strings([x for x, _ in W.LENDERS], lender),
        "amount_wan_yuan": pa.array(amount),
        "due_date": dates(due),
        "repaid_date": dates(np.minimum(repaid, 2_000_000), unpaid),
        "buffer_days": pa.array(buffers, pa.int64(), mask=~buffer_known),
    }


def campaign_lists(ctx: Ctx, s: Subjects) -> dict:
    """Subjects on provincial special-campaign lists (W1c): closed campaigns and active ones."""
    rng = ctx.rng(S_CAMPAIGNS)
    cols: dict[str, list] = {k: [] for k in ("uscc", "campaign", "department", "listed_date", "closed_date")}
    for name, dept, start_m, end_m in W.CAMPAIGNS:
        listed0 = int(ctx.cal.next_workday(np.array([day_no(add_months(ctx.T, -start_m))]))[0])
        k = max(3, int(rng.poisson(30 * ctx.scale.volume)))
        idx = s.sample_kinds(rng, k, listed0, [K91, K92], low_quality=1.0)
        listed = ctx.cal.next_workday(listed0 + rng.integers(0, 20, idx.size))
        if end_m is None:
            closed = ctx.cal.next_workday(listed + rng.integers(20, 400, idx.size))
            is_closed = (rng.random(idx.size) < 0.5) & (closed <= ctx.as_of_day)
        else:
            end = day_no(add_months(ctx.T, -end_m))
            closed = np.minimum(ctx.cal.next_workday(listed + rng.integers(20, 400, idx.size)), end)
            is_closed = np.ones(idx.size, bool)
        cols["uscc"].append(s.uscc.take(pa.array(idx)))
        cols["campaign"].append(pa.array([name] * idx.size, pa.string()))
        cols["department"].append(pa.array([dept] * idx.size, pa.string()))
        cols["listed_date"].append(dates(listed))
        cols["closed_date"].append(dates(closed, ~is_closed))
    return {k: pa.concat_arrays(v) for k, v in cols.items()}


def disclosure_ledger(ctx: Ctx, facts: MonthlyFacts, extra: np.ndarray) -> dict:
    """Decisions per department, month and kind in the departments' own systems: what was
    reported plus decisions never reported (I04 上报率), a few departments lagging badly."""
    rng = ctx.rng(S_LEDGER)
    total = facts.ledger + extra
    rows: dict[str, list[Any]] = {"department": [], "month": [], "kind": [], "decisions": []}
    months = [add_months(ctx.start, m) for m in range(HISTORY_MONTHS)]
    for i, auth in enumerate(facts.auths):
        if not auth.known:
            continue
        lo, hi = W.DEFAULT_UNREPORTED
        rate = W.LAGGING_REPORTING.get(auth.code, lo + (hi - lo) * rng.random())
        for kind, word in ((PENALTY, "行政处罚"), (LICENCE, "行政许可")):
            counts = total[i, :, kind]
            if not counts.any():
                continue
            decisions = counts + rng.binomial(counts, rate)
            rows["department"] += [auth.short] * HISTORY_MONTHS
            rows["month"] += months
            rows["kind"] += [word] * HISTORY_MONTHS
            rows["decisions"] += decisions.tolist()
    return rows


COLLECTION_SOURCES = (
    ("纳税", "市税务局"),
    ("水费", "市城管局"),
    ("电费", "鹤岗供电公司"),
    ("燃气费", "市城管局"),
    ("不动产", "市自然资源局"),
    ("科技研发", "市科技局"),
)
GAS_MISSING_MONTHS_BEFORE_T = 3


def surviving_enterprises(s: Subjects, day_numbers: np.ndarray) -> np.ndarray:
    """P2 counts of the bulk registry at each given day."""
    ent = s.kind == K91
    est = np.sort(s.est[ent])
    closed = np.sort(s.closed[ent])
    return np.searchsorted(est, day_numbers, side="right") - np.searchsorted(closed, day_numbers, side="right")


def collections(ctx: Ctx, s: Subjects) -> dict:
    """Monthly pushes of special credit information (I02): 纳税/电费 above the number of surviving
    enterprises, 水费 slightly below, one month of 燃气费 missing."""
    rng = ctx.rng(S_COLLECTIONS)
    rows: dict[str, list[Any]] = {"department": [], "month": [], "category": [], "records": [], "subjects_covered": []}
    month_days = [add_months(ctx.start, m) for m in range(HISTORY_MONTHS)]
    ends = np.array([day_no(add_months(d, 1)) - 1 for d in month_days])
    surv = surviving_enterprises(s, ends)
    factors = {
        "纳税": (1.015, 1.06),
        "水费": (0.955, 0.985),
        "电费": (1.02, 1.08),
        "燃气费": (0.30, 0.36),
        "不动产": (0.07, 0.10),
        "科技研发": (0.003, 0.005),
    }
    for category, dept in COLLECTION_SOURCES:
        lo, hi = factors[category]
        covered = np.maximum(1, np.round(surv * (lo + (hi - lo) * rng.random(HISTORY_MONTHS)))).astype(np.int64)
        records = np.round(covered * (1.05 + 0.15 * rng.random(HISTORY_MONTHS))).astype(np.int64)
        for m in range(HISTORY_MONTHS):
            if category == "燃气费" and m == HISTORY_MONTHS - 1 - GAS_MISSING_MONTHS_BEFORE_T:
                continue
            rows["department"].append(dept)
            rows["month"].append(month_days[m])
            rows["category"].append(category)
            rows["records"].append(int(records[m]))
            rows["subjects_covered"].append(int(covered[m]))
    return rows


def city_scores(ctx: Ctx) -> dict:
    """The national monitoring result for the province's 13 prefecture-level units (I00)."""
    rng = ctx.rng(S_SCORES)
    rows: dict[str, list[Any]] = {
        "month": [],
        "city": [],
        "province": [],
        "score": [],
        "rank": [],
        "rank_in_province": [],
    }
    for m in range(HISTORY_MONTHS):
        month = add_months(ctx.start, m)
        raw = np.array([r0 - gain * m / 12 + rng.normal(0, 2.5) for _, r0, gain in W.CITIES])
        order = np.argsort(raw, kind="stable")
        ranks = np.empty(len(raw), dtype=np.int64)
        prev = 0
        for pos in order:
            r = max(int(round(raw[pos])), prev + 1, 1)
            ranks[pos] = r
            prev = r
        base = 86.2 + 0.03 * m + rng.normal(0, 0.15)
        for i, (city, _, _) in enumerate(W.CITIES):
            rows["month"].append(month)
            rows["city"].append(city)
            rows["province"].append(W.PROVINCE)
            rows["score"].append(round(base - 0.052 * (ranks[i] - 1), 2))
            rows["rank"].append(int(ranks[i]))
            rows["rank_in_province"].append(int(np.flatnonzero(order == i)[0]) + 1)
    return rows
