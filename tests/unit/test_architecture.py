"""The code's shape, checked (fast tier, no warehouse): one direction of flow between folders, no SQL above
indicators/, and renderers that read views only.

Layers, bottom to top (a folder may import only folders below it or itself):
observatoire → readers → contract → loaders → indicators → presentation → charts → exports → ui → pages.
(`loaders` sits above `contract` because `python -m loaders import programmation|engagements|enquete`
dispatches to contract/imports; `ui` above `exports` for the download buttons.) Renderers (pages, exports,
charts, ui) import presentation/ — never indicators/ nor contract/, except the named modules below.
A program's `__main__.py` is the top of its own stack, like a page: it may import any layer (`python -m
indicators fiche` prints the fiche view, `python -m loaders import` words its report with
presentation/imports.py, as on the page), and nothing imports it.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LAYERS = ["observatoire", "catalogue", "readers", "contract", "loaders", "indicators", "presentation", "charts",
          "exports", "ui", "pages"]


def _imports(path: Path) -> set[str]:
    """Top-level project folders imported by a module (any import statement, at any depth)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        out |= {n.split(".")[0] for n in names if n.split(".")[0] in LAYERS}
    return out


@functools.lru_cache(maxsize=1)
def folder_graph() -> dict[str, set[str]]:
    """{folder: folders it imports}, read once per session (every file of every layer is parsed)."""
    graph: dict[str, set[str]] = {f: set() for f in LAYERS}
    for folder in LAYERS:
        for path in (ROOT / folder).rglob("*.py"):
            if path.name != "__main__.py":      # programs: the top of their own stack (module docstring)
                graph[folder] |= _imports(path) - {folder}
    return graph


def test_no_module_imports_a_program():
    """The `__main__` exception holds only because nothing imports a program."""
    offenders = []
    for folder in LAYERS:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [f"{node.module}." + a.name for a in node.names] if isinstance(node, ast.ImportFrom)
                         and node.module else [])
                offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if "__main__" in n.split(".")]
    assert offenders == []


def test_no_folder_imports_a_folder_that_imports_it_back():
    graph = folder_graph()
    cycles = sorted({tuple(sorted((a, b))) for a, deps in graph.items() for b in deps if a in graph.get(b, ())})
    assert cycles == [], f"import cycles between folders: {cycles}"


def test_every_import_goes_down_the_layers():
    rank = {f: i for i, f in enumerate(LAYERS)}
    upward = sorted((a, b) for a, deps in folder_graph().items() for b in deps if rank[b] > rank[a])
    assert upward == [], f"imports against the direction of flow: {upward}"


def test_the_check_sees_real_imports():
    # guard against a checker that sees nothing: pages import ui and presentation, exports import presentation,
    # presentation imports indicators
    graph = folder_graph()
    assert {"ui", "presentation"} <= graph["pages"] and "presentation" in graph["exports"]
    assert "indicators" in graph["presentation"]


# --------------------------------------------------------------------------- renderers read views

RENDERERS = ("pages", "exports", "charts", "ui")
READS = ("indicators", "contract")           # what renderers never import (they get views from presentation/)
# Named exceptions, each with its reason: {module imported: files allowed (None = every renderer)}.
RENDERER_ALLOWED = {
    # the one contract write service of the pages (edits, imports, points d'étape)
    "contract.service": None,
    # sign-in, sessions and accounts: the auth helper and the accounts page (being rewritten apart)
    # (ui/server.py: the HTTP routes that turn a sign-in into the HttpOnly session cookie)
    "contract.accounts": {"ui/auth.py", "ui/server.py", "pages/comptes.py"},
    "contract.roles": {"ui/auth.py", "pages/comptes.py"},
    "contract.store": {"ui/auth.py", "pages/comptes.py"},
    "contract.errors": {"ui/auth.py", "ui/server.py"},
}


