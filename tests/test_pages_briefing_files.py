"""月度通报's kept files under AppTest: the month's files listed newest first with who generated
them and the snapshot, each with its download (office and leadership; a department cannot open
the page)."""

from __future__ import annotations

import datetime as dt

from dashboard.app import ui
from dashboard.store import briefings
from tests.pages_fixture import AS_OF, MONTH, app, no_errors, texts


def test_kept_files_are_listed_with_their_downloads(pages_env):
    engine, settings = pages_env.engine, pages_env.settings
    at = app("office", page="briefing", params={"month": MONTH})
    no_errors(at)
    assert "2026年6月尚未生成通报文件。" in texts(at)
    first = dt.datetime(2026, 7, 2, 1, 0, tzinfo=dt.UTC)
    briefings.keep_file(engine, AS_OF, "snap-a", "docx", "2026年6月通报.docx", b"doc", "office", settings, at=first)
    briefings.keep_file(
        engine,
        AS_OF,
        "snap-b",
        "pptx",
        "2026年6月调度会.pptx",
        b"deck",
        "system:schedule",
        settings,
        at=first + dt.timedelta(days=1),
    )
    briefings.keep_file(engine, dt.date(2026, 5, 31), "snap-a", "pdf", "五月.pdf", b"pdf", "office", settings, at=first)
    for user in ("office", "leader"):
        at = app(user, page="briefing", params={"month": MONTH})
        no_errors(at)
        shown = texts(at)
        assert "共 2 个文件" in shown and "五月.pdf" not in shown
        assert shown.index("2026年6月调度会.pptx") < shown.index("2026年6月通报.docx")  # newest first
        assert "生成人 system:schedule" in shown and "snap-b" in shown
        assert len([b for b in at.get("download_button") if b.proto.label == "下载"]) == 2
    dep = app("tax_user", page="briefing", params={"month": MONTH})
    assert dep.session_state[ui.CONTEXT_KEY].page.key != "briefing"
