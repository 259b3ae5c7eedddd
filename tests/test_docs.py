"""The project documents itself (docs/), and the documents agree with the code: the rules catalogue
(docs/rules.md) has an entry for every rule id a SQL file declares, and every SQL file, function and
test an entry names exists; the data-contract page (docs/data-contract.md) is exactly what
dashboard.core.contract_doc generates from the contract.

SQL files are found by scanning queries/**/*.sql for their `-- rule:` header, never by a fixed
path, so moving files between folders of queries/ does not break these tests.
"""

from __future__ import annotations

import csv
import importlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dashboard.core import contract_doc
from dashboard.core.settings import PROJECT_DIR, QUERIES_DIR, REFERENCE_DIR

RULES_DOC = PROJECT_DIR / "docs" / "rules.md"
CONTRACT_DOC = PROJECT_DIR / "docs" / "data-contract.md"
FIELDS = ("Source", "SQL", "Function", "Tests")

RULE_ID = r"(?:[IWPGNR]\d{1,2}[a-z]?|W-lifecycle)"
HEADING = re.compile(rf"^### (?P<ids>{RULE_ID}(?:, {RULE_ID})*) — (?P<title>\S.*)$")
FIELD = re.compile(rf"^- (?P<name>{'|'.join(FIELDS)}): (?P<value>.*)$")
TICKED = re.compile(r"`([^`]+)`")
# An id in a SQL header, possibly a range of plain ids: W1–W5 = W1, W2 … W5; P9–P11 = P9, P10, P11.
HEADER_ID = re.compile(r"\b([IWPGNR])(\d{1,2})([a-z]?)\b(?:\s*[–-]\s*\1?(\d{1,2})\b)?")


@dataclass
class Entry:
    ids: tuple[str, ...]
    title: str
    fields: dict[str, str] = field(default_factory=dict)

    def ticked(self, name: str) -> list[str]:
        return TICKED.findall(self.fields.get(name, ""))

    def is_none(self, name: str) -> bool:
        return self.fields.get(name, "").startswith("none")


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """The entries of docs/rules.md: a `### <ids> — <title>` heading and its field lines, up to
    the next heading (examples inside code fences are not entries)."""
    found: list[Entry] = []
    current: Entry | None = None
    in_fence = False
    for line in RULES_DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if line.startswith("#"):
            match = HEADING.match(line)
            current = Entry(tuple(match["ids"].split(", ")), match["title"]) if match else None
            if current is not None:
                found.append(current)
            continue
        match = FIELD.match(line)
        if current is not None and match:
            current.fields[match["name"]] = match["value"].strip()
    return tuple(found)


def entry_ids() -> dict[str, Entry]:
    return {i: e for e in entries() for i in e.ids}


def header_ids(text: str) -> set[str]:
    """Rule ids named by ranges or one by one in header text."""
    ids = set()
    for letter, first, sub, last in HEADER_ID.findall(text):
        if last and not sub:
            ids.update(f"{letter}{n:0{len(first)}d}" for n in range(int(first), int(last) + 1))
        else:
            ids.add(f"{letter}{first}{sub}")
    return ids


def rule_header(path: Path) -> str:
    """The `-- rule:` line of a SQL file with its indented continuation lines ('' without one)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("--"):
            break
        if line.startswith("-- rule:"):
            rest = [x for x in lines[i + 1 :] if x.startswith("--")]
            more = []
            for x in rest:
                if not re.match(r"^--\s{2,}\S", x):
                    break
                more.append(x)
            return "\n".join([line[len("-- rule:") :], *more])
    return ""


@lru_cache(maxsize=1)
def sql_files() -> tuple[Path, ...]:
    return tuple(sorted(QUERIES_DIR.rglob("*.sql")))


def declared_ids() -> dict[str, list[str]]:
    """Rule id → the SQL files (relative to the project) whose `-- rule:` header names it."""
    out: dict[str, list[str]] = {}
    for path in sql_files():
        for rule_id in header_ids(rule_header(path)):
            out.setdefault(rule_id, []).append(str(path.relative_to(PROJECT_DIR)))
    return out


def resolve_sql(ticked: str) -> Path | None:
    """The SQL file an entry names: its path, or — when it has moved to another folder of
    queries/ — the one file of that name under queries/."""
    path = PROJECT_DIR / ticked
    if path.is_file():
        return path
    same_name = [p for p in sql_files() if p.name == Path(ticked).name]
    return same_name[0] if len(same_name) == 1 else None


def _family(rule_id: str) -> str:
    """An indicator's sub-ids belong to it (I04a → I04); other ids stand alone."""
    return rule_id.rstrip("abcdefghijklmnopqrstuvwxyz") if rule_id.startswith("I") else rule_id


# ---- the rules catalogue -------------------------------------------------------------------------


