"""The « Exports COPIL & bilan » page and the export buttons of Fiche quartier and Comparer (AppTest):
a click builds the file with the shared builders, then a download button offers it."""
from __future__ import annotations

import io

import openpyxl
import pytest

from tests.pages_apptest import run_page, texts

NICE = "CN00604I"


@pytest.fixture()
def env(demo_saisie_copy, monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_SAISIE_DB", str(demo_saisie_copy))
    return demo_saisie_copy


def test_exports_page_builds_classeur(env):
    at = run_page("exports", contrat=NICE)
    labels = [b.label for b in at.button]
    assert "Préparer le diaporama COPIL (PPTX)" in labels
    assert any(lab.startswith("Préparer la trame du rapport") for lab in labels)
    assert "Données de démonstration" in texts(at)
    btn = next(b for b in at.button if b.label.startswith("Préparer le classeur"))
    at = btn.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    dl = [d for d in at.get("download_button") if "indicateurs-" in d.label]
    assert dl, "no download offered after the build"
    quartiers = ["QN00601M", "QN00606I", "QN00607M", "QN00608I", "QN00609I", "QN00610M", "QN00611M", "QN00612M",
                 "QN00613M", "QN00614N"]                     # the contract's 10 quartiers, in code order
    data = at.session_state["export_classeur_" + "_".join(quartiers)[:120]]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[-2:] == ["Sources", "Notes"]


def test_fiche_and_comparer_have_export_buttons(env):
    at = run_page("fiche", quartier="QP034004")
    assert "Préparer la fiche PDF (2 pages A4)" in [b.label for b in at.button]
    at = run_page("comparer", selection="QP034004,QP034005")
    assert "Préparer le classeur de tous les indicateurs (XLSX)" in [b.label for b in at.button]
