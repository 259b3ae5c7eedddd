"""One word per concept (dashboard.core.glossary): no rejected synonym in the text that pages/ and
dashboard/app/ can put on screen, and the glossary itself is consistent."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dashboard.core import glossary
from dashboard.core.settings import PROJECT_DIR

SCREEN_SOURCES = sorted([*(PROJECT_DIR / "pages").glob("*.py"), *(PROJECT_DIR / "dashboard" / "app").glob("*.py")])


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (never on screen)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def screen_texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal of a module that is not a docstring: what the module can
    put on screen (labels, messages, f-string parts)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def test_the_glossary_names_each_concept_once():
    terms = [t.term for t in glossary.TERMS]
    assert len(terms) == len(set(terms))
    rejected = [w for t in glossary.TERMS for w in t.rejected]
    assert len(rejected) == len(set(rejected)), "a rejected word belongs to one term"
    for t in glossary.TERMS:
        assert t.term not in t.rejected
        # a rejected word must not be (part of) any term: the scan below would reject the term itself
        assert not any(w in term for w in t.rejected for term in terms), t


@pytest.mark.parametrize("path", SCREEN_SOURCES, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_no_rejected_synonym_reaches_the_screen(path):
    found = [
        f"{path.relative_to(PROJECT_DIR)}:{line}: “{word}” → “{glossary.REJECTED[word]}”"
        for line, text in screen_texts(path)
        for word in glossary.REJECTED
        if word in text
    ]
    assert not found, "\n".join(found)


def test_the_scan_sees_labels_and_messages_but_not_docstrings(tmp_path):
    module = tmp_path / "page.py"
    module.write_text(
        '"""信用画像 in a docstring is not on screen."""\n'
        "def f(n):\n"
        '    """nor here: 未映射部门"""\n'
        '    return f"共 {n} 个信用画像"\n',
        encoding="utf-8",
    )
    assert [text for _, text in screen_texts(module)] == ["共 ", " 个信用画像"]
