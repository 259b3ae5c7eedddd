"""The viewer's access scope, passed to every query function (docs/rules.md P6; issue on access control).

A scope is deny-by-default data: which departments' rows the viewer may see (None = all, for the
credit office and leadership aggregates), whether natural-person data may be shown unmasked, and
whether the viewer may read detail lists at all (`details`: False for leadership, who see
aggregates only — 004 §(五)12 最小化原则; the role's `details` in dashboard/roles.toml).

A query function that returns subject-level rows (a detail list: an indicator's records, warnings,
subjects, grades, quarantined records) calls `require_details(scope, what)` first, so the refusal
holds in the query layer whatever page or download asks. A function that reads such rows only to
return aggregates (counts per department, medians) reads them under `scope.for_aggregates()`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


class DetailsRefused(PermissionError):
    """A detail list asked for by a viewer whose scope grants aggregates only; the message is
    Chinese, for the screen."""


@dataclass(frozen=True)
class Scope:
    departments: frozenset[str] | None = frozenset()
    personal_data: bool = False
    details: bool = True

    @classmethod
    def all(cls, personal_data: bool = False, details: bool = True) -> Scope:
        """Every department (credit office, leadership, CLI)."""
        return cls(departments=None, personal_data=personal_data, details=details)

    @classmethod
    def of(cls, *department_codes: str, personal_data: bool = False, details: bool = True) -> Scope:
        return cls(departments=frozenset(department_codes), personal_data=personal_data, details=details)

    @property
    def sees_all(self) -> bool:
        return self.departments is None

    @property
    def department_list(self) -> list[str]:
        """Bound as a parameter in the scope filter; empty for 'all' (the filter checks sees_all)."""
        return sorted(self.departments or ())

    @property
    def cache_key(self) -> str:
        """A stable string for cache keys, so one viewer's results never reach another (an
        aggregates-only scope never gets a detail list another scope had computed)."""
        deps = "*" if self.departments is None else ",".join(sorted(self.departments))
        return f"{deps}|pd={int(self.personal_data)}" + ("" if self.details else "|agg")

    def for_aggregates(self) -> Scope:
        """This scope with detail rows allowed, for a query function that reads subject-level rows
        only to return aggregates (counts, medians per department or type): what it returns is
        what an aggregates-only viewer may see. Never hand such rows on to the caller."""
        return self if self.details else replace(self, details=True)


# What a page says where an aggregates-only viewer's drill stops.
AGGREGATES_ONLY = "领导视图仅显示汇总数据，明细清单由市信用办查看。"


def require_details(scope: Scope, what: str = "明细清单") -> None:
    """Raise DetailsRefused when `scope` grants aggregates only: every query function that returns
    subject-level rows calls this first (`what` names the list in the message)."""
    if not scope.details:
        raise DetailsRefused(f"领导视图仅显示汇总数据，不能查看{what}；明细清单由市信用办查看。")