def _modules(source: str, filename: str = "<test>") -> set[str]:
    """Dotted project modules a source imports: `import contract.store`, `from indicators.fiche import fiche`
    (indicators.fiche), `from contract import service` (a name imported from a top-level folder is one of its
    modules: contract.service)."""
    out = set()
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if "." in node.module:
                out.add(node.module)
            else:
                out |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in out if m.split(".")[0] in LAYERS}


def _renderer_offenders(modules: list[tuple[str, str]]) -> list[str]:
    """« file: module » for every read of indicators/ or contract/ by a renderer, minus the named exceptions."""
    out = []
    for rel, source in modules:
        for m in sorted(_modules(source, rel)):
            if m.split(".")[0] not in READS:
                continue
            allowed = RENDERER_ALLOWED.get(m, ())
            if allowed is None or rel in (allowed or ()):
                continue
            out.append(f"{rel}: {m}")
    return out


def python_sources(folders) -> list[tuple[str, str]]:
    """(relative path, source) of every module of the given top-level folders."""
    paths = sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))
    return [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in paths]


def test_renderers_import_presentation_never_indicators_nor_contract():
    sources = python_sources(RENDERERS)
    assert len(sources) > 40   # the check reads the real folders
    offenders = _renderer_offenders(sources)
    assert offenders == [], ("renderers read indicators/ or contract/ (put the read in a view of presentation/): "
                             + "; ".join(offenders))


def test_the_renderer_check_sees_reads():
    # guard against a check that cannot fail: a page reading the library or the store is reported…
    assert _renderer_offenders([("pages/x.py", "from indicators import fiche\nimport contract.store\n")]) == [
        "pages/x.py: contract.store", "pages/x.py: indicators.fiche"]
    assert _renderer_offenders([("exports/x.py", "from indicators.fiche import fiche\n")]) == [
        "exports/x.py: indicators.fiche"]
    # …the named exceptions are not, and only for their files
    assert _renderer_offenders([("pages/x.py", "from contract import service\n")]) == []
    assert _renderer_offenders([("pages/comptes.py", "from contract import accounts, roles, store\n")]) == []
    assert _renderer_offenders([("pages/y.py", "from contract import accounts\n")]) == ["pages/y.py: contract.accounts"]


# Folders that render view models and must not query: the databases are read by indicators/ (and contract/,
# loaders/ for the stores they own). observatoire/db.py (connections: ATTACH, USE, LOAD spatial) sits below
# and is not checked. The one exception here is named with its reason and the needles it may use: reads
# (SELECT) are never allowed.
NO_SQL_FOLDERS = ("presentation", "charts", "exports", "ui", "pages")
SQL_NEEDLES = (".execute(", ".sql(", "common.query(", "SELECT ")
SQL_ALLOWED = {
    # the app's connection plumbing (read-only warehouse connection, per-session cursors): it may have to
    # run connection statements, never a read
    "ui/common.py": {".execute(", ".sql("},
}


def _sql_offenders(modules: list[tuple[str, str]]) -> list[str]:
    """« file: needle » for every SQL needle in (relative path, source) pairs, minus the named exceptions."""
    return [f"{rel}: {needle}" for rel, text in modules for needle in SQL_NEEDLES
            if needle in text and needle not in SQL_ALLOWED.get(rel, ())]


def test_no_sql_above_indicators():
    paths = sorted(p for folder in NO_SQL_FOLDERS for p in (ROOT / folder).rglob("*.py"))
    assert len(paths) > 40  # the check reads the real folders
    offenders = _sql_offenders([(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in paths])
    assert offenders == [], f"SQL outside indicators/ (move it to a named function there): {offenders}"


def test_the_sql_check_sees_sql():
    # guard against a check that cannot fail: a read is reported, even in the plumbing exception
    query = 'def f(con):\n    return con.execute("SELECT 1").fetchone()\n'
    assert _sql_offenders([("exports/x.py", query)]) == ["exports/x.py: .execute(", "exports/x.py: SELECT "]
    assert _sql_offenders([("ui/common.py", query)]) == ["ui/common.py: SELECT "]
