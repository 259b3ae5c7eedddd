"""What 本单位工作台 (a department's home, pages/home.py) reads, cached like every page's data
(dashboard.app.ui.cached): the follow-up status of the viewer's warnings at T, the warnings that
held at T on the data of the load before (for 新增: the reading of reminder R1, docs/rules.md §7),
and the indicators' department breakdowns at the month of the monthly figures. Everything is
scoped to the viewer's departments by the query functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.app import ui
from dashboard.core.settings import get_settings
from dashboard.rules import credit_warnings, followup, indicators
from dashboard.store import snapshots


@dataclass(frozen=True)
class HomeInputs:
    status: pd.DataFrame  # followup.warning_status at T
    before: pd.DataFrame | None  # warnings_at(T) on the previous snapshot; None without one
    previous_built_at: dt.datetime | None  # when the previous snapshot was built
    catalogue: pd.DataFrame
    breakdowns: pd.DataFrame  # indicators.indicators_by_department at the monthly as-of


def home_inputs() -> HomeInputs:
    """The cached inputs of the home for this run's context (month, viewer's scope)."""
    ctx = ui.context()
    previous = snapshots.previous_snapshot_id(get_settings(), ctx.snapshot_id)
    before = None
    if previous is not None:
        before = ui.cached_for(previous, ctx.scope, credit_warnings.warnings_at, ctx.as_of)
    return HomeInputs(
        status=ui.cached(followup.warning_status, ctx.as_of, live=True),
        before=before,
        previous_built_at=snapshots.built_at(previous) if previous else None,
        catalogue=ui.cached(indicators.indicator_catalogue, scoped=False, con=False),
        breakdowns=ui.cached(indicators.indicators_by_department, ctx.monthly_as_of),
    )
