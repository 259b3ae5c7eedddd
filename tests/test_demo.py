"""The demo drop generator (dashboard.demo.generate): files and shapes, determinism, keys, identifier
quality, planted rule cases, indicator levels, the CLI, and a real load of a generated drop."""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from loadkit import isolate

from dashboard.__main__ import main
from dashboard.core import contract
from dashboard.core.identifiers import is_valid_resident_id, is_valid_uscc
from dashboard.core.workdays import add_workdays
from dashboard.demo import generate as demo
from dashboard.demo.bulk import id_matrix, matrix_strings, uscc_matrix
from dashboard.demo.calendar import Calendar, add_months, add_months_np, day_no, month_end_before
from dashboard.demo.planted import planted
from dashboard.demo.write import Out, format_column
from dashboard.load import loading

AS_OF = dt.date(2026, 11, 29)
T = dt.date(2026, 10, 31)
# Headers the demo writes beside the contract's columns that the contract does not know (企业名称 of
# abnormal operations and 纳税人名称 of tax grades are accepted aliases: see docs/data-contract.md).
EXTRA_HEADERS = {"loans": {"企业名称"}}


def read_entity(drop: Path, entity: str) -> pd.DataFrame:
    """One entity's file as text cells under canonical column names (extras keep their header)."""
    [path] = [p for p in drop.iterdir() if p.stem == entity and not p.name.startswith(".")]
    if path.suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    elif path.suffix == ".xlsx":
        df = pd.read_excel(path, dtype=object)
        df = df.apply(
            lambda col: col.map(
                lambda v: "" if pd.isna(v) else v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else str(v)
            )
        )
    else:
        df = pd.read_parquet(path)
        df = df.apply(lambda col: col.map(lambda v: "" if v is None or v != v else str(v)))
    mapping = contract.header_map(contract.ENTITY_BY_NAME[entity])
    return df.rename(columns={c: mapping.get(contract.normalize_header(c), c) for c in df.columns})


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    if text.lower() in contract.ABSENT_WORDS:
        return None
    for fmt in contract.DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


@pytest.fixture(scope="session")
def city(tmp_path_factory) -> Path:
    return demo.generate_drop(tmp_path_factory.mktemp("city"), scale="city", seed=42, as_of=AS_OF)


@pytest.fixture(scope="session")
def frames(city) -> dict[str, pd.DataFrame]:
    return {e.name: read_entity(city, e.name) for e in contract.ENTITIES}


@pytest.fixture(scope="session")
def cases() -> list[demo.PlantedCase]:
    return demo.planted_cases(AS_OF)


# ---------------------------------------------------------------- files and shapes


def test_one_file_per_entity_with_headers_the_contract_knows(city, frames):
    names = sorted(p.name for p in city.iterdir())
    assert names == sorted(
        {"evaluations.parquet", "loans.xlsx"}
        | {f"{e.name}.csv" for e in contract.ENTITIES if e.name not in ("evaluations", "loans")}
    )
    for e in contract.ENTITIES:
        cols = set(frames[e.name].columns)
        assert cols - set(e.column_names) == EXTRA_HEADERS.get(e.name, set()), e.name
        required = {c.name for c in e.columns if c.required} - set(e.fallbacks)
        assert required <= cols, e.name


def test_formats_vary_as_real_exports_do(city):
    pen = (city / "penalties.csv").read_text(encoding="utf-8").splitlines()[0]
    assert pen.startswith('"CF_WSH","CF_XDR_MC"') and '"cf_nr_fk"' in pen and '"上报时间"' in pen
    lic = (city / "licenses.csv").read_bytes()
    assert lic.startswith("\ufeff".encode()) and b'"XK_XKBH"' in lic.splitlines()[0]
    gb = (city / "abnormal_operations.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")
    header = gb.decode("gb18030").splitlines()[0]
    assert "统一社会信用代码" in header and "列入日期" in header
    assert "年" in gb.decode("gb18030").splitlines()[1]  # dates as YYYY年M月D日
    assert (city / "subjects.csv").read_text(encoding="utf-8-sig").startswith('"统一社会信用代码"')
    lic_row = lic.decode("utf-8-sig").splitlines()[1].split('","')
    assert any(len(c) == 8 and c.isdigit() for c in lic_row)  # YYYYMMDD
    ev = pd.read_parquet(city / "evaluations.parquet")
    assert str(ev["eval_date"].dtype).startswith(("object", "date")) and ev["score"].dtype == float


