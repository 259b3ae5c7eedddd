"""月度通报 page, the documents' part: the office writes the month's narrative (saved and audited),
the 生成 button computes the month on the live snapshot and keeps the 通报 (.docx, .pdf) and the deck
(.pptx) with the narrative in them (audited); regenerating on the same snapshot gives the same
figures; a leader may generate but not write the narrative."""

from __future__ import annotations

from dashboard.access import audit
from dashboard.rules import briefing
from dashboard.store import briefings
from tests.briefing_kit import docx_text
from tests.pages_fixture import AS_OF, MONTH, app, no_errors, texts

NARRATIVE = "请市税务局于下月10日前报送整改清单。"


def _generate(at):
    at.button(key="generate_briefing").click().run(timeout=180)
    no_errors(at)
    return at


def test_office_saves_the_narrative_and_generates_the_month(pages_env):
    at = app("office", "briefing", {"month": MONTH})
    no_errors(at)
    at.text_area(key="narrative_next_steps").input(NARRATIVE)
    at.text_area(key="narrative_overview_note").input("总体平稳。")
    at.button[[b.label for b in at.button].index("保存文字")].click().run()
    no_errors(at)
    assert "已保存。" in texts(at)
    assert briefing.narrative_of(pages_env.engine, AS_OF)["next_steps"] == NARRATIVE
    saved = audit.search(pages_env.engine, user="office", action="briefing_narrative_saved")
    assert len(saved) == 1 and MONTH in saved["detail"].iloc[0]

    _generate(at)
    files = briefings.kept_files(pages_env.engine, AS_OF)
    assert sorted(files["kind"]) == ["docx", "pdf", "pptx"]
    assert set(files["snapshot_id"]) == {pages_env.snapshot.snapshot_id}
    assert set(files["generated_by"]) == {"office"}
    assert "已生成 3 个文件" in texts(at)
    generated = audit.search(pages_env.engine, user="office", action="briefing_generated")
    assert len(generated) == 1
    first_id = int(files.loc[files["kind"] == "docx", "file_id"].iloc[0])
    kept, _ = briefings.read_kept(pages_env.engine, first_id)
    first_text = docx_text(kept.path)
    assert NARRATIVE in first_text and "总体平稳。" in first_text

    _generate(at)  # the same month on the same snapshot: a new file, the same document
    files = briefings.kept_files(pages_env.engine, AS_OF)
    assert len(files) == 6
    second_id = int(files.loc[files["kind"] == "docx", "file_id"].iloc[0])
    assert second_id != first_id
    again, _ = briefings.read_kept(pages_env.engine, second_id)
    assert docx_text(again.path) == first_text


def test_leader_generates_but_does_not_write_the_narrative(pages_env):
    at = app("leader", "briefing", {"month": MONTH})
    no_errors(at)
    assert not [t for t in at.text_area if t.key and t.key.startswith("narrative_")]
    assert "下一步工作" in texts(at)
    _generate(at)
    files = briefings.kept_files(pages_env.engine, AS_OF)
    assert sorted(files["kind"]) == ["docx", "pdf", "pptx"] and set(files["generated_by"]) == {"leader"}


def test_generating_on_the_page_tells_the_departments_that_the_briefing_is_out(pages_env):
    """R5: the office's generation on the page queues "the 通报 is published" once per month and
    channel (the scheduled draft does not); the next reminder run sends it."""
    from sqlalchemy import select

    from dashboard.notify import outbox

    outbox.save_channel(
        pages_env.engine, "credit_office", outbox.EMAIL, "信用办邮箱", "office", recipients="xyb@example.org"
    )
    at = app("office", "briefing", {"month": MONTH})
    _generate(at)
    _generate(at)  # generated again: the reminder is not queued twice
    with pages_env.engine.connect() as conn:
        rows = conn.execute(
            select(
                outbox.notify_deliveries.c.rule,
                outbox.notify_deliveries.c.department_code,
                outbox.notify_deliveries.c.period,
            )
        ).all()
    assert [tuple(r) for r in rows] == [("R5", "credit_office", MONTH)]
    assert "提醒已排入发送队列" in texts(at)
