"""`bench all`'s correctness checks, on the page tests' tiny warehouse (tests/pages_fixture.py): every
rule it measures gives the same rows on DuckDB and on PostgreSQL (the copy of the tables made the
way the benchmark makes it, the SQL transpiled the way it transpiles it), the bare scan reads the
tables and columns the rule reads, and `bench all --skip load,pages --runs 1` prints one table
of the expected shape and writes its JSON and Markdown. No timing is asserted anywhere."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
import sqlglot
from sqlglot import exp

from dashboard.bench import all as all_bench
from dashboard.bench import postgres as bp
from dashboard.bench import scan
from dashboard.cli.main import main
from dashboard.core.settings import Settings
from dashboard.rules.credit_warnings import WARNING_QUERIES
from dashboard.rules.indicators import DETAIL_QUERIES, RULE_QUERIES
from dashboard.store.snapshots import connect_readonly
from tests.pages_fixture import AS_OF
from tests.pg_kit import unique_name

SETTINGS = Settings.load(env={})


@pytest.fixture
def tiny(pages_template, tmp_path):
    """A read-only connection to a private copy of the tiny warehouse, and its path."""
    path = tmp_path / "tiny.duckdb"
    shutil.copyfile(pages_template, path)
    con = connect_readonly(path)
    yield con, path
    con.close()


def test_the_measured_rules_are_every_indicator_and_warning_rule_file_and_every_detail_list():
    rules = bp.measured_rules(SETTINGS, AS_OF)
    assert [r.query for r in rules] == [*RULE_QUERIES, *WARNING_QUERIES.values(), *DETAIL_QUERIES.values()]
    n_files = len(RULE_QUERIES) + len(WARNING_QUERIES)
    assert [r.ids for r in rules][n_files - 7 : n_files] == [(w,) for w in ("W1", "W1b", "W1c", "W2", "W3", "W4", "W5")]
    assert [r.ids for r in rules][n_files:] == [(i,) for i in DETAIL_QUERIES]
    assert all(r.label.endswith("明细清单") for r in rules[n_files:])
    assert all(r.params["as_of"] == AS_OF for r in rules)
    assert all(r.label.startswith(r.ids[0]) and r.query not in r.label for r in rules)
    assert next(r.label for r in rules if r.ids == ("W5",)) == "W5 信易贷违约"


@pytest.mark.postgres
@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2026, 6, 15), dt.date(2026, 1, 31)], ids=str)
def test_every_measured_rule_gives_the_same_rows_on_postgresql(tiny, pg_url, as_of):
    con, path = tiny
    catalogue = scan.warehouse_catalogue(con)
    rules = bp.measured_rules(SETTINGS, as_of)
    reads = bp.rules_reads(rules, catalogue)
    copier = bp.PostgresCopy(pg_url, say=lambda _line: None)
    schema = unique_name("bench")
    try:
        info = copier.ensure(con, path, bp.all_reads(reads), catalogue, schema=schema)
        assert not info.reused and info.indexes > 0
        for table, n in info.rows.items():
            assert n == con.table(table).aggregate("count(*)").fetchall()[0][0], f"{table} copied incompletely"
        conn = bp.connect(pg_url, schema)
        try:
            non_empty = 0
            for rule in rules:
                duck = bp.run_duckdb_arrow(con, rule)
                got = bp.run_postgres(conn, rule, bp.pg_sql(rule.sql))
                assert bp.same_result(duck, got), f"{rule.query} differs on PostgreSQL at {as_of}"
                assert len(bp.run_duckdb_rows(con, rule)) == duck.num_rows == len(got)
                non_empty += duck.num_rows > 0 and not rule.label.endswith("明细清单")  # a detail list may be empty
            if as_of == AS_OF:  # the dataset's month-end: every rule file has rows to compare
                assert non_empty == len([r for r in rules if not r.label.endswith("明细清单")])
        finally:
            conn.close()
        # a second copy of the same snapshot into the same schema is found complete, not redone
        again = copier.ensure(con, path, bp.all_reads(reads), catalogue, schema=schema)
        assert again.reused and again.rows == info.rows
    finally:
        copier.drop(schema)


def test_copy_key_names_the_snapshot_and_what_is_copied(tiny):
    con, path = tiny
    catalogue = scan.warehouse_catalogue(con)
    reads = bp.all_reads(bp.rules_reads(bp.measured_rules(SETTINGS, AS_OF), catalogue))
    key = bp.copy_key(path.stem, reads, catalogue)
    assert key.startswith("bench_") and key == bp.copy_key(path.stem, reads, catalogue)
    assert key != bp.copy_key("another-snapshot", reads, catalogue)
    fewer = scan.Reads({t: c for t, c in reads.columns.items() if t != "loans"}, reads.filters)
    assert key != bp.copy_key(path.stem, fewer, catalogue)


def _tables_named(sql: str) -> set[str]:
    """The relations a statement names in FROM / JOIN, CTE names removed (a second way to list them)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table)} - ctes


