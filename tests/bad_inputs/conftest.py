"""Prints the battery's size at the end of the run (files and import kinds), in CI output too."""
from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    from tests.bad_inputs.cases import CASES

    ran = [r for r in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
           if "test_bad_file_is_refused_clearly" in r.nodeid]
    if not ran:
        return
    kinds = sorted({c.kind for c in CASES})
    passed = sum(1 for r in terminalreporter.stats.get("passed", []) if "test_bad_file_is_refused_clearly" in r.nodeid)
    terminalreporter.write_line(
        f"Batterie de fichiers erronés : {len(ran)} fichiers générés, {len(kinds)} types d'import "
        f"({', '.join(f'{k} {sum(1 for c in CASES if c.kind == k)}' for k in kinds)}) ; {passed} refusés "
        "proprement, bases inchangées.")
