"""N2: the month's 通报 (.docx, PDF) and briefing deck (.pptx) read back, every number checked
against the query functions of that month — on the tiny demo (through the command line) and on the
hand-built warehouse of the page tests (with follow-up steps and a saved narrative). The PDF's pages
and the deck's slides are drawn as PNG under tests/artifacts/briefing/ to be looked at."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from pptx import Presentation

from dashboard.app import briefing_docs, page_queries
from dashboard.app.charts import target_text
from dashboard.cli.main import main
from dashboard.core import formatting as fmt
from dashboard.core.dates import add_months, month_end
from dashboard.core.scope import Scope
from dashboard.rules import briefing, followup, indicators, ranking
from dashboard.rules.credit_warnings import WARNING_TYPES
from dashboard.rules.reference import department_short_names
from dashboard.store import opstore, snapshots
from tests import pages_fixture
from tests.briefing_kit import (
    docx_text,
    numbers_in,
    pdf_fonts,
    pdf_pages_png,
    pdf_text,
    pptx_slides_text,
    slide_png,
)
from tests.loadkit import cli, isolate

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "briefing"
TODAY = dt.date(2026, 12, 6)


# ---- what the query functions say -----------------------------------------------------------------


def expected_of(con, engine, month: dt.date, settings) -> dict:
    """The figures of `month` straight from the query functions (not through rules.briefing)."""
    as_of = month_end(month)
    scope = Scope.all()
    now = indicators.indicators_at(con, as_of, scope, settings=settings)
    before = indicators.indicators_at(con, month_end(add_months(as_of, -1)), scope, settings=settings)
    previous = dict(zip(before["indicator_id"], before["value"]))
    indicator_rows = []
    for n, r in enumerate(now.itertuples(), start=1):
        change = None
        if not fmt.is_missing(r.value) and not fmt.is_missing(previous.get(r.indicator_id)):
            change = fmt.fmt_delta(float(r.value) - float(previous[r.indicator_id]), r.unit)
        indicator_rows.append(
            (
                str(n),
                f"{r.indicator_id} {r.name}",
                fmt.fmt_value(r.value, r.unit),
                target_text(r.target, r.direction, r.unit),
                fmt.STATUS_LABELS[r.status],
                change or fmt.MISSING,
            )
        )
    names = department_short_names(con)
    counts = followup.warning_counts(con, engine, as_of, scope, settings=settings)
    status = followup.warning_status(con, engine, as_of, scope, settings=settings)
    held = status[status["holds"].astype(bool)]
    medians = (
        pd.to_numeric(held["working_days_to_first_action"], errors="coerce")
        .groupby(held["department_code"].fillna(""))
        .median()
    )
    per_department = counts.assign(department_code=counts["department_code"].fillna("")).groupby("department_code")
    sums = per_department[["n_open", "n_acted", "n_overdue", "n_resolved"]].sum()
    warning_rows = set()
    for code, r in sums.iterrows():
        median = medians.get(code)
        warning_rows.add(
            (
                names.get(code, code) if code else "未对应单位",
                *(fmt.fmt_count(int(r[c])) for c in ("n_open", "n_acted", "n_overdue", "n_resolved")),
                fmt.MISSING if median is None or pd.isna(median) else fmt.fmt_count(median),
            )
        )
    matrix = set()
    types = [t for t in WARNING_TYPES if t in set(counts["warning_type"])]
    for code, r in sums.iterrows():
        mine = counts[counts["department_code"].fillna("") == code].set_index("warning_type")["n_open"]
        median = medians.get(code)
        matrix.add(
            (
                names.get(code, code) if code else "未对应单位",
                *(fmt.fmt_count(int(mine.get(t, 0))) for t in types),
                fmt.fmt_count(int(r["n_open"])),
                fmt.fmt_count(int(r["n_acted"])),
                fmt.fmt_count(int(r["n_overdue"])),
                fmt.MISSING if median is None or pd.isna(median) else fmt.fmt_count(median),
            )
        )
    named = ranking.named_departments(con, engine, as_of, scope, settings, today=TODAY)
    scores = indicators.city_scores(con, scope, end_month=as_of, months=settings.windows.trend_months)
    home = page_queries.home_city_latest(scores)
    tiles = page_queries.indicator_tiles(now, before)
    weakest = page_queries.weakest_indicators(tiles, names)
    all_days = pd.to_numeric(held["working_days_to_first_action"], errors="coerce").dropna()
    return {
        "indicator_rows": indicator_rows,
        "warning_rows": warning_rows,
        "matrix": matrix,
        "named": [(r.department_name, r.reasons) for r in named.itertuples()],
        "named_ranks": [str(r) for r in named["rank"]],
        "home": home,
        "scores": scores,
        "weakest": list(weakest["indicator_id"]),
        "weakest_departments": list(weakest["responsible_names"]),
        "totals": {
            "green": int((now["status"] == "green").sum()),
            "amber": int((now["status"] == "amber").sum()),
            "red": int((now["status"] == "red").sum()),
            "open": int(counts["n_open"].sum()),
            "acted": int(counts["n_acted"].sum()),
            "overdue": int(counts["n_overdue"].sum()),
            "resolved": int(counts["n_resolved"].sum()),
            "median": None if all_days.empty else fmt.fmt_count(all_days.median()),
        },
        "n_indicators": len(now),
    }


# ---- reading the files back -----------------------------------------------------------------------------


def _docx_tables(path: Path) -> list[list[tuple[str, ...]]]:
    return [[tuple(c.text for c in row.cells) for row in t.rows] for t in Document(str(path)).tables]


def _overview_phrases(expected: dict, month: dt.date) -> list[str]:
    t = expected["totals"]
    phrases = [
        f"本月{expected['n_indicators']}项监测指标中，达标{t['green']}项、临界{t['amber']}项、未达标{t['red']}项。",
        f"在办信用预警{fmt.fmt_count(t['open'])}条，其中已处置{fmt.fmt_count(t['acted'])}条、"
        f"超期未处置{fmt.fmt_count(t['overdue'])}条；本月已解除{fmt.fmt_count(t['resolved'])}条",
    ]
    if t["median"] is not None:
        phrases.append(f"首次处置中位用时{t['median']}个工作日")
    home = expected["home"]
    if home is not None and (home["month"].year, home["month"].month) == (month.year, month.month):
        phrases.append(f"综合信用指数为{home['score']:.2f}")
        if home["score_change"] is not None:
            delta = fmt.fmt_delta(home["score_change"], "count")
            phrases.append("，与上月持平" if delta == fmt.UNCHANGED else f"，较上月{delta}；")
        phrases.append(f"全国排名第{home['rank']}名")
        if home["rank_change"]:
            word = "下降" if home["rank_change"] > 0 else "上升"
            phrases.append(f"较上月{word}{abs(home['rank_change'])}位")
        rows = expected["scores"]
        same = rows[[(m.year, m.month) == (month.year, month.month) for m in pd.to_datetime(rows["month"]).dt.date]]
        phrases.append(f"{same['city'].nunique()}个城市中排名第{int(home['rank_in_province'])}名")
    return phrases


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_document(docx: Path, pdf: Path, expected: dict, month: dt.date, narrative: str) -> None:
    tables = _docx_tables(docx)
    assert tables[0][0] == ("序号", "指标", "本月值", "目标", "状态", "较上月")
    assert tables[0][1:] == expected["indicator_rows"]
    if expected["warning_rows"]:
        assert {row[1:] for row in tables[1][1:]} == expected["warning_rows"]
        assert [row[0] for row in tables[1][1:]] == [str(n) for n in range(1, len(tables[1]))]
    text = docx_text(docx)
    for phrase in _overview_phrases(expected, month):
        assert phrase in text, phrase
    section_four = text[text.index("四、工作推进不力单位") : text.index("五、下一步工作")]
    named_lines = re.findall(r"（[一二三四五六七八九十]+）(.+?)：(.+?)。\n", section_four)
    assert named_lines == [(name, reasons) for name, reasons in expected["named"]]
    assert narrative in text
    # every number of the body comes from the figures above (the head and foot hold 文号 and dates)
    body = text[text.index("一、总体情况") : text.index("五、下一步工作")]
    allowed = Counter()
    for source in (
        [c for row in expected["indicator_rows"] for c in row],
        [c for row in expected["warning_rows"] for c in row],
        [reasons for _, reasons in expected["named"]],
        _overview_phrases(expected, month),
        [f"{month.year}年{month.month}月", "一、二、三、四、"],
        [str(n) for n in range(1, len(tables[1]) if len(tables) > 1 else 1)],
    ):
        allowed.update(n for s in source for n in numbers_in(s))
    stray = [n for n in numbers_in(body) if n not in allowed]
    assert not stray, f"numbers in the 通报 that no query gave: {stray}"
    # the PDF says the same: every paragraph of the Word document, and every table row (a wrapped
    # cell's second line comes after its neighbours' first lines, so each cell is read on its own
    # within the stretch of text where its row begins)
    layout = pdf_text(pdf)
    pdf_flat = _squeeze(layout)
    for paragraph in Document(str(docx)).paragraphs:
        assert _squeeze(paragraph.text) in pdf_flat, paragraph.text
    for table in tables:
        for row in table:
            assert _row_in([_squeeze(c) for c in row], pdf_flat), row
    # …and no number is split across lines or lost: the same numbers, as many times
    assert Counter(numbers_in(text)) == Counter(numbers_in(layout))
    fonts = pdf_fonts(pdf)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert {name.split("+")[-1] for name, _ in fonts} == {"NotoSerifCJKSC", "NotoSerifCJKSCBold", "NotoSansCJKSCBold"}


def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def _row_in(cells: list[str], hay: str) -> bool:
    """Whether some stretch of `hay` that begins with the row's first cell holds every cell of the
    row as a subsequence."""
    head = cells[0] + cells[1][:3]
    length = sum(len(c) for c in cells)
    start = hay.find(head)
    while start >= 0:
        window = hay[start : start + 2 * length + 10]
        if all(_subsequence(c, window) for c in cells):
            return True
        start = hay.find(head, start + 1)
    return False


def check_deck(pptx: Path, expected: dict, snapshot_id: str) -> None:
    slides = pptx_slides_text(pptx)
    deck = Presentation(str(pptx))
    assert deck.slide_width * 9 == deck.slide_height * 16
    assert snapshot_id in slides[0]
    tables = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_table:
                tables.append([tuple(c.text for c in row.cells) for row in shape.table.rows])
    indicator_table = next(t for t in tables if t[0][:2] == ("序号", "指标"))
    assert indicator_table[1:] == expected["indicator_rows"]
    matrix_rows = {row for t in tables if t[0][0] == "责任单位" for row in t[1:]}
    assert matrix_rows == expected["matrix"]
    named_rows = [row for t in tables if t[0] == ("排名", "单位", "存在问题") for row in t[1:]]
    assert named_rows == [
        (rank, name, reasons) for rank, (name, reasons) in zip(expected["named_ranks"], expected["named"])
    ]
    weakest_slide = next(s for s in slides if "差距最大的三项指标" in s)
    for indicator_id, departments in zip(expected["weakest"], expected["weakest_departments"]):
        assert indicator_id in weakest_slide
        assert f"责任单位：{departments}" in weakest_slide
    home = expected["home"]
    if home is not None:
        assert f"综合信用指数 {home['score']:.2f}　全国第{home['rank']}名" in "\n".join(slides)
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 3


def save_artifacts(paths: list[Path], name: str) -> Path:
    folder = ARTIFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pdf = next(p for p in paths if p.suffix == ".pdf")
    pptx = next(p for p in paths if p.suffix == ".pptx")
    pages = pdf_pages_png(pdf, folder)
    assert pages
    for i in range(len(Presentation(str(pptx)).slides)):
        slide_png(pptx, i, folder / f"slide-{i + 1:02d}.png")
    for path in paths:
        shutil.copy(path, folder / path.name)
    return folder


# ---- the tests -------------------------------------------------------------------------------------------


def test_briefing_of_the_demo_month_from_the_command_line(monkeypatch, tmp_path):
    settings = isolate(monkeypatch, tmp_path)
    drop = tmp_path / "drop"
    assert main(["demo", "--scale", "tiny", "--out", str(drop), "--as-of", "2026-12-06"]) == 0
    assert main(["load", str(drop)]) == 0
    out = tmp_path / "out"
    future = cli("briefing", "--month", "2026-12", "--out", str(out))
    assert future.returncode == 2 and "2026年12月尚无完整数据，通报月份最晚为2026年11月" in future.stderr
    assert not out.exists()
    result = cli("briefing", "--month", "2026-11", "--out", str(out), timeout=300)
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert [p.suffix for p in paths] == [".docx", ".pdf", ".pptx"]
    assert all(p.is_file() and p.parent == out for p in paths)
    info = snapshots.current_snapshot(settings)
    con = snapshots.connect_readonly(info.path)
    try:
        expected = expected_of(con, opstore.get_engine(settings), dt.date(2026, 11, 1), settings)
    finally:
        con.close()
    month = dt.date(2026, 11, 30)
    check_document(paths[0], paths[1], expected, month, briefing.DEFAULT_NARRATIVE["next_steps"])
    check_deck(paths[2], expected, info.snapshot_id)
    save_artifacts(paths, "demo")


def test_briefing_of_the_hand_built_month_with_follow_up_and_narrative(pages_env, tmp_path):
    env = pages_env
    month = pages_fixture.AS_OF
    status = followup.warning_status(env.con, env.engine, month, Scope.all(), settings=env.settings)
    held = status[status["holds"].astype(bool)].reset_index(drop=True)
    assert len(held) >= 2
    first = held.iloc[0]
    followup.record_step(
        env.engine,
        first["warning_id"],
        "提示约谈",
        month - dt.timedelta(days=3),
        "约谈",
        "office",
        first["department_code"],
    )
    narrative = "请市税务局于下月10日前报送整改清单。"
    briefing.save_narrative(env.engine, month, {"next_steps": narrative, "overview_note": "总体平稳。"}, "office")
    b = briefing_docs.briefing_of(env.con, env.engine, month, env.settings, env.snapshot, today=TODAY)
    assert b.totals["n_acted"] == 1
    paths = briefing_docs.write_all(b, env.settings, tmp_path / "out", TODAY, "2026-12-06 10:00")
    expected = expected_of(env.con, env.engine, month, env.settings)
    assert expected["totals"]["acted"] == 1 and expected["totals"]["median"] is not None
    check_document(paths[0], paths[1], expected, month, narrative)
    assert "总体平稳。" in docx_text(paths[0])
    check_deck(paths[2], expected, env.snapshot.snapshot_id)
    save_artifacts(paths, "hand_built")
    again = briefing_docs.briefing_of(env.con, env.engine, month, env.settings, env.snapshot, today=TODAY)
    assert briefing_docs.document_blocks(again) == briefing_docs.document_blocks(b)


def test_the_document_head_follows_gb_t_9704(pages_env, tmp_path):
    b = briefing_docs.briefing_of(
        pages_env.con, pages_env.engine, pages_fixture.AS_OF, pages_env.settings, None, today=TODAY
    )
    path = tmp_path / "t.docx"
    path.write_bytes(briefing_docs.docx_bytes(b, pages_env.settings, TODAY))
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:4] == [
        "鹤岗市社会信用体系建设领导小组办公室文件",
        "鹤信用办通报〔2026〕6号",
        "关于2026年6月城市信用监测情况的通报",
        "各县（区）人民政府，市直各有关单位：",
    ]
    assert [t for t in texts if re.match(r"^[一二三四五]、", t)] == list(briefing_docs.SECTIONS)
    assert texts[-2:] == ["鹤岗市社会信用体系建设领导小组办公室", "2026年12月6日"]
    mark = doc.paragraphs[0].runs[0]
    assert str(mark.font.color.rgb) == "E60012"
    fonts = {
        r.element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        for p in doc.paragraphs
        for r in p.runs
    }
    assert {"方正小标宋简体", "黑体", "仿宋_GB2312"} <= fonts
    section = doc.sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)


def test_briefing_command_refuses_bad_input_in_chinese(monkeypatch, tmp_path):
    isolate(monkeypatch, tmp_path)
    bad = cli("briefing", "--month", "2026-13", "--out", str(tmp_path / "o"))
    assert bad.returncode == 2 and "月份须写作 YYYY-MM" in bad.stderr
    none = cli("briefing", "--month", "2026-11", "--out", str(tmp_path / "o"))
    assert none.returncode == 1 and "尚无已发布的数据快照" in none.stderr
    (tmp_path / "file").write_text("x")
    clash = cli("briefing", "--month", "2026-11", "--out", str(tmp_path / "file"))
    assert clash.returncode == 2 and "不是文件夹" in clash.stderr


def test_narrative_keeps_every_save_and_refuses_unknown_fields(store):
    month = dt.date(2026, 11, 30)
    assert briefing.narrative_of(store.engine, month) == briefing.DEFAULT_NARRATIVE
    briefing.save_narrative(store.engine, month, {"next_steps": "第一稿"}, "office")
    briefing.save_narrative(store.engine, month, {"next_steps": "第二稿"}, "office2")
    assert briefing.narrative_of(store.engine, month)["next_steps"] == "第二稿"
    assert briefing.narrative_of(store.engine, dt.date(2026, 10, 31)) == briefing.DEFAULT_NARRATIVE
    with pytest.raises(ValueError, match="未知的通报文字栏目"):
        briefing.save_narrative(store.engine, month, {"amount": "1"}, "office")


def test_cn_numbers_of_the_named_list():
    assert [briefing_docs.cn_number(n) for n in (1, 9, 10, 11, 20, 27, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十七",
        "九十九",
    ]