def test_every_date_cell_parses_except_the_planted_bad_date(frames):
    bad = []
    for e in contract.ENTITIES:
        for c in e.columns:
            if c.type == contract.DATE and c.name in frames[e.name]:
                for v in frames[e.name][c.name].unique():
                    try:
                        parse_date(v)
                    except ValueError:
                        bad.append((e.name, c.name, v))
    assert bad == [("penalties", "decision_date", "2026/02/30")]
    spelled = frames["penalties"]["minor_first_offence"].unique().tolist()
    assert set(spelled) == {"是", "否", ""}
    assert set(frames["objections"]["concerns_grading"]) == {"1", "0"}
    assert "暂无" in set(frames["penalties"]["legal_rep"]) and "无" in set(frames["commitments"]["due_date"])


def test_history_is_sixty_months_ending_at_t_with_seasonality(frames):
    days = pd.to_datetime(frames["penalties"]["decision_date"], format="%Y/%m/%d", errors="coerce").dropna()
    assert days.min().date() >= dt.date(2021, 11, 1) and days.max().date() <= AS_OF
    assert (days.dt.date > T).sum() > 0  # decisions of the month after T already reported
    per_month = days.dt.to_period("M").value_counts()
    assert len(per_month) == 61
    feb = per_month[[p for p in per_month.index if p.month == 2]].mean()
    dec = per_month[[p for p in per_month.index if p.month == 12]].mean()
    assert feb < 0.75 * dec
    months = frames["city_scores"]["month"]
    assert months.min() == "2021-11" and months.max() == "2026-10" and len(months) == 60 * 13


def test_generation_is_deterministic_for_a_seed(tmp_path):
    a = demo.generate_drop(tmp_path / "a", scale="tiny", seed=7, as_of=dt.date(2026, 3, 15))
    b = demo.generate_drop(tmp_path / "b", scale="tiny", seed=7, as_of=dt.date(2026, 3, 15))
    c = demo.generate_drop(tmp_path / "c", scale="tiny", seed=8, as_of=dt.date(2026, 3, 15))
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir()) and len(files) == len(contract.ENTITIES)
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "penalties.csv").read_bytes() != (c / "penalties.csv").read_bytes()
    # Regenerating into the same folder replaces the files (one file per entity stays true).
    demo.generate_drop(a, scale="tiny", seed=7, as_of=dt.date(2026, 3, 15))
    assert sorted(p.name for p in a.iterdir()) == files


# ---------------------------------------------------------------- keys and identifiers


def test_keys_are_unique_except_the_planted_duplicate_and_missing_key(frames):
    for e in contract.ENTITIES:
        df = frames[e.name].copy()
        for col, fallback in e.fallbacks.items():
            df[col] = df[col].where(df[col] != "", df[fallback])
        key = df[list(e.key)]
        missing = key.eq("").any(axis=1)
        dup = key[~missing].duplicated(keep=False)
        if e.name == "penalties":
            assert missing.sum() == 1
            assert key[~missing][dup]["decision_no"].unique().tolist() == [
                c.record for c in demo.planted_cases(AS_OF) if c.note.startswith("one decision number twice")
            ]
        else:
            assert missing.sum() == 0 and dup.sum() == 0, e.name


