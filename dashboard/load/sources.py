"""Named load sources (sources.toml): drop folders and databases, each with its load modes and
its schedule. See sources.example.toml for the format and the README (Loading data) for how it is used.

The file is $DASHBOARD_SOURCES, else sources.toml in the project folder. A database URL is never
written in the file: the source names the environment variable that holds it (`url_env`), and the
URL goes no further than the ingest layer (never into run records, messages or logs).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from croniter import croniter

from dashboard.core import contract
from dashboard.core.settings import PROJECT_DIR
from dashboard.load.ingest import NO_OPTIONS, EntitySource, SourceOptions, find_drop_sources

MODES = ("full", "incremental")
KINDS = ("drop", "sql")
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


class SourcesError(ValueError):
    """The sources file is wrong; the message (Chinese) says where and how."""


@dataclass(frozen=True)
class Schedule:
    """When the scheduler loads a source: a cron expression (server local time), and how often and
    how patiently to retry when its database cannot be reached (delay doubles each attempt)."""

    cron: str
    retries: int = 3
    backoff_seconds: float = 60.0
    max_backoff_seconds: float = 3600.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)


@dataclass(frozen=True)
class SqlEntity:
    entity: str
    table: str | None = None
    query: str | None = None
    mode: str | None = None


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    mode: str = "full"
    path: Path | None = None  # drop
    modes: Mapping[str, str] = field(default_factory=dict)  # drop: per-entity overrides
    url_env: str | None = None  # sql
    entities: Mapping[str, SqlEntity] = field(default_factory=dict)  # sql
    schedule: Schedule | None = None
    # per entity: header overrides, constant columns, value maps, file-name patterns (drop)
    options: Mapping[str, SourceOptions] = field(default_factory=dict)

    def mode_for(self, entity: str) -> str:
        if self.kind == "sql" and entity in self.entities and (mode := self.entities[entity].mode):
            return mode
        return self.modes.get(entity, self.mode)

    def entity_sources(self, env: Mapping[str, str] | None = None) -> list:
        """The ingest EntitySources of this source, in contract order. A drop folder is read as it
        is now; a database source needs its URL in the environment."""
        if self.kind == "drop":
            if self.path is None or not self.path.is_dir():
                raise SourcesError(f"数据源 {self.name}：目录 {self.path} 不存在")
            return find_drop_sources(self.path, self.options)
        env = os.environ if env is None else env
        url = env.get(self.url_env or "")
        if not url:
            raise SourcesError(f"数据源 {self.name}：环境变量 {self.url_env} 未设置（数据库连接串只从环境变量读取）")
        order = [e.name for e in contract.ENTITIES]
        out = []
        for name in sorted(self.entities, key=order.index):
            spec = self.entities[name]
            label = f"db:{spec.table}" if spec.table else f"db:query:{name}"
            out.append(
                EntitySource(
                    entity=name,
                    kind="sql",
                    url=url,
                    table=spec.table,
                    query=spec.query,
                    label=label,
                    options=self.options.get(name, NO_OPTIONS),
                )
            )
        return out


def sources_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("DASHBOARD_SOURCES") or PROJECT_DIR / "sources.toml")


def load_sources(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> dict[str, SourceConfig]:
    """Read and validate the sources file; no file means no named sources."""
    path = Path(path) if path else sources_path(env)
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path.name} 不是有效的 TOML：{exc}") from None
    return parse_sources(raw, base_dir=path.parent)


def _mode(value: Any, where: str) -> str:
    if value not in MODES:
        raise SourcesError(f"{where}：mode 须为 full 或 incremental，而不是 {value!r}")
    return value


def _entity(name: str, where: str) -> str:
    if name not in contract.ENTITY_BY_NAME:
        raise SourcesError(f"{where}：未知实体 {name!r}（可用：{'、'.join(contract.ENTITY_BY_NAME)}）")
    return name


def _schedule(raw: Any, where: str) -> Schedule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "cron" not in raw:
        raise SourcesError(f"{where}：schedule 须包含 cron")
    cron = str(raw["cron"])
    if not croniter.is_valid(cron):
        raise SourcesError(f"{where}：cron 表达式无效：{cron!r}")
    try:
        sched = Schedule(
            cron=cron,
            retries=int(raw.get("retries", 3)),
            backoff_seconds=float(raw.get("backoff_seconds", 60)),
            max_backoff_seconds=float(raw.get("max_backoff_seconds", 3600)),
        )
    except (TypeError, ValueError):
        raise SourcesError(f"{where}：retries / backoff_seconds 须为数字") from None
    if sched.retries < 0 or sched.backoff_seconds < 0:
        raise SourcesError(f"{where}：retries / backoff_seconds 不能为负数")
    return sched


OPTION_KEYS = ("headers", "constants", "values", "files")


def _text(value: Any) -> str | None:
    """A TOML scalar as the text a file would carry (true → "true", 2023 → "2023")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _options(entity: str, spec: Mapping[str, Any], where: str) -> SourceOptions:
    """Validate one entity's headers / constants / values / files; errors name the key."""
    columns = contract.ENTITY_BY_NAME[entity].column_names
    known = "、".join(columns)
    headers: dict[str, str] = {}
    raw_headers = spec.get("headers", {})
    if not isinstance(raw_headers, dict):
        raise SourcesError(f"{where}.headers：须为一个表（源表头 = 标准列名）")
    for header, column in raw_headers.items():
        if column not in columns:
            raise SourcesError(f"{where}.headers.{header}：{column!r} 不是 {entity} 的列（可用：{known}）")
        headers[str(header)] = column
    constants: dict[str, str] = {}
    raw_constants = spec.get("constants", {})
    if not isinstance(raw_constants, dict):
        raise SourcesError(f"{where}.constants：须为一个表（标准列名 = 取值）")
    for column, value in raw_constants.items():
        if column not in columns:
            raise SourcesError(f"{where}.constants.{column}：不是 {entity} 的列（可用：{known}）")
        text = _text(value)
        if text is None:
            raise SourcesError(f"{where}.constants.{column}：取值须为文字、数字或 true/false")
        enum = contract.ENTITY_BY_NAME[entity].column(column).enum
        if enum is not None and contract.normalize_header(text) not in {contract.normalize_header(k) for k in enum}:
            raise SourcesError(
                f"{where}.constants.{column}：{text!r} 不是允许的取值（可用：{'、'.join(sorted(set(enum.values())))}）"
            )
        constants[column] = text
    values: dict[str, dict[str, str]] = {}
    raw_values = spec.get("values", {})
    if not isinstance(raw_values, dict):
        raise SourcesError(f"{where}.values：须为一个表（标准列名 = {{ 源取值 = 标准取值 }}）")
    for column, mapping in raw_values.items():
        if column not in columns:
            raise SourcesError(f"{where}.values.{column}：不是 {entity} 的列（可用：{known}）")
        if not isinstance(mapping, dict) or not mapping:
            raise SourcesError(f"{where}.values.{column}：须为一个非空的表（源取值 = 标准取值）")
        enum = contract.ENTITY_BY_NAME[entity].column(column).enum
        allowed = set(enum.values()) if enum is not None else None
        out: dict[str, str] = {}
        for spelling, value in mapping.items():
            text = _text(value)
            if text is None or (allowed is not None and text not in allowed):
                choices = f"（可用：{'、'.join(sorted(allowed))}）" if allowed else ""
                raise SourcesError(f"{where}.values.{column}.{spelling}：{value!r} 不是允许的取值{choices}")
            out[str(spelling)] = text
        values[column] = out
    files = spec.get("files", [])
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) and f.strip() for f in files):
        raise SourcesError(f'{where}.files：须为文件名模式的列表，例如 ["行政处罚信息_*.xlsx"]')
    if any("/" in f or "\\" in f for f in files):
        raise SourcesError(f"{where}.files：文件名模式不能包含目录（只匹配数据目录中的文件名）")
    return SourceOptions(headers=headers, constants=constants, values=values, files=tuple(files))


