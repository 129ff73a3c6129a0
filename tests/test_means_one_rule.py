"""One counting rule for the State means (issue 11): the FONJEP and adultes-relais figures of three contracts
are the same in the fiche JSON, the Programmation page, the COPIL deck and the workbook, and equal to a count
made here by hand from the published JSON files (a post counts once per contract and year: distinct
id_poste; its amount for the year is its largest record — the 2025 FONJEP file repeats most posts)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict

import openpyxl
import pytest
from pptx import Presentation

from readers.frcsv import parse_number
from tests.pages_apptest import ROOT, figures, run_page

CONTRACTS = ("CN03103I", "CN00604I", "CN01303M")
KINDS = {"adulte_relais": ("adulte-relais-*.json", "Adultes-relais"), "fonjep": ("postes-fonjep-*.json", "Postes FONJEP")}


def by_hand(data_dir, code: str) -> dict[tuple[int, str], tuple[int, float]]:
    """{(year, kind): (posts, euros)} counted from the raw files, without the warehouse."""
    posts: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
    for kind, (pattern, _) in KINDS.items():
        for f in sorted((data_dir / "contrats_de_ville").glob(pattern)):
            for r in json.loads(f.read_text(encoding="utf-8")):
                if r.get("code_cv") == code:
                    seen = posts[(int(r["annee"]), kind)]
                    seen[r["id_poste"]] = max(seen.get(r["id_poste"], 0.0), float(r.get("montant") or 0))
    return {k: (len(v), round(sum(v.values()))) for k, v in posts.items()}


def _cli(*args) -> str:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT))).stdout


def from_fiche(con, code: str) -> dict:
    quartier = con.execute("SELECT min(child_code) FROM territory_link WHERE parent_code = ? "
                           "AND relation = 'qpv_contrat'", [code]).fetchone()[0]
    fiche = json.loads(_cli("-m", "indicators", "fiche", quartier, "--json"))
    return {(m["year"], m["kind"]): (m["n_posts"], round(m["amount"])) for m in fiche["means"]
            if m["contrat_code"] == code}


def from_deck(code: str, tmp_path) -> dict:
    out = tmp_path / f"copil-{code}.pptx"
    _cli("-m", "exports", "-q", "deck", "--contrat", code, "--out", str(out))
    for slide in Presentation(out).slides:
        if not any(s.has_text_frame and s.text_frame.text.startswith("Moyens de l'État") for s in slide.shapes):
            continue
        table = next(s.table for s in slide.shapes if s.has_table)
        got = {}
        for row in list(table.rows)[1:]:
            cells = [c.text for c in row.cells]
            year = int(cells[0].rstrip(" *"))
            for kind, (n, amount) in (("adulte_relais", cells[1:3]), ("fonjep", cells[3:5])):
                if n != "—":
                    got[(year, kind)] = (int(parse_number(n)), round(parse_number(amount.rstrip(" €"))))
        return got
    raise AssertionError("pas de diapositive « Moyens de l'État »")


def from_workbook(code: str, tmp_path) -> dict:
    out = tmp_path / f"classeur-{code}.xlsx"
    _cli("-m", "exports", "-q", "classeur", "--territoires", code, "--out", str(out))
    ws = openpyxl.load_workbook(out)["Moyens de l'État"]
    labels = {lab: kind for kind, (_, lab) in KINDS.items()}
    return {(int(r[1]), labels[r[2]]): (int(r[3]), round(r[4])) for r in ws.iter_rows(min_row=2, values_only=True)
            if r[0] == code}


def from_page(code: str) -> dict:
    at = run_page("programmation", contrat=code)
    fig = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Moyens de l'État : postes financés")
    labels = {lab: kind for kind, (_, lab) in KINDS.items()}
    from tests.pages_apptest import array
    got = {}
    for trace in fig["data"]:
        for x, n, amount in zip(array(trace["x"]), array(trace["y"]), array(trace["customdata"])):
            got[(int(str(x)[:4]), labels[trace["name"]])] = (int(n), round(amount))
    return got


@pytest.fixture(scope="module")
def saisie_with_programmations(demo_saisie, tmp_path_factory, warehouse):
    """The démo database (CN00604I) plus a one-action programmation for the two other contracts, so that
    their Programmation page opens (it shows the State means beside the programmation)."""
    import shutil

    from contract.imports import programmation

    path = tmp_path_factory.mktemp("means") / "saisie.duckdb"
    shutil.copyfile(demo_saisie, path)
    for code in ("CN03103I", "CN01303M"):
        f = path.parent / f"prog-{code}.csv"
        f.write_text("N° dossier;Année;Porteur;Intitulé de l'action;Quartiers;Statut\n"
                     "2025-01;2025;Association test;Action test;Tous;Déposé\n", encoding="utf-8")
        programmation.import_file(f, code, saisie_db=path, db=warehouse)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_SAISIE_DB", str(path))
        yield path


@pytest.mark.parametrize("code", CONTRACTS)
def test_same_state_means_everywhere(code, data_dir, con, saisie_with_programmations, tmp_path):
    hand = by_hand(data_dir, code)
    # e.g. CN03103I: 36 FONJEP posts, 254 919 € in 2025 (postes-fonjep-2025.json, distinct id_poste)
    assert hand and all(n > 0 for n, _ in hand.values())
    assert from_fiche(con, code) == hand
    assert from_page(code) == hand
    assert from_deck(code, tmp_path) == hand
    assert from_workbook(code, tmp_path) == hand