def test_identifier_quality_is_high_but_not_perfect(frames):
    subjects = frames["subjects"]
    valid = subjects["uscc"].map(is_valid_uscc)
    assert 0.997 < valid.mean() < 1.0
    names_per_code = subjects.groupby("uscc")["name"].nunique()
    assert 1 <= (names_per_code > 1).sum() <= 30
    assert subjects["name"].is_unique
    kinds = subjects["uscc"].str[:2].value_counts(normalize=True)
    assert kinds["91"] > 0.5 and kinds["92"] > 0.2 and {"93", "11", "12", "13", "51", "31"} <= set(kinds.index)
    assert set(subjects["uscc"].str[2:8]) <= {
        "230400",
        "230402",
        "230403",
        "230404",
        "230405",
        "230406",
        "230407",
        "230421",
        "230422",
    }
    ids = pd.concat([frames["penalties"]["party_id_no"], frames["executees"]["party_id_no"]])
    ids = ids[ids != ""]
    assert set(ids.str[:4]) == {"2304"}
    assert 0.99 < ids.map(is_valid_resident_id).mean() < 1.0
    authority = frames["penalties"]["authority_uscc"]
    assert 0.99 < authority.map(is_valid_uscc).mean() < 1.0


def test_vectorised_identifiers_agree_with_the_reference_checks():
    rng = np.random.default_rng(1)
    charset = np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRTUWXY", dtype=np.uint8)
    org = charset[rng.integers(0, 31, (500, 8))]
    codes = matrix_strings(
        uscc_matrix(
            np.full((500, 2), [ord("9"), ord("1")], np.uint8),
            np.full((500, 6), np.frombuffer(b"230402", np.uint8)),
            org,
        )
    ).to_pylist()
    assert all(is_valid_uscc(c) for c in codes)
    birth = rng.integers(day_no(dt.date(1956, 1, 1)), day_no(dt.date(2004, 12, 31)), 500)
    ids = matrix_strings(
        id_matrix(np.full((500, 6), np.frombuffer(b"230403", np.uint8)), birth, rng.integers(0, 1000, 500))
    ).to_pylist()
    assert all(is_valid_resident_id(i) for i in ids)


def test_date_styles_format_each_value_as_strftime_would():
    rng = np.random.default_rng(0)
    days = rng.integers(-25_000, day_no(dt.date(9999, 9, 9)), 500)
    null = rng.random(500) < 0.1
    arr = pa.array(days.astype("int32"), pa.int32(), mask=null).cast(pa.date32())
    for style, fmt in (("iso", "%Y-%m-%d"), ("slash", "%Y/%m/%d"), ("compact", "%Y%m%d"), ("month_ym", "%Y-%m")):
        assert format_column(arr, Out("x", "x", style)).to_pylist() == pc.strftime(arr, format=fmt).to_pylist()
    cn = format_column(arr, Out("x", "x", "cn")).to_pylist()
    assert [v and dt.datetime.strptime(v, "%Y年%m月%d日").date() for v in cn] == arr.to_pylist()
    stamps = pa.array(days * 86400 + rng.integers(0, 86400, 500), pa.timestamp("s"), mask=null)
    assert (
        format_column(stamps, Out("x", "x", "datetime")).to_pylist()
        == pc.strftime(stamps, format="%Y-%m-%d %H:%M:%S").to_pylist()
    )
    assert format_column(pa.array([True, None, False]), Out("x", "x", "shifou", "暂无")).to_pylist() == [
        "是",
        "暂无",
        "否",
    ]


def test_calendar_and_month_arithmetic_follow_the_rules():
    assert add_months(dt.date(2022, 8, 31), -6) == dt.date(2022, 2, 28)
    assert month_end_before(dt.date(2026, 11, 29)) == T
    assert month_end_before(dt.date(2026, 10, 31)) == dt.date(2026, 9, 30)
    assert month_end_before(dt.date(2026, 3, 1)) == dt.date(2026, 2, 28)
    days = np.array([day_no(dt.date(2024, 1, 31)), day_no(dt.date(2024, 3, 31))])
    assert add_months_np(days, 1).tolist() == [day_no(dt.date(2024, 2, 29)), day_no(dt.date(2024, 4, 30))]
    cal = Calendar(dt.date(2023, 1, 1), dt.date(2026, 12, 31))
    starts = [dt.date(2024, 2, 8), dt.date(2025, 9, 30), dt.date(2026, 1, 30)]  # Spring Festival, National Day
    got = cal.add_workdays(np.array([day_no(d) for d in starts]), 5)
    assert got.tolist() == [day_no(add_workdays(d, 5)) for d in starts]


