"""The code's shape, checked: one direction of flow between folders, no SQL above indicators/.

Layers, bottom to top (a folder may import only folders below it or itself):
observatoire → readers → contract → loaders → indicators → presentation → charts → exports → ui → pages.
(`loaders` sits above `contract` because `python -m loaders import programmation|engagements|enquete`
dispatches to contract/imports; `ui` above `exports` for the download buttons.)
A program's `__main__.py` is the top of its own stack, like a page: it may import any layer (the import
report of `python -m loaders import` is worded by presentation/imports.py, as on the page), and nothing
imports it.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def folder_graph() -> dict[str, set[str]]:
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
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
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
    # guard against a checker that sees nothing: pages do import ui and indicators, exports import presentation
    graph = folder_graph()
    assert {"ui", "indicators"} <= graph["pages"] and "presentation" in graph["exports"]


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
