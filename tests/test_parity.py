"""Issue 18, item 5 — one fact, one string: the same value reads the same in every document.

20 quartiers drawn with a fixed seed from both geographies (always Grand Mirail QN03107M and its 2015
predecessor QP031007, an overseas quartier, a 2024 quartier without a 2015 predecessor and a quartier of the
démo contract) and three contracts (Toulouse Métropole CN03103I, the démo contract CN00604I, the 2015 contract
of Toulouse CV101). Each document is built once and read back as a user gets it (tests/parity_read.py):

- the fiche and baromètre pages of every quartier of the sample (AppTest: tables, metrics, charts, lines);
- the fiche PDF of every quartier of the sample (pypdf: its text, and the values written at the points of its
  vector evolution charts, with the millésime under each point);
- the COPIL deck with its appendix and the annual report of each contract (python-pptx, python-docx);
- the classeur of the sample and of each contract (openpyxl: the number format applied to the number);
- the static site's page of every quartier of the sample and of the contracts, and the contract pages.

Every value shown for the same quartier, indicator, level (the quartier, each reference level, its rank, its
percentile, its light) and millésime must mean the same everywhere: same « ≈ », same status, same number and
unit, same year of the value (« 22,0 % (2021) » beside a 2019 row). A status may read long or short
(« secret statistique » in a wide cell, « secret » in a narrow one) but never « — » in one document and
« non disponible » in another. No developer path, `cli:` author or raw code appears in any document.

Charts are not rasterised (kaleido replaced by a blank PNG): the test reads text, the page's chart texts are
read from their Plotly specs and the PDF's from its drawing (tests/pdf_drawing.py). Runtime on 2 shared cores: about three minutes (figures in the report of the
branch), within the CI's 30 minutes.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import parity_read as R
import pytest
from pages_apptest import run_page

SEED = 20261206
FIXED = ["QN03107M", "QP031007"]
CONTRACTS = {"CN03103I": "Toulouse Métropole (2024)", "CN00604I": "démo", "CV101": "Toulouse Métropole (2015)"}
N_SAMPLE = 20
TODAY = dt.date(2026, 12, 6)
SERIES_DOCS = ("classeur", "page fiche (évolution)", "site (évolution)",   # all millésimes, not the latest only
               "fiche PDF (évolution)")


def draw_sample(con) -> dict[str, str]:
    """{code: why} — the fixed quartiers, then an overseas one, a 2024 one without 2015 predecessor, one of the
    démo contract, then quartiers of each geography in turn, all drawn with SEED."""
    from indicators import predecessors, references

    rows = con.execute("SELECT code, generation, departement FROM territory WHERE level = 'qpv' ORDER BY code").fetchall()
    links = predecessors.all_links(con)
    rng = random.Random(SEED)
    out = {c: "imposé" for c in FIXED}
    out[rng.choice([c for c, _, d in rows if str(d or "").startswith("97") and c not in out])] = "outre-mer"
    out[rng.choice([c for c, g, _ in rows if g == "2024" and c not in links])] = "2024 sans quartier 2015"
    out[rng.choice(references.contract_members(con, "CN00604I"))] = "contrat de démonstration"
    pools = {g: [c for c, gen, _ in rows if gen == g and c not in out] for g in ("2015", "2024")}
    for pool in pools.values():
        rng.shuffle(pool)
    k = 0
    while len(out) < N_SAMPLE:
        g = ("2015", "2024")[k % 2]
        out[pools[g].pop()] = f"tirage {g}"
        k += 1
    return out


def reference_names(con, code: str) -> dict[str, list[str]]:
    """The names of a quartier's reference territories per level (to map the report's reference rows)."""
    from indicators import references
    from observatoire import vocabulary

    t = references.territory(con, code)
    out = {"commune": [c["name"] for c in t.get("communes") or []],
           "epci": [e["name"] for e in (t.get("epcis") or ([t["epci"]] if t.get("epci") else []))]}
    for lv in vocabulary.reference_levels():
        if "code" in (vocabulary.term("levels", lv).get("link") or {}):      # one territory for every quartier
            out[lv] = [n for (n,) in con.execute("SELECT name FROM territory WHERE level = ?", [lv]).fetchall()]
    return out


@pytest.fixture(scope="module")
def parity(warehouse, con, demo_saisie_env, tmp_path_factory):
    """Build and read every document once."""
    return collect(con, tmp_path_factory.mktemp("parite"))


def collect(con, out, stages=("pages", "contracts", "classeurs", "site")) -> dict:
    """{sample, obs, texts: {document: text}, problems, words, members}: every document built and read."""
    from exports import classeur, deck, fiche_pdf, rapport
    from exports.site import build as site
    from indicators import references
    from presentation import barometre, share
    from presentation import fiche as fiche_view

    words = R.Words(con)
    sample = draw_sample(con)
    members = {c: references.contract_members(con, c) for c in CONTRACTS}
    obs, texts, problems = [], {}, []
    views = {}
    real_view = fiche_view.view

    def keep_view(c, code, *a, **k):                  # the PDF's own view: its rows, in the order printed
        v = real_view(c, code, *a, **k)
        views[v.code] = v
        return v

    with R.no_chrome(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(fiche_view, "view", keep_view)
        for q in sample if "pages" in stages else []:
            at = run_page("fiche", quartier=q)
            o, t = R.fiche_page(words, at, q)
            obs += o
            texts[f"page fiche {q}"] = t
            o, t = R.barometre_page(words, run_page("barometre", quartier=q), q)
            obs += o
            texts[f"page baromètre {q}"] = t
            pdf = fiche_pdf.build(con, q, out / f"{q}.pdf")
            o, t, p = R.fiche_pdf(words, pdf, q, views[q])
            obs += o
            problems += p
            texts[f"fiche PDF {q}"] = t
        for c in CONTRACTS if "contracts" in stages else []:
            o, t, _ = R.deck(words, deck.build(con, c, out / f"{c}.pptx", annexe=True, today=TODAY))
            obs += o
            texts[f"diaporama {c}"] = t
            names = {q: reference_names(con, q) for q in members[c]}
            o, t = R.report(words, rapport.build(con, c, TODAY.year, out / f"{c}.docx"), names)
            obs += o
            texts[f"rapport {c}"] = t
        for name, codes in [("échantillon", list(sample))] + [(c, [c]) for c in CONTRACTS] if "classeurs" in stages else []:
            o, t = R.classeur(words, classeur.build(con, codes, out / f"classeur-{name}.xlsx"))
            obs += o
            texts[f"classeur {name}"] = t
    every = sorted(sample) if "site" in stages else []
    if every:
        site.build(con, out / "site", contrat=None, today=TODAY, quartiers=every)
    for q in every:
        o, t = R.site_quartier(words, (out / "site" / share.quartier_path(q)).read_text(encoding="utf-8"), q)
        obs += o
        texts[f"site {q}"] = t
    for page in sorted((out / "site").glob(share.contract_path("*"))) if every else []:
        o, t = R.site_contract(words, page.read_text(encoding="utf-8"))
        obs += o
        texts[f"site {page.stem}"] = t
    # the millésime of each key indicator of the contracts' other quartiers (no page of theirs says it): the
    # baromètre's, to align the deck's and report's values with the classeur's rows of that year
    editions = {(q, it.indicator_id): it.edition for c in CONTRACTS if "contracts" in stages for q in members[c]
                if q not in sample for it in barometre.view(con, q, today=TODAY).items if it.edition}
    return {"sample": sample, "obs": obs, "texts": texts, "problems": problems, "words": words, "members": members,
            "editions": editions}


def _latest(obs: list[R.Obs], editions: dict | None = None) -> dict[tuple[str, str], int]:
    """The millésime a document shows when it says none: the latest, as the tables that do say it print it
    (else the baromètre's, for the contracts' quartiers outside the sample)."""
    out = dict(editions or {})
    for o in obs:
        if o.level == "qpv" and o.year is not None and o.doc not in SERIES_DOCS:
            out[(o.quartier, o.indicator)] = max(o.year, out.get((o.quartier, o.indicator), 0))
    return out


def _groups(parity) -> dict[tuple, dict[tuple, list[str]]]:
    """{(quartier, indicator, level, millésime): {meaning: [« document : text »]}}."""
    words, obs = parity["words"], parity["obs"]
    latest = _latest(obs, parity.get("editions"))
    groups: dict[tuple, dict[tuple, list[str]]] = defaultdict(lambda: defaultdict(list))
    for o in obs:
        year = o.year if o.year is not None else latest.get((o.quartier, o.indicator))
        meaning = (o.text,) if o.level in ("voyant", "rang", "percentile") else words.meaning(o.text, year)
        groups[(o.quartier, o.indicator, o.level, year)][meaning].append(f"{o.doc} : « {R.flat(o.text)} »")
    return groups


def test_the_sample_covers_both_geographies_overseas_and_a_quartier_without_predecessor(parity, con):
    from indicators import predecessors

    sample = parity["sample"]
    assert len(sample) == N_SAMPLE and set(FIXED) <= set(sample)
    gens = dict(con.execute("SELECT code, generation FROM territory WHERE level = 'qpv'").fetchall())
    assert {gens[q] for q in sample} == {"2015", "2024"}
    deps = dict(con.execute("SELECT code, departement FROM territory WHERE level = 'qpv'").fetchall())
    assert any(str(deps[q]).startswith("97") for q in sample)
    links = predecessors.all_links(con)
    assert any(gens[q] == "2024" and q not in links for q in sample)
    assert set(sample) & set(parity["members"]["CN00604I"])


def test_every_document_was_read(parity):
    """The readers found what they look for (a reader that reads nothing would make the test pass)."""
    assert parity["problems"] == []
    assert all(o.indicator for o in parity["obs"]), [o for o in parity["obs"] if not o.indicator][:5]
    assert all(o.level for o in parity["obs"]), [o for o in parity["obs"] if not o.level][:5]
    docs = {o.doc for o in parity["obs"]}
    assert docs >= {"page fiche", "page fiche (évolution)", "page baromètre", "fiche PDF", "fiche PDF (évolution)",
                    "diaporama COPIL", "rapport annuel", "classeur", "site", "site (évolution)", "site (page contrat)"}
    by_doc = defaultdict(set)
    for o in parity["obs"]:
        by_doc[(o.quartier, o.indicator, o.level)].add(o.doc)
    # Grand Mirail's poverty rate is in every document, its commune's in the page, the PDF, the site and
    # the baromètre's line everywhere
    assert by_doc[("QN03107M", "tx_pauvrete", "qpv")] >= docs
    assert by_doc[("QN03107M", "tx_pauvrete", "commune")] >= {"page fiche", "page baromètre", "fiche PDF",
                                                               "diaporama COPIL", "site"}
    assert by_doc[("QP031007", "tx_pauvrete", "qpv")] >= docs - {"page fiche (évolution)"}


def test_every_value_reads_the_same_in_every_document(parity):
    groups = _groups(parity)
    conflicts = [f"{key} : " + " ≠ ".join(f"{m} ← {', '.join(sorted({d.split(' : ')[0] for d in docs}))}"
                                          f" [{docs[0].split(' : ', 1)[1]}]" for m, docs in found.items())
                 for key, found in groups.items() if len(found) > 1]
    assert not conflicts, f"{len(conflicts)} faits lus différemment :\n" + "\n".join(conflicts[:40])


def test_the_real_strings_of_grand_mirail(parity):
    """What the issue quotes, in every document that shows it: « ≈ 49,2 % » for QN03107M's poverty rate
    (QP031007's 49,2 % without « ≈ »), « 22,0 % (2021) » for the commune of Toulouse beside a 2019 row."""
    got = defaultdict(set)
    for o in parity["obs"]:
        if o.quartier in FIXED and o.indicator == "tx_pauvrete" and o.year in (None, 2019):
            got[(o.quartier, o.level)].add(R.flat(o.text))
    assert got[("QN03107M", "qpv")] == {"≈ 49,2 %"}
    assert got[("QP031007", "qpv")] == {"49,2 %"}
    assert got[("QN03107M", "commune")] == got[("QP031007", "commune")] == {"22,0 % (2021)"}
    assert got[("QN03107M", "voyant")] == {"moins_bien"}


def test_no_developer_words_in_any_document(parity):
    words = parity["words"]
    found = {doc: hits for doc, t in parity["texts"].items()
             if (hits := words.developer_words(t, ids=not doc.startswith("classeur")))}
    assert not found, "\n".join(f"{d} : {h[:3]}" for d, h in found.items())


def test_no_label_names_two_indicators(parity):
    """A short label that is another indicator's label (« Allocataires du RSA » was both the count and the
    share: two different values under one name in the PDF and beside the baromètre)."""
    assert parity["words"].clashes == []


def test_no_developer_words_on_any_page(parity):
    """Every page of the menu as it opens (the quartier pages on Grand Mirail, the contract-life pages on the
    démo contract): no developer path (« (docs/INDICATEURS-LIBRARY.md) » was a caveat of the fiche), no
    `cli:` author, no raw code."""
    from pages_apptest import all_tables, texts

    from ui.navigation import SECTIONS

    words, found = parity["words"], {}
    for file, *_ in (e for entries in SECTIONS.values() for e in entries):
        page = file.removesuffix(".py")
        at = run_page(page, **({"quartier": "QN03107M"} if page in ("fiche", "barometre") else {}))
        shown = texts(at) + "\n" + "\n".join(t.to_csv() for t in all_tables(at))
        if hits := words.developer_words(shown):
            found[page] = hits[:3]
    assert not found