# ---------------------------------------------------------------- planted cases


def test_planted_rows_are_in_the_files(frames):
    plant = planted(T, AS_OF, demo.reference_departments())
    for entity, rows in plant.rows.items():
        e = contract.ENTITY_BY_NAME[entity]
        df = frames[entity]
        for row in rows:
            key_cols = [k for k in e.key if row.get(k) is not None] or list(e.fallbacks.values())
            match = df
            for k in key_cols:
                v = row[k]
                if isinstance(v, dt.date):
                    match = match[match[k].map(parse_date) == v]
                else:
                    match = match[match[k] == str(v)]
            assert len(match) >= 1, (entity, row)


def test_planted_cases_cover_every_warning_rule_on_both_sides(cases):
    by_rule = {}
    for c in cases:
        by_rule.setdefault(c.rule, set()).add(c.holds)
    for rule in ("W1", "W1b", "W1c", "W2", "W3", "W4", "W5", "I03", "I05", "I08", "I15"):
        assert by_rule.get(rule) in ({True, False}, {True}) and True in by_rule[rule], rule
    for rule in ("W1", "W1b", "W1c", "W2", "W3", "W4", "W5", "I05"):
        assert by_rule[rule] == {True, False}, rule
    assert sum(c.rule == "quarantine" for c in cases) == 4


def test_planted_boundaries_sit_exactly_on_their_dates(frames, cases):
    pen = frames["penalties"]
    lin = pen[pen["party_name"] == "鹤岗市鹤林木业有限公司"]["decision_date"].map(parse_date)
    assert add_months(T, -6) in set(lin)
    lic = frames["licenses"].set_index("party_name")
    assert parse_date(lic.loc["鹤岗市鹤乐超市有限公司", "valid_to"]) == dt.date(2026, 11, 30)
    assert parse_date(lic.loc["鹤岗市鹤康大药房有限公司", "valid_to"]) == dt.date(2026, 11, 29)
    assert lic.loc["鹤岗市鹤宁宾馆有限公司", "valid_to"] == "20991231"
    rep = frames["repairs"]
    refs = {c.subject: c.record for c in cases if c.rule == "W1b"}
    repaired = rep[rep["record_ref"] == refs["鹤岗市鹤瑞百货有限公司"]]
    assert repaired["decided_date"].map(parse_date).tolist() == [T + dt.timedelta(days=1)]
    loans = frames["loans"].set_index("loan_id")
    assert loans.loc["XYD9000003", "due_date"] == "2026-10-01" and loans.loc["XYD9000003", "buffer_days"] == "30"
    assert loans.loc["XYD9000005", "buffer_days"] == ""
    gov = frames["executees"].set_index("party_name")
    assert gov.loc["鹤岗市粮食局直属粮库", "uscc"].startswith("91") and is_valid_uscc(
        gov.loc["鹤岗市粮食局直属粮库", "uscc"]
    )
    assert gov.loc["萝北县名山镇人民政府", "uscc"] == ""


# ---------------------------------------------------------------- realism of the indicators


@pytest.fixture(scope="session")
def con(frames):
    con = duckdb.connect()
    for name, df in frames.items():
        con.register(name, df)
    yield con
    con.close()


def test_a_grade_taxpayer_share_is_just_below_target(con):
    share = con.execute("""
        WITH surv AS (SELECT DISTINCT uscc FROM subjects WHERE uscc LIKE '91%'
                      AND CAST(established_date AS DATE) <= DATE '2026-10-31'
                      AND (closed_date = '' OR CAST(closed_date AS DATE) > DATE '2026-10-31'))
        SELECT avg(CASE WHEN t.grade = 'A' THEN 1 ELSE 0 END)
        FROM surv LEFT JOIN tax_credit t ON t.uscc = surv.uscc AND t.year = '2025'""").fetchone()[0]
    assert 0.125 < share < 0.15


