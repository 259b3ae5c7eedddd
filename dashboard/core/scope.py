"""The viewer's access scope, passed to every query function (docs/rules.md P6; issue on access control).

A scope is deny-by-default data: which departments' rows the viewer may see (None = all, for the
credit office and leadership aggregates) and whether natural-person data may be shown unmasked.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    departments: frozenset[str] | None = frozenset()
    personal_data: bool = False

    @classmethod
    def all(cls, personal_data: bool = False) -> Scope:
        """Every department (credit office, leadership, CLI)."""
        return cls(departments=None, personal_data=personal_data)

    @classmethod
    def of(cls, *department_codes: str, personal_data: bool = False) -> Scope:
        return cls(departments=frozenset(department_codes), personal_data=personal_data)

    @property
    def sees_all(self) -> bool:
        return self.departments is None

    @property
    def department_list(self) -> list[str]:
        """Bound as a parameter in the scope filter; empty for 'all' (the filter checks sees_all)."""
        return sorted(self.departments or ())

    @property
    def cache_key(self) -> str:
        """A stable string for cache keys, so one viewer's results never reach another."""
        deps = "*" if self.departments is None else ",".join(sorted(self.departments))
        return f"{deps}|pd={int(self.personal_data)}"
