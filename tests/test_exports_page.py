"""The « Exports COPIL & bilan » page and the export buttons of Fiche quartier and Comparer (AppTest):
a click builds the file with the shared builders, then a download button offers it."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tests.pages_apptest import run_page, texts

NICE = "CN00604I"


@pytest.fixture()
def env(demo_saisie_copy, monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_SAISIE_DB", str(demo_saisie_copy))
    return demo_saisie_copy


def _finished(at, key: str):
    """Wait for the session's export worker to finish `key`, then rerun the page (the polling fragment's job)."""
    job = at.session_state["_obs_exports"].jobs[key]
    assert job.done.wait(180), f"export {key} not finished"
    return at.run()


def test_exports_page_builds_classeur(env):
    at = run_page("exports", contrat=NICE)
    labels = [b.label for b in at.button]
    assert "Préparer le diaporama COPIL (PPTX)" in labels
    assert any(lab.startswith("Préparer la trame du rapport") for lab in labels)
    assert "Données de démonstration" in texts(at)
    btn = next(b for b in at.button if b.label.startswith("Préparer le classeur"))
    at = btn.click().run()
    quartiers = ["QN00601M", "QN00606I", "QN00607M", "QN00608I", "QN00609I", "QN00610M", "QN00611M", "QN00612M",
                 "QN00613M", "QN00614N"]                     # the contract's 10 quartiers, in code order
    key = "classeur_" + "_".join(quartiers)[:120]
    at = _finished(at, key)
    assert not at.exception and not at.error, [e.value for e in at.error]
    today = dt.date.today().isoformat()
    # named after the contract (« Métropole Nice Côte d'Azur ») and the day, not « indicateurs-QN00601M-et-9-autres »
    name = f"indicateurs-metropole-nice-cote-d-azur-{today}.xlsx"
    assert [d.label for d in at.get("download_button")] == [f"Télécharger {name}"]
    data = at.session_state["_obs_exports"].jobs[key].data
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[-2:] == ["Sources", "Notes"]
    assert f"--out {name}" in at.code[0].value            # the command line's example says the same name


def test_exports_one_after_another_none_cancelled(env):
    """Issue 20: a second « Préparer » while the first export works queues it; both files are offered."""
    at = run_page("exports", contrat=NICE)
    at = next(b for b in at.button if b.label.startswith("Préparer la fiche PDF")).click().run()
    fiche_btn = next(b for b in at.button if b.label.startswith("Préparer la fiche PDF"))
    assert fiche_btn.disabled                               # no second click on the export that works
    at = next(b for b in at.button if b.label.startswith("Préparer le classeur")).click().run()
    jobs = at.session_state["_obs_exports"].jobs
    assert list(jobs) == ["fiche_QN00601M", "classeur_" + "_".join(
        ["QN00601M", "QN00606I", "QN00607M", "QN00608I", "QN00609I", "QN00610M", "QN00611M", "QN00612M",
         "QN00613M", "QN00614N"])[:120]]
    for key in list(jobs):
        at = _finished(at, key)
    assert all(j.data and not j.error for j in jobs.values())
    today = dt.date.today().isoformat()
    assert sorted(d.label for d in at.get("download_button")) == [
        f"Télécharger fiche-las-planas-le-rouret-QN00601M-{today}.pdf",   # QN00601M, the first quartier
        f"Télécharger indicateurs-metropole-nice-cote-d-azur-{today}.xlsx"]
    assert jobs["fiche_QN00601M"].data[:5] == b"%PDF-"
    assert not any(b.disabled for b in at.button if b.label.startswith("Préparer"))


def test_fiche_and_comparer_have_export_buttons(env):
    at = run_page("fiche", quartier="QP034004")
    assert "Préparer la fiche PDF (2 pages A4)" in [b.label for b in at.button]
    at = run_page("comparer", selection="QP034004,QP034005")
    assert "Préparer le classeur de tous les indicateurs (XLSX)" in [b.label for b in at.button]


def test_report_from_the_page_starts_no_browser(env, monkeypatch):
    """Issue 21: the report's charts are Word charts and its map a Pillow picture, so its « Préparer » builds
    the file without Chrome (a renderer asked for would make the export fail here)."""
    from docx import Document

    from exports import render

    def no_chrome(*_a, **_k):
        raise AssertionError("Chrome démarré pour le rapport")
    monkeypatch.setattr(render, "ensure_server", no_chrome)
    monkeypatch.setattr(render, "session", no_chrome)
    at = run_page("exports", contrat=NICE)
    at = next(b for b in at.button if b.label.startswith("Préparer la trame du rapport")).click().run()
    key = next(k for k in at.session_state["_obs_exports"].jobs if k.startswith("rapport_"))
    at = _finished(at, key)
    job = at.session_state["_obs_exports"].jobs[key]
    assert job.error is None and job.data[:2] == b"PK"
    doc = Document(io.BytesIO(job.data))
    assert len(doc.inline_shapes) >= 5 and [d.label for d in at.get("download_button")][0].endswith(".docx")
