"""Declare, don't scatter (fast tier, no warehouse): above observatoire/ — in presentation/, charts/, exports/,
ui/ and pages/ — no vocabulary label is typed as a string literal, and no colour is typed (`#rrggbb` or an
RGB tuple): they come from catalogue/vocabulary.yaml through observatoire/vocabulary.py, like the no-SQL
check of test_architecture.py. Each check has a guard proving it can fail.
"""
from __future__ import annotations

import ast
import re

from observatoire import vocabulary

from .test_architecture import python_sources

FOLDERS = ("presentation", "charts", "exports", "ui", "pages")
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")
# Vocabulary words that are also plain words of the code with another meaning, each with its reason.
COMMON_WORDS = {
    "oui", "non",            # yes/no of any boolean cell (presentation.text.cell_text), not the QPV answer
    "lecture",               # « Lecture » (how to read a sheet), not the role
}
_TRIM = " \t\n:;,.()«»—-–/·"
_IDENTIFIER = re.compile(r"^[a-z0-9_]+$")     # codes, keys and column names of the code: not labels


def vocabulary_words() -> dict[str, str]:
    """{lower-cased word: "kind.code"} of every label, short label, plural and placeholder of the vocabulary (not the
    sentence patterns, whose holes make them no literal of the code)."""
    out = {}
    for kind in vocabulary.KINDS:
        for code, t in vocabulary.terms(kind).items():
            for key in ("label", "short", "plural", "placeholder"):
                word = str(t.get(key) or "").strip()
                if word and "{" not in word and word.lower() not in COMMON_WORDS:
                    out.setdefault(word.lower(), f"{kind}.{code}")
    return out


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _strings(tree):
    """(line, text) of every string literal and every constant part of an f-string, docstrings left out."""
    skip = _docstrings(tree)
    parts = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts |= {id(v) for v in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value, id(node) in parts


def _rgb_tuples(tree):
    """Lines of RGB triples: a tuple of three integers 0-255, or three integer arguments of a *color* call."""
    for node in ast.walk(tree):
        triple = None
        if isinstance(node, ast.Tuple) and len(node.elts) == 3:
            triple = node.elts
        elif isinstance(node, ast.Call) and len(node.args) == 3 and "colo" in ast.unparse(node.func).lower():
            triple = node.args
        if triple and all(isinstance(e, ast.Constant) and type(e.value) is int and 0 <= e.value <= 255
                          for e in triple):
            yield node.lineno


def _is_label(value: str, words: dict[str, str]) -> str | None:
    """The vocabulary entry a literal spells (case aside), unless it is an identifier (a code, a key)."""
    word = value.strip(_TRIM)
    if not word or _IDENTIFIER.match(word):
        return None
    return words.get(word.lower())


def offenders(modules: list[tuple[str, str]], words: dict[str, str]) -> list[str]:
    """« file:line: what » for every label literal, hex colour and RGB triple of the given (path, source)."""
    out = []
    for rel, source in modules:
        tree = ast.parse(source, filename=rel)
        for line, value, in_fstring in _strings(tree):
            for colour in HEX.findall(value):
                out.append(f"{rel}:{line}: couleur {colour}")
            entry = _is_label(value, words)
            if entry:
                out.append(f"{rel}:{line}: libellé « {value.strip()} » ({entry})")
        out += [f"{rel}:{line}: couleur RVB" for line in _rgb_tuples(tree)]
    return out


def test_no_label_nor_colour_literal_above_observatoire():
    mods = python_sources(FOLDERS)
    assert len(mods) > 40   # the check reads the real folders
    found = offenders(mods, vocabulary_words())
    assert found == [], ("labels and colours are declared once in catalogue/vocabulary.yaml (read them through "
                         "observatoire.vocabulary):\n" + "\n".join(found))


def test_the_literal_check_sees_literals():
    # guard against a check that cannot fail: labels (plain, in an f-string, in a dict), colours (hex, RGB)
    words = vocabulary_words()
    assert {"non disponible", "sans voyant", "commune", "secret statistique"} <= set(words)
    src = ('LABEL = "non disponible"\n'
           'def f(x):\n'
           '    """Never « sans voyant » in a docstring: not a literal of the code."""\n'
           '    return {"word": "Sans voyant", "c": "#1f4e79", "t": f"{x} secret statistique"}\n'
           'pdf.set_fill_color(255, 243, 205)\n'
           'LO = (232, 245, 233)\n')
    assert offenders([("pages/x.py", src)], words) == [
        "pages/x.py:1: libellé « non disponible » (value_statuses.non_disponible)",
        "pages/x.py:4: libellé « Sans voyant » (lights.sans_voyant)",
        "pages/x.py:4: couleur #1f4e79",
        "pages/x.py:4: libellé « secret statistique » (value_statuses.secret)",
        "pages/x.py:5: couleur RVB",
        "pages/x.py:6: couleur RVB",
    ]
    # …and sees nothing in code that reads the vocabulary
    ok = ('from observatoire import vocabulary\nX = vocabulary.light("sans_voyant")["label"]\n'
          'Y = {"epci": 1, "secret": 2}["epci"]\n')            # codes are not labels
    assert offenders([("pages/y.py", ok)], words) == []


def test_page_css_names_only_colours_generated_from_the_palette():
    # the pages' CSS (ui/, pages/) names its colours as var(--obs-…): each must be declared by the variables
    # ui/common.py generates from the vocabulary's palette, else the browser silently drops the colour
    from ui import common
    declared = set(re.findall(r"--(obs-[a-z0-9_-]+):", common._CSS))
    used = {name for _, source in python_sources(("ui", "pages"))
            for name in re.findall(r"var\(--(obs-[a-z0-9_-]+)\)", source)}
    assert {"obs-navy", "obs-note-background", "obs-demo-border"} <= used   # the check reads the real pages
    assert used <= declared, used - declared
