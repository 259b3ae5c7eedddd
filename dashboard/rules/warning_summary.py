"""The credit warnings of a month as aggregates: what 总览, 责任单位 and 演示模式 show of them.

Every viewer may ask for these, leadership too, who see aggregates only (dashboard.core.scope:
detail lists are refused to them in the query layer). The warning rows are read under
`scope.for_aggregates()` and only counts and medians leave this module, so the department scope
still applies and no subject reaches the caller.

One evaluation of followup.warning_status gives every figure: the counts per department and
warning type (followup.counts_from_status, so the states are counted exactly as on 信用预警), the
median working days to first action per department, and the warnings first seen in the month by
type (本月新增).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd
from sqlalchemy import Engine

from dashboard.core.dates import month_end
from dashboard.core.scope import Scope
from dashboard.core.settings import Settings, get_settings
from dashboard.rules import followup
from dashboard.rules.credit_warnings import WARNING_TYPES
from dashboard.rules.reference import department_short_names
from dashboard.store.db import as_date

OPENED_COLUMNS = ["warning_type", "type_name", "n_warnings"]


@dataclass(frozen=True)
class WarningSummary:
    """counts: followup.warning_counts (per department and type: n_open, n_acted, n_overdue,
    n_resolved, median_working_days_to_first_action); median_days: department code → median
    working days from first appearance to first action of its holding warnings acted on (NaN
    when none); opened: warning_type, type_name, n_warnings — the warnings holding at T first
    seen in T's month, one row per type of WARNING_TYPES (zero where none)."""

    counts: pd.DataFrame
    median_days: pd.Series
    opened: pd.DataFrame

    def total(self, column: str) -> int:
        """A count summed over departments and types (n_open: 预警中, n_overdue: 超期未处置, …)."""
        if self.counts.empty:
            return 0
        return int(pd.to_numeric(self.counts[column], errors="coerce").fillna(0).sum())

    @property
    def n_opened(self) -> int:
        """Warnings first seen in the month (本月新增), all types."""
        return int(self.opened["n_warnings"].sum()) if not self.opened.empty else 0


def median_days_by_department(status: pd.DataFrame) -> pd.Series:
    """Department code → the median working days from first appearance to first action of the
    warnings holding at T (followup.warning_status rows with `holds`); NaN for a department whose
    holding warnings none was acted on; departments without holding warnings are absent."""
    if status.empty:
        return pd.Series(dtype="float64")
    holding = status[status["holds"].astype(bool)]
    days = pd.to_numeric(holding["working_days_to_first_action"], errors="coerce").astype("float64")
    return days.groupby(holding["department_code"]).median()


def opened_by_type(status: pd.DataFrame, as_of: dt.date, types: Mapping[str, str] = WARNING_TYPES) -> pd.DataFrame:
    """warning_type, type_name, n_warnings: of the warnings holding at `as_of` (warning_status
    rows with `holds`), those first seen in the month of `as_of`, one row per type of `types`."""
    if status.empty:
        counts: Mapping[str, int] = {}
    else:
        holding = status[status["holds"].astype(bool)]
        first = pd.to_datetime(holding["first_seen_month"]).dt.date
        counts = holding.loc[first == month_end(as_of), "warning_type"].value_counts().to_dict()
    return pd.DataFrame([(t, label, int(counts.get(t, 0))) for t, label in types.items()], columns=OPENED_COLUMNS)


def summary_from_status(status: pd.DataFrame, names: dict[str, str], as_of: dt.date | str) -> WarningSummary:
    """The WarningSummary of an already computed followup.warning_status frame (a page that holds
    the frame for its lists need not evaluate the warnings again)."""
    return WarningSummary(
        counts=followup.counts_from_status(status, names),
        median_days=median_days_by_department(status),
        opened=opened_by_type(status, as_date(as_of)),
    )


def warning_summary(
    con: duckdb.DuckDBPyConnection, engine: Engine, as_of: dt.date | str, scope: Scope, settings: Settings | None = None
) -> WarningSummary:
    """The warnings at `as_of` that the viewer's departments reach, as aggregates only (see the
    module doc); follow-up steps recorded up to `as_of` count."""
    settings = settings or get_settings()
    status = followup.warning_status(con, engine, as_of, scope.for_aggregates(), settings=settings)
    return summary_from_status(status, department_short_names(con), as_of)