def parse_sources(raw: Mapping[str, Any], base_dir: Path) -> dict[str, SourceConfig]:
    """Validate the parsed file; relative drop paths are taken from `base_dir` (the file's folder)."""
    out: dict[str, SourceConfig] = {}
    for name, spec in (raw.get("sources") or {}).items():
        where = f"数据源 {name}"
        if not _NAME.match(name):
            raise SourcesError(f"{where}：名称只能包含字母、数字、下划线和连字符")
        if not isinstance(spec, dict):
            raise SourcesError(f"{where}：须为一个表（[sources.{name}]）")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise SourcesError(f"{where}：kind 须为 drop 或 sql，而不是 {kind!r}")
        if "url" in spec:
            raise SourcesError(f"{where}：连接串不得写在配置文件中，请用 url_env 指定环境变量名")
        mode = _mode(spec.get("mode", "full"), where)
        schedule = _schedule(spec.get("schedule"), where)
        raw_entities = spec.get("entities") or {}
        if not isinstance(raw_entities, dict):
            raise SourcesError(f"{where}.entities：须为一个表（[sources.{name}.entities.<实体>]）")
        options = {}
        for ent, espec in raw_entities.items():
            ewhere = f"{where}.entities.{_entity(ent, where)}"
            if not isinstance(espec, dict):
                raise SourcesError(f"{ewhere}：须为一个表")
            allowed = (*OPTION_KEYS, "mode") if kind == "drop" else (*OPTION_KEYS[:3], "table", "query", "mode")
            unknown = sorted(set(espec) - set(allowed))
            if unknown:
                raise SourcesError(f"{ewhere}.{unknown[0]}：未知的配置项（可用：{'、'.join(allowed)}）")
            options[ent] = _options(ent, espec, ewhere)
        if kind == "drop":
            if not spec.get("path"):
                raise SourcesError(f"{where}：缺少 path（数据目录）")
            modes = {_entity(e, where): _mode(m, f"{where}.{e}") for e, m in (spec.get("modes") or {}).items()}
            for ent, espec in raw_entities.items():
                if "mode" in espec:
                    modes[ent] = _mode(espec["mode"], f"{where}.entities.{ent}")
            out[name] = SourceConfig(
                name,
                kind,
                mode=mode,
                path=(base_dir / spec["path"]).resolve(),
                modes=modes,
                schedule=schedule,
                options=options,
            )
            continue
        url_env = spec.get("url_env")
        if not url_env or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(url_env)):
            raise SourcesError(f"{where}：缺少 url_env（保存连接串的环境变量名）")
        entities = {}
        for ent, espec in (spec.get("entities") or {}).items():
            ewhere = f"{where}.{_entity(ent, where)}"
            table, query = espec.get("table"), espec.get("query")
            if bool(table) == bool(query):
                raise SourcesError(f"{ewhere}：须且只能指定 table 或 query 之一")
            if table and not _TABLE.match(table):
                raise SourcesError(f"{ewhere}：表名无效：{table!r}")
            if query and not re.match(r"^\s*(select|with)\b", query, re.IGNORECASE):
                raise SourcesError(f"{ewhere}：query 须为 SELECT 查询")
            emode = _mode(espec["mode"], ewhere) if "mode" in espec else None
            entities[ent] = SqlEntity(ent, table=table, query=query, mode=emode)
        if not entities:
            raise SourcesError(f"{where}：没有配置任何实体（[sources.{name}.entities.<实体>]）")
        out[name] = SourceConfig(
            name, kind, mode=mode, url_env=url_env, entities=entities, schedule=schedule, options=options
        )
    return out