def test_reporting_rates_are_in_the_nineties_with_laggards(con):
    rows = con.execute("""
        WITH led AS (SELECT department, sum(CAST(decisions AS INT)) AS d FROM disclosure_ledger
                     WHERE kind = '行政处罚' AND strptime(month, '%Y年%m月') > DATE '2025-10-31'
                       AND strptime(month, '%Y年%m月') <= DATE '2026-10-31' GROUP BY 1),
             rec AS (SELECT source_unit AS department, count(*) AS n FROM penalties
                     WHERE decision_date > '2025/10/31' AND decision_date <= '2026/10/31' GROUP BY 1)
        SELECT department, n / d FROM rec JOIN led USING (department)""").fetchall()
    rates = dict(rows)
    assert len(rates) >= 20
    lagging = {d for d, r in rates.items() if r < 0.9}
    assert lagging == {"市城管局", "市林草局"}
    assert np.median(list(rates.values())) > 0.95


def test_collections_and_city_scores_look_like_a_mid_ranking_city(frames):
    col = frames["collections"]
    last12 = col[col["month"] > "2025-10"]
    assert last12.groupby("category").size().to_dict() == {
        "不动产": 12,
        "水费": 12,
        "燃气费": 11,
        "电费": 12,
        "科技研发": 12,
        "纳税": 12,
    }
    scores = frames["city_scores"]
    hegang = scores[scores["city"] == "鹤岗市"].set_index("month")["rank"].astype(int)
    assert 120 <= hegang["2026-10"] <= 180 and hegang["2026-10"] < hegang["2021-11"]
    assert scores.groupby("month")["rank_in_province"].apply(lambda s: sorted(s.astype(int))).map(len).eq(13).all()


# ---------------------------------------------------------------- CLI and a real load


def test_cli_writes_a_tiny_drop_even_when_as_of_is_a_sunday_the_first(tmp_path, capsys):
    # 2026-11-01 is a Sunday: the days after T are rest days only.
    assert main(["demo", "--scale", "tiny", "--seed", "3", "--out", str(tmp_path / "d"), "--as-of", "2026-11-01"]) == 0
    assert len(list((tmp_path / "d").iterdir())) == len(contract.ENTITIES)
    err = capsys.readouterr().err
    assert "截至 2026-10-31" in err and "penalties.csv" in err


def test_the_loader_takes_the_drop_and_the_rules_see_the_planted_cases(tmp_path, monkeypatch, capsys):
    settings = isolate(monkeypatch, tmp_path)
    drop = demo.generate_drop(tmp_path / "drop", scale="tiny", seed=42, as_of=AS_OF)
    outcome = loading.load_drop(settings, drop)
    assert outcome.status == "ok", outcome.error
    snapshot = next((settings.warehouse_dir / "snapshots").glob("*.duckdb"))
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        reasons = sorted(con.execute("SELECT entity, reason_code FROM quarantine").fetchall())
        flags = dict(con.execute("SELECT _flags, count(*) FROM stg_penalties WHERE _flags <> '' GROUP BY 1").fetchall())
    finally:
        con.close()
    assert reasons == [
        ("licenses", "bad_enum"),
        ("penalties", "bad_date"),
        ("penalties", "duplicate_key"),
        ("penalties", "missing_key"),
    ]
    assert {"authority_uscc_invalid", "uscc_invalid", "id_no_invalid", "date_order", "placeholder_date"} <= {
        f for key in flags for f in key.split(";")
    }
    capsys.readouterr()
    assert main(["warnings", "--as-of", T.isoformat()]) == 0
    found = {}
    for w in json.loads(capsys.readouterr().out):
        found.setdefault((w["warning_type"], w["subject_name"]), []).append(w)
    wrong = []
    for c in demo.planted_cases(AS_OF):
        if c.rule.startswith("W"):
            hits = [
                w
                for w in found.get((c.rule, c.subject), [])
                # the loader NFKC-normalises codes: a 案号 's （2026） reads (2026) in the warehouse
                if c.record is None or unicodedata.normalize("NFKC", c.record) in (w["anchor_records"] or [])
            ]
            if bool(hits) != c.holds:
                wrong.append(c)
    assert wrong == []
