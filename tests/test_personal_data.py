"""Personal data (docs/rules.md P6; 004 §(五) 13): a natural person's ID number and name never appear
unmasked on any page or in any download for a role without the personal-data grant, and do
appear — with a personal_data_shown audit entry — for a role with it."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest
from streamlit.delta_generator import DeltaGenerator

from dashboard.access import audit
from dashboard.app import ui
from dashboard.core.privacy import contains_unmasked, mask_id_no, mask_name
from dashboard.core.scope import Scope
from dashboard.rules import indicators
from tests.access_kit import make_user, texts_of
from tests.pages_fixture import AS_OF, PERSON_ID, PERSON_NAME, app

SECRETS = [PERSON_ID, PERSON_NAME]
MONTH = {"month": "2026-06"}

# Every page, and the drill states that lead to the natural person's penalty (tax bureau, I12).
VISITS = [
    ("office", "cockpit", {}),
    ("office", "indicators", {"indicator": "I12"}),
    ("office", "indicators", {"indicator": "I12", "department": "tax"}),
    ("office", "indicators", {"indicator": "I04c", "department": "tax"}),
    ("office", "warnings", {"department": "tax"}),
    ("office", "departments", {"department": "tax"}),
    ("office", "subject", {"q": PERSON_NAME}),
    ("office", "grading", {}),
    ("office", "data_quality", {}),
    ("office", "data_status", {}),
    ("leader", "indicators", {"indicator": "I12", "department": "tax"}),
    ("tax_user", "indicators", {"indicator": "I12", "department": "tax"}),
    ("tax_user", "warnings", {}),
    ("admin1", "admin", {}),
]


def built(page: str) -> bool:
    return ui.PAGE_BY_KEY[page].path.is_file()


@pytest.fixture
def downloads(monkeypatch):
    """Every download button a run draws: (file name, data or the callable that builds it)."""
    drawn: list[tuple[str, object]] = []
    original = DeltaGenerator.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        drawn.append((file_name or label, data))
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return drawn


def file_text(name: str, payload: bytes) -> str:
    """The readable text of a download: CSV, XLSX (every cell), DOCX (every paragraph and cell)."""
    if name.endswith(".csv"):
        return payload.decode("utf-8-sig")
    if name.endswith(".xlsx"):
        sheets = pd.read_excel(io.BytesIO(payload), sheet_name=None, dtype=str)
        return "\n".join(frame.to_csv(index=False) + " ".join(map(str, frame.columns)) for frame in sheets.values())
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:  # docx and other zipped documents
        return "\n".join(archive.read(n).decode("utf-8", "ignore") for n in archive.namelist() if n.endswith(".xml"))


def built_downloads(drawn) -> dict[str, str]:
    out = {}
    for name, data in drawn:
        payload = data() if callable(data) else data
        payload = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        out[name] = file_text(name, payload)
    return out


@pytest.mark.parametrize(
    "user, page, params",
    [v for v in VISITS if built(v[1])],
    ids=[f"{u}-{p}-{'-'.join(q.values())}" for u, p, q in VISITS if built(p)],
)
def test_no_page_or_download_shows_a_natural_person_unmasked_without_the_grant(
    pages_env, downloads, user, page, params
):
    if user == "admin1":
        make_user(pages_env.engine, "admin1", "admin")
        audit.record(pages_env.engine, "office", "profile_viewed", {"party": PERSON_ID})  # the log is masked too
    at = app(user, page=page, params={**MONTH, **params})
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[ui.CONTEXT_KEY].page.key == page
    assert contains_unmasked(texts_of(at), SECRETS) == []
    files = built_downloads(downloads)
    assert contains_unmasked(files.values(), SECRETS) == [], list(files)
    assert audit.search(pages_env.engine, action="personal_data_shown").empty


def test_the_indicator_drill_shows_the_person_masked_then_unmasked_with_the_grant(pages_env, downloads):
    params = {**MONTH, "indicator": "I12", "department": "tax"}
    masked = app("office", page="indicators", params=params)
    shown = "\n".join(texts_of(masked))
    assert mask_name(PERSON_NAME) in shown and mask_id_no(PERSON_ID) in shown
    masked_files = built_downloads(downloads)
    assert any(mask_name(PERSON_NAME) in text and mask_id_no(PERSON_ID) in text for text in masked_files.values())
    downloads.clear()

    granted = app("office_pd", page="indicators", params=params)
    assert contains_unmasked(texts_of(granted), SECRETS) == SECRETS
    assert contains_unmasked(built_downloads(downloads).values(), SECRETS) == SECRETS
    entries = audit.search(pages_env.engine, user="office_pd", action="personal_data_shown")
    assert len(entries) >= 1 and entries["rows"].min() >= 1
    assert all(PERSON_ID not in d for d in audit.search(pages_env.engine)["detail"])


def test_query_functions_mask_unless_the_scope_grants(pages_env):
    for scope, unmasked in (
        (Scope.all(), False),
        (Scope.of("tax"), False),
        (Scope.all(personal_data=True), True),
        (Scope.of("tax", personal_data=True), True),
    ):
        rows = indicators.indicator_detail_rows(pages_env.con, "I12", AS_OF, scope)
        text = rows.astype(str).to_csv()
        assert contains_unmasked([text], SECRETS) == (SECRETS if unmasked else []), scope
        if not unmasked:
            assert mask_id_no(PERSON_ID) in text and mask_name(PERSON_NAME) in text


def test_audit_log_exports_never_carry_a_resident_id(pages_env):
    audit.record(pages_env.engine, "office_pd", "personal_data_shown", {"what": "I12", "id_no": PERSON_ID}, rows=1)
    frame = audit.display_frame(audit.search(pages_env.engine))
    for fmt in ("csv", "xlsx"):
        text = file_text(f"x.{fmt}", audit.export_bytes(frame, fmt))
        assert PERSON_ID not in text and mask_id_no(PERSON_ID) in text
    assert json.loads(audit.search(pages_env.engine).iloc[0]["detail"])["id_no"] == mask_id_no(PERSON_ID)
