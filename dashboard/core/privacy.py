"""Personal-data masking (docs/rules.md P6; 004 §(五) 12–13): natural-person names, resident ID numbers
and phone numbers are masked everywhere unless the viewer's scope grants personal data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

import pandas as pd

from dashboard.core.scope import Scope

# Compound surnames keep both characters (欧阳** rather than 欧***).
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "令狐",
        "夏侯",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "呼延",
    ]
)


@overload
def mask_id_no(value: str) -> str: ...
@overload
def mask_id_no(value: None) -> None: ...
def mask_id_no(value: str | None) -> str | None:
    """Keep the first 6 and last 4 characters: 230402********123X."""
    if value is None or pd.isna(value):
        return value
    text = str(value)
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_name(value: str | None) -> str | None:
    """Keep the surname: 张* , 欧阳**."""
    if value is None or pd.isna(value):
        return value
    text = str(value)
    keep = 2 if text[:2] in COMPOUND_SURNAMES and len(text) > 2 else 1
    return text[:keep] + "*" * max(len(text) - keep, 1)


def mask_phone(value: str | None) -> str | None:
    """Keep the first 3 and last 4 digits: 138****5678."""
    if value is None or pd.isna(value):
        return value
    text = str(value)
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


MASKERS = {"id_no": mask_id_no, "name": mask_name, "phone": mask_phone}


def mask_frame(
    frame: pd.DataFrame, scope: Scope, columns: dict[str, str], person_flag: str | None = None
) -> pd.DataFrame:
    """A copy of `frame` with personal columns masked unless `scope.personal_data`.

    `columns` maps column name → kind ('id_no', 'name', 'phone'). With `person_flag` (a boolean
    column, e.g. is_natural_person) only rows of natural persons are masked: organizations'
    names are public (P6), their legal representatives' ID numbers are not (mask those with no flag).
    """
    if scope.personal_data or frame.empty:
        return frame
    out = frame.copy()
    rows = out[person_flag].fillna(False).astype(bool) if person_flag else None
    for column, kind in columns.items():
        if column not in out.columns:
            continue
        masked = out[column].map(MASKERS[kind]).astype(object)
        out[column] = masked if rows is None else out[column].astype(object).where(~rows, masked)
    return out


def contains_unmasked(texts: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """The secrets (raw ID numbers, names) that appear in any of the texts — for tests and audits."""
    blob = "\n".join(texts)
    return [s for s in secrets if s and s in blob]