def test_the_scan_reads_the_tables_each_rule_reads(tiny):
    con, _ = tiny
    catalogue = scan.warehouse_catalogue(con)
    for rule in bp.measured_rules(SETTINGS, AS_OF):
        reads = scan.query_reads(rule.sql, catalogue)
        assert set(reads.tables) == _tables_named(rule.sql), rule.query
        for table, columns in reads.columns.items():
            assert columns and set(columns) <= set(catalogue[table]), (rule.query, table)
            assert set(reads.filters.get(table, ())) <= set(columns)
        counts = scan.scan_once(con, reads, catalogue)
        assert counts == {t: con.table(t).aggregate("count(*)").fetchall()[0][0] for t in reads.tables}
        times = scan.scan_seconds(con, reads, catalogue, runs=2)
        assert len(times) == 2


def test_the_scan_follows_columns_through_ctes_to_their_table(tiny):
    con, _ = tiny
    catalogue = scan.warehouse_catalogue(con)
    sql = """
        WITH late AS (SELECT uscc, due_date FROM loans WHERE repaid_date IS NULL)
        SELECT late.uscc, s.subject_name, late.due_date
        FROM late INNER JOIN indicator_subjects AS s ON s.uscc = late.uscc
    """
    reads = scan.query_reads(sql, catalogue)
    assert reads.columns == {
        "indicator_subjects": ("subject_name", "uscc"),
        "loans": ("due_date", "repaid_date", "uscc"),
    }
    assert reads.filters == {"indicator_subjects": ("uscc",), "loans": ("repaid_date",)}
    assert scan.scan_sql("loans", ("due_date", "uscc"), catalogue) == (
        'SELECT count(*), min("due_date"), min("uscc") FROM "loans"'
    )
    with pytest.raises(ValueError):
        scan.scan_sql("loans; DROP TABLE loans", ("uscc",), catalogue)
    with pytest.raises(ValueError):
        scan.scan_sql("loans", ('uscc") FROM loans; --',), catalogue)