def test_rules_doc_entries_have_every_field_and_unique_ids():
    assert len(entries()) >= 40, "docs/rules.md: entries not found (see its 'How to read' section)"
    problems, seen = [], {}
    for e in entries():
        for rule_id in e.ids:
            if rule_id in seen:
                problems.append(f"{rule_id}: two entries ({seen[rule_id]!r} and {e.title!r})")
            seen[rule_id] = e.title
        for name in FIELDS:
            value = e.fields.get(name)
            if not value:
                problems.append(f"{', '.join(e.ids)}: no '- {name}:' line")
            elif name != "Source" and not e.is_none(name) and not e.ticked(name):
                problems.append(f"{', '.join(e.ids)}: '- {name}:' names nothing in backticks (or say 'none — why')")
    assert not problems, "\n".join(problems)


def test_every_rule_id_of_a_sql_header_has_an_entry():
    declared = declared_ids()
    assert declared, "no `-- rule:` headers found under queries/"
    documented = entry_ids()
    missing = {i: files for i, files in sorted(declared.items()) if i not in documented}
    assert not missing, f"rule ids declared in queries/ without an entry in docs/rules.md: {missing}"


def test_every_indicator_and_warning_type_has_an_entry():
    from dashboard.rules.credit_warnings import WARNING_TYPES

    with open(REFERENCE_DIR / "indicators.csv", encoding="utf-8", newline="") as f:
        indicator_ids = [row["indicator_id"] for row in csv.DictReader(f)]
    documented = entry_ids()
    missing = [i for i in [*indicator_ids, *WARNING_TYPES] if i not in documented]
    assert not missing, f"no entry in docs/rules.md for {missing}"


def test_sql_files_named_exist_and_declare_the_rule():
    problems = []
    for e in entries():
        label = ", ".join(e.ids)
        for ticked in e.ticked("SQL"):
            if e.is_none("SQL"):  # "none — lives in `dashboard/…`": that path must exist
                if not (PROJECT_DIR / ticked).exists():
                    problems.append(f"{label}: {ticked} does not exist")
                continue
            if not (ticked.startswith("queries/") and ticked.endswith(".sql")):
                problems.append(f"{label}: {ticked} is not a file of queries/")
                continue
            path = resolve_sql(ticked)
            if path is None:
                problems.append(f"{label}: {ticked} not found under queries/")
                continue
            named = header_ids(rule_header(path))
            if not ({_family(i) for i in named} & {_family(i) for i in e.ids}):
                problems.append(f"{label}: {ticked} declares {sorted(named) or 'no rule'} in its header")
    assert not problems, "\n".join(problems)


def _resolve_function(dotted: str) -> object:
    """Import the longest importable module prefix of `dotted` and get the rest as attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)


def test_functions_named_exist():
    problems = []
    for e in entries():
        for dotted in e.ticked("Function"):
            try:
                obj = _resolve_function(dotted)
            except (ImportError, AttributeError) as exc:
                problems.append(f"{', '.join(e.ids)}: {dotted}: {type(exc).__name__}: {exc}")
                continue
            if not callable(obj):
                problems.append(f"{', '.join(e.ids)}: {dotted} is not callable")
    assert not problems, "\n".join(problems)


def test_tests_named_exist():
    problems = []
    for e in entries():
        for ticked in e.ticked("Tests"):
            file_part, _, test_name = ticked.partition("::")
            path = PROJECT_DIR / file_part
            if not (file_part.startswith("tests/") and path.is_file()):
                problems.append(f"{', '.join(e.ids)}: {file_part} is not a file of tests/")
                continue
            text = path.read_text(encoding="utf-8")
            if test_name and not re.search(rf"^\s*def {re.escape(test_name)}\(", text, flags=re.MULTILINE):
                problems.append(f"{', '.join(e.ids)}: {file_part} has no test function {test_name}")
    assert not problems, "\n".join(problems)


# ---- the data contract ---------------------------------------------------------------------------


def test_data_contract_doc_is_current():
    expected = contract_doc.contract_markdown()
    actual = CONTRACT_DOC.read_text(encoding="utf-8") if CONTRACT_DOC.is_file() else ""
    assert actual == expected, f"docs/data-contract.md is out of date: run `{contract_doc.COMMAND}`"


def test_contract_doc_command_writes_utf8_whatever_the_locale():
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"}
    out = subprocess.run(
        [sys.executable, "-m", "dashboard.core.contract_doc"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    assert out.decode("utf-8") == contract_doc.contract_markdown()


def test_contract_doc_notes_name_real_columns():
    bad = dict(contract_doc.COLUMN_NOTES)
    bad[("penalties", "no_such_column")] = "a remark on nothing"
    try:
        contract_doc.contract_markdown(notes=bad)
    except ValueError as exc:
        assert "no_such_column" in str(exc)
    else:
        raise AssertionError("a note on an unknown column must be refused")
