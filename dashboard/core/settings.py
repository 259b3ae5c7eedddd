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
    # Shrink guard (dashboard.load.ingest.shrink): a full extract retiring more than this share of
    # an entity's current rows (or holding no row) is held until confirmed.
    max_retire_share: float = 0.5
    # A source value longer than this (bytes) quarantines its row (a CSV line over twice it is
    # rejected as it is read): one 10 MB field must not fail the whole entity (issue 11).
    max_field_bytes: int = 1_048_576
    # DuckDB's memory for a load (its buffer pool: what a statement holds beyond it spills to
    # temp_directory), the folder it spills to ("" = <data_dir>/tmp) and its worker threads
    # (0 = one per core) — applied to every connection a load or a check opens (issue 14).
    memory_limit: str = "3GB"
    temp_directory: str = ""
    threads: int = 0


@dataclass(frozen=True)
class Access:
    """Sign-in protection of dashboard.access.auth / dashboard.access.users ([access] in settings.toml)."""

    max_failed_sign_ins: int = 5
    failure_window_minutes: int = 15
    lockout_minutes: int = 15
    idle_timeout_minutes: int = 30
    min_password_length: int = 10
    bcrypt_rounds: int = 12
    # A session must sign in again this long after signing in, however active it is (issue 11).
    absolute_session_hours: float = 12
    # The session cookie always carries Secure (otherwise only when the request came over https).
    secure_cookie: bool = False


@dataclass(frozen=True)
class Audit:
    """Where the audit log's checkpoints and generated key live ([audit] in settings.toml; a relative
    path is inside the data folder). Both are outside the operational store on purpose."""

    anchor_file: str = "audit-anchor.log"
    key_file: str = "audit.key"


@dataclass(frozen=True)
class Feedback:
    """N0 monthly feedback ([feedback] in settings.toml): the day of month M+1 it is due by."""

    due_day: int = 20


@dataclass(frozen=True)
class Naming:
    """N1 departments named in the 通报 ([naming] in settings.toml): criterion (b) thresholds."""

    overdue_share: float = 0.5
    min_overdue: int = 5


@dataclass(frozen=True)
class Presentation:
    """Presentation mode ([presentation] in settings.toml): seconds per view when rotating (0 = off)."""

    rotate_seconds: int = 0


@dataclass(frozen=True)
class BriefingDocuments:
    """The 通报 and the deck ([briefing_documents] in settings.toml): the issuing office's words of
    the document's head and foot, and the browser that renders chart images."""

    issuer: str = "鹤岗市社会信用体系建设领导小组办公室"
    issuer_mark: str = "鹤岗市社会信用体系建设领导小组办公室文件"
    document_number: str = "鹤信用办通报〔{year}〕{month}号"
    recipients: str = "各县（区）人民政府，市直各有关单位："
    chart_browser: str = "/usr/bin/chromium"


@dataclass(frozen=True)
class Notify:
    """Reminders to departments ([notify] in settings.toml; docs/rules.md R1–R5)."""

    public_base_url: str = "http://localhost:8501"
    wecom_webhook_url: str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    dingtalk_webhook_url: str = "https://oapi.dingtalk.com/robot/send"
    wecom_per_minute: int = 20
    dingtalk_per_minute: int = 20
    email_per_minute: int = 60
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    mail_from: str = "xinyong@localhost"
    timeout_seconds: float = 10.0
    max_attempts: int = 4
    retry_base_seconds: float = 2.0
    quiet_start: str = "20:00"
    quiet_end: str = "08:00"
    working_days_only: bool = True
    overdue_time: str = "09:00"
    feedback_due_working_days: int = 3


@dataclass(frozen=True)
class Warm:
    """What a server computes in the background when it starts and when a snapshot is published
    ([warm] in settings.toml; dashboard.app.ui.warm_views)."""

    department_homes: int = 20
    tile_drills: bool = True
    tile_detail_lists: bool = True


@dataclass(frozen=True)
class Query:
    """How the query runner runs statements ([query] in settings.toml; dashboard.store.db): how
    long one may run (run_sql: past it the statement is stopped with a Chinese message; 0 = no
    limit; loads and rebuilds run without it) and how many of one computation run at once
    (run_queries)."""

    statement_seconds: float = 60
    # The queries of one computation that run at once (dashboard.store.db.run_queries), each on its
    # own cursor: while one result becomes a frame in Python, the next runs in DuckDB. 1 = one by one.
    parallel_queries: int = 2


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
    audit: Audit = field(default_factory=Audit)
    notify: Notify = field(default_factory=Notify)
    feedback: Feedback = field(default_factory=Feedback)
    naming: Naming = field(default_factory=Naming)
    presentation: Presentation = field(default_factory=Presentation)
    briefing_documents: BriefingDocuments = field(default_factory=BriefingDocuments)
    warm: Warm = field(default_factory=Warm)
    query: Query = field(default_factory=Query)

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
            audit=Audit(**raw.get("audit", {})),
            notify=Notify(**raw.get("notify", {})),
            feedback=Feedback(**raw.get("feedback", {})),
            naming=Naming(**raw.get("naming", {})),
            presentation=Presentation(**raw.get("presentation", {})),
            briefing_documents=BriefingDocuments(**raw.get("briefing_documents", {})),
            warm=Warm(**raw.get("warm", {})),
            query=Query(**raw.get("query", {})),
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