@pytest.mark.postgres
def test_bench_all_prints_one_table_of_medians_and_ratios(tiny, pg_url, tmp_path, capsys):
    _, path = tiny
    out_json, out_md = tmp_path / "bench.json", tmp_path / "benchmarks.md"
    out_md.write_text("# 基准\n\n说明保留。\n", encoding="utf-8")
    argv = ["bench", "all", "--skip", "load,pages", "--runs", "1", "--warehouse", str(path)]
    argv += ["--as-of", AS_OF.isoformat(), "--postgres-url", pg_url, "--json", str(out_json), "--markdown", str(out_md)]
    try:
        code = main(argv)
        data = json.loads(out_json.read_text(encoding="utf-8"))
    finally:
        if out_json.is_file():
            schema = json.loads(out_json.read_text(encoding="utf-8"))["details"]["postgres_copy"]["schema"]
            bp.PostgresCopy(pg_url).drop(schema)
    assert code in (0, 1)  # 1: some budget missed, which at this size says nothing
    printed = capsys.readouterr().out
    lines = printed.splitlines()

    # the heading: the machine, the versions, the load average at the start and the end
    for label in (
        "处理器：",
        "核数：",
        "内存：",
        "操作系统：",
        "Python：",
        "DuckDB：",
        "PostgreSQL：",
        "负载（1/5/15 分钟）：",
    ):
        assert any(line.startswith(label) for line in lines), label
    assert "开始" in printed and "结束" in printed and "未测：装载、页面" in printed

    # one table: the header, its rule, then one row per comparison, every row as wide as the header
    header = next(i for i, line in enumerate(lines) if line.startswith("项目"))
    for title in all_bench.HEADERS:
        assert title in lines[header]
    assert set(lines[header + 1].replace(" ", "")) == {"-"}
    body = lines[header + 2 : lines.index("", header)]
    rules = bp.measured_rules(SETTINGS, AS_OF)
    assert len(body) == 3 + 2 * len(rules)  # two rule sets + their sum; each rule vs PostgreSQL and vs scan
    for rule in rules:
        mine = [line for line in body if line.startswith(f"规则 {rule.label}（")]
        assert len(mine) == 2, rule.label
        assert "PostgreSQL" in mine[0] and "列扫描下限" in mine[1]
        assert "结果不一致" not in mine[0]
    assert all(line.rstrip()[-1] in "✓✗－" for line in body)
    assert any(line.startswith("全部监测指标（热）") and "pandas" in line for line in body)
    assert "PostgreSQL 与 DuckDB 的结果全部一致。" in printed

    # the JSON: every row with its runs, every rule's result equal on both engines
    assert data["results_equal"] is True and data["skip"] == ["load", "pages"]
    assert [r["cells"] for r in data["rows"]] == [[c.strip() for c in r["cells"]] for r in data["rows"]]
    assert len(data["rows"]) == len(body)
    assert [d["query"] for d in data["details"]["rules"]] == [r.query for r in rules]
    for d in data["details"]["rules"]:
        assert d["same"] and len(d["duckdb_arrow"]) == len(d["postgres"]) == len(d["scan"]) == 1
        assert d["rows"] == d["postgres_rows"]
    assert set(data["load_average"]) == {"开始", "结束"}

    # the Markdown: the section between the scale's markers, what was in the file kept
    text = out_md.read_text(encoding="utf-8")
    begin, end = all_bench.markers("city")
    assert text.startswith("# 基准\n\n说明保留。\n") and begin in text and end in text
    assert text.count("| " + " | ".join(all_bench.HEADERS) + " |") == 1


def test_a_second_markdown_run_replaces_its_scale_and_keeps_the_rest(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text("# 基准\n\n前言。\n", encoding="utf-8")

    def report(scale: str, item: str) -> all_bench.Report:
        r = all_bench.Report(all_bench.Plan(scale=scale, skip=frozenset({"load"})), {"处理器": "测试"})
        r.load_average = {"开始": (0.1, 0.2, 0.3), "结束": (0.2, 0.2, 0.3)}
        r.rows = [all_bench.Row(item, all_bench.Measure((0.5, 0.4, 0.6)), budget="< 1 秒", ok=True)]
        return r

    all_bench.write_markdown(report("city", "第一次"), path)
    all_bench.write_markdown(report("province", "省级"), path)
    all_bench.write_markdown(report("city", "第二次"), path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 基准\n\n前言。\n")
    assert "第一次" not in text and "第二次" in text and "省级" in text
    assert text.index("第二次") < text.index("省级")  # replaced in place
    assert "| 第二次 | 0.500 秒 | 0.400～0.600 秒 |" in text


def test_skip_names_only_known_parts():
    assert all_bench.parse_skip("load, pages") == {"load", "pages"}
    assert all_bench.parse_skip(None) == frozenset()
    with pytest.raises(all_bench.PlanError, match="参数错误"):
        all_bench.parse_skip("load,everything")
    assert main(["bench", "all", "--skip", "nothing"]) == 2
