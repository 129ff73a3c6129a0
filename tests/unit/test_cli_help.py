"""Every command line quoted in README.md and docs/*.md answers `--help` in French (issue 19 item 6): exit 0,
« usage : », and none of argparse's English words. The commands are read from the documents themselves, so a
command added to the docs is tested without touching this file; one that does not exist fails here.

Each program runs in this process (runpy, as `python -m` / `python script.py` would), which keeps the fast
tier fast: `--help` stops before any database or file is opened.
"""
from __future__ import annotations

import io
import re
import runpy
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ENGLISH = ("usage:", "positional arguments", "optional arguments", "options:", "show this help message",
           "the following arguments", "error:", "invalid choice", "unrecognized arguments")
_COMMAND = re.compile(r"python3? (-m ([A-Za-z_][\w.]*)|([\w./-]+\.py))((?: +[^\s`|]+)*)")


def documented_commands() -> list[tuple[str, ...]]:
    """(program, subcommand words…) of every `python -m X …` / `python path.py …` of the docs whose program is
    part of this repository; the words stop at the first option, placeholder, file or value."""
    found: set[tuple[str, ...]] = set()
    for doc in DOCS:
        for m in _COMMAND.finditer(doc.read_text(encoding="utf-8")):
            module, script, rest = m.group(2), m.group(3), m.group(4) or ""
            if module and not (ROOT / module.split(".")[0]).exists():
                continue                                     # streamlit, pytest: not ours
            if script and not (ROOT / script).exists():
                continue
            words = []
            for token in rest.split():
                if not re.fullmatch(r"[a-z][a-z0-9-]*", token):
                    break
                words.append(token)
            found.add((module or script, *words))
    return sorted(found)


def run_help(program: str, words: tuple[str, ...]) -> tuple[int, str]:
    argv = [program, *words, "--help"]
    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = argv
    try:
        with redirect_stdout(out), redirect_stderr(err):
            if program.endswith(".py"):
                runpy.run_path(str(ROOT / program), run_name="__main__")
            else:
                runpy.run_module(program, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    finally:
        sys.argv = saved
    return code, out.getvalue() + err.getvalue()


COMMANDS = documented_commands()


def test_the_docs_quote_the_commands_we_expect():
    programs = {c[0] for c in COMMANDS}
    assert {"loaders", "indicators", "exports", "contract.accounts", "contract.demo", "contract.imports.templates",
            "catalogue.make_docs"} <= programs
    assert ("loaders", "import", "referentiel") in COMMANDS and ("loaders", "import", "contours") in COMMANDS
    assert not any(c[0] == "contract.templates" for c in COMMANDS)        # a module that does not exist


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_documented_command_helps_in_french(command):
    code, text = run_help(command[0], command[1:])
    assert code == 0, text
    assert "usage : " in text and ("options :" in text or "arguments :" in text), text
    lowered = text.lower()
    assert not [w for w in ENGLISH if w in lowered], text


def test_import_contours_accepts_verifier():
    code, text = run_help("loaders", ("import", "contours"))
    assert code == 0 and "--verifier" in text


def test_the_polarity_of_an_imported_indicator_is_said_in_french():
    """Issue 20: polarity values were typed as `higher_better`. The import's help offers the French words, and
    the words (with or without accent, or the vocabulary's label) give the code stored with the import."""
    from loaders.imports import indicateurs
    from readers.text import norm

    code, shown = run_help("loaders", ("import", "indicateurs"))
    assert code == 0
    assert "favorable (plus élevé = plus favorable), defavorable" in " ".join(shown.split())
    assert "higher_" not in shown
    words = indicateurs.POLARITY_WORDS
    assert [words[norm(w)] for w in ("favorable", "défavorable", "Neutre", "plus élevé = moins favorable")] == \
        ["higher_better", "higher_worse", "neutral", "higher_worse"]
