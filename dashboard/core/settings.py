"""Settings as data: `dashboard/settings.toml` (or the file named by DASHBOARD_SETTINGS) loaded
into frozen dataclasses, and the runtime paths taken from the environment through one function.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_SETTINGS_FILE = PACKAGE_DIR / "settings.toml"
REFERENCE_DIR = PACKAGE_DIR / "reference"
QUERIES_DIR = PROJECT_DIR / "queries"


@dataclass(frozen=True)
class Windows:
    short_months: int
    short_min_decisions: int
    long_months: int
    long_min_decisions: int
    indicator_months: int
    licence_horizon_months: int
    trend_months: int


@dataclass(frozen=True)
class Publicity:
    minor_min_months: int
    minor_max_months: int
    general_min_months: int
    general_max_months: int
    serious_min_months: int
    serious_max_months: int
    default_severity: str
    placeholder_before: dt.date
    placeholder_from: dt.date


@dataclass(frozen=True)
class Grades:
    below_medium: tuple[str, ...]
    public_evaluation_name: str


@dataclass(frozen=True)
class Government:
    name_keywords: tuple[str, ...]
    name_exclusions: tuple[str, ...]
    uscc_kinds: tuple[str, ...]
    never_kinds: tuple[str, ...]


@dataclass(frozen=True)
class Sla:
    action_working_days: int
    objection_working_days: int
    grading_objection_working_days: int
    disclosure_working_days: int


@dataclass(frozen=True)
class IndicatorTarget:
    target: float
    tolerance: float


@dataclass(frozen=True)
class Warehouse:
    keep_snapshots: int
    stale_after_hours: float
    warning_months: int = 13


@dataclass(frozen=True)
class Access:
    """Sign-in protection of dashboard.access.auth / dashboard.access.users ([access] in settings.toml)."""

    max_failed_sign_ins: int = 5
    failure_window_minutes: int = 15
    lockout_minutes: int = 15
    idle_timeout_minutes: int = 30
    min_password_length: int = 10
    bcrypt_rounds: int = 12


@dataclass(frozen=True)
class Settings:
    """Every rule threshold of docs/rules.md §6 plus where the data lives."""

    windows: Windows
    publicity: Publicity
    grades: Grades
    government: Government
    default_buffer_days: int
    sla: Sla
    spotcheck_ratios: Mapping[str, float]
    routing: Mapping[str, str]
    indicator_targets: Mapping[str, IndicatorTarget]
    warehouse: Warehouse
    data_dir: Path = field(default=PROJECT_DIR / "data")
    opstore_url: str = ""
    access: Access = field(default_factory=Access)

    @classmethod
    def load(cls, path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings file (path, else $DASHBOARD_SETTINGS, else the shipped default) and
        the environment: DASHBOARD_DATA_DIR (default ./data), DASHBOARD_OPSTORE_URL
        (default SQLite file data/ops.sqlite)."""
        env = os.environ if env is None else env
        path = Path(path or env.get("DASHBOARD_SETTINGS") or DEFAULT_SETTINGS_FILE)
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        pub = dict(raw["publicity"])
        pub["placeholder_before"] = dt.date.fromisoformat(pub["placeholder_before"])
        pub["placeholder_from"] = dt.date.fromisoformat(pub["placeholder_from"])
        data_dir = Path(env.get("DASHBOARD_DATA_DIR") or PROJECT_DIR / "data").resolve()
        opstore_url = env.get("DASHBOARD_OPSTORE_URL") or f"sqlite:///{data_dir / 'ops.sqlite'}"
        return cls(
            windows=Windows(**raw["windows"]),
            publicity=Publicity(**pub),
            grades=Grades(
                below_medium=tuple(raw["grades"]["below_medium"]),
                public_evaluation_name=raw["grades"]["public_evaluation_name"],
            ),
            government=Government(**{k: tuple(v) for k, v in raw["government"].items()}),
            default_buffer_days=int(raw["loans"]["default_buffer_days"]),
            sla=Sla(**raw["sla"]),
            spotcheck_ratios=dict(raw["spotcheck"]),
            routing=dict(raw["routing"]),
            indicator_targets={
                k: IndicatorTarget(float(v["target"]), float(v["tolerance"])) for k, v in raw["indicators"].items()
            },
            warehouse=Warehouse(**raw["warehouse"]),
            data_dir=data_dir,
            opstore_url=opstore_url,
            access=Access(**raw.get("access", {})),
        )

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def demo_drop_dir(self) -> Path:
        """Where the generated demo drop lives (a load from it keeps the demo accounts)."""
        return self.data_dir / "drops" / "demo"


_cached: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    global _cached
    if _cached is None:
        _cached = Settings.load()
    return _cached
