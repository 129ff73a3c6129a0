"""The payload crawl (issue 19 item 3), on a DuckDB and on a PostgreSQL saisie database.

The corpus of tests/payloads.py is written into every field a user types, through every path: each import kind
(programmation, engagements with a point d'étape on the row, enquête with its question headers and its
--enquete / --libelle-vague / --methode options, référentiel; contours and indicateurs with their labels, units
and file names), the in-page upload (its file name too: a survey's title is the file's name on a first upload),
each in-app editor through contract.service as the pages call it (the table editors of actions, engagements,
verbatims and référentiel indicators, the point d'étape form — also filled in the page), account display
names. What the store's text rule refuses is refused on every path with its French reason, and nothing is
written; what it accepts is stored. Refused payloads are also written around the store (rows of a database
older than the rule): the sinks must hold on their own.

Then Chromium opens every page, anonymous and signed in (chef de projet, and the administrator for Comptes;
PLAN says which engine runs what): no element or attribute the corpus would create, the text shown as typed,
no request to another host than the server, no JavaScript dialog. Every export is generated (COPIL deck, annual
report, fiche PDF, classeur, static site, the pages' CSV/XLSX downloads): no formula in any OOXML part (chart
workbooks of the deck included), no live link to the payloads' host, cell texts neutralised, no injected element
in the site, its text as typed.

What is refused where is written to tests/screenshots/payload-crawl-<engine>.json (the report's table).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from contract import accounts, roles, service, store
from readers.text import CODE
from tests import payloads as P
from tests import saisie_targets as st
from tests.live_server import CHROMIUM, CHROMIUM_ARGS, SHOTS, require_chromium, serve

ROOT = Path(__file__).resolve().parent.parent
C = "CN00104M"            # CA du Bassin de Bourg-en-Bresse: QN00101M, QN00102M (2015: QP001001, QP001002)
C2 = "CN00102I"           # CC de la Plaine de l'Ain: QN00103M — a survey's first upload in the page
Q1, Q2, Q3 = "QN00101M", "QN00102M", "QN00103M"
PORTS = {"duckdb": 8721, "postgresql": 8722}
ADMIN_PW = "crawl-admin-secret-2026"
CHEF_PW = "crawl-chef-secret-2026"
CHEF_NAME = P.BY_MARKER["PLD22"].text        # the attribute breaker, shown in the sidebar of every page
ADMIN_NAME = P.BY_MARKER["PLD25"].text       # a Markdown link
CLI = roles.cli_user()


# =========================================================================== files of the corpus

def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    """A French CSV (`;`), every cell quoted when needed; control characters are written as they are."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def fit(payload: P.Payload, rule) -> str:
    """An accepted payload in a field of `rule`: as it is when it fits, else its marker (codes: 60 characters)."""
    return payload.text if len(payload.text) <= rule.max_length else payload.marker


def legacy_placeholder(p: P.Payload) -> str:
    return f"LEG-{p.marker}"


# Per contract-life import kind: the header, which columns are typed text (with their store rule), and the
# other cells of a valid row. `rows(i)` varies what must differ from row to row.
def _kinds():
    from contract.imports import engagements, programmation, referentiel

    def text_columns(module, skip=()):
        return {f.label: f.text for f in module.FIELDS if f.kind == "text" and f.name not in skip}

    return {
        "programmation": {
            "text": text_columns(programmation),
            "other": {"Année": "2026", "Quartiers": f"{Q1}, {Q2}", "Statut": "Accordé", "Coût total": "12000",
                      "Montant accordé État (P147)": "5000", "Filles": "10", "Garçons": "12"}},
        "engagements": {
            "text": text_columns(engagements),
            "other": {"Valeur de référence": "10", "Valeur cible": "20", "Échéance": "31/12/2025",
                      "Statut": "En cours", "Date du point": "01/11/2026", "Valeur constatée": "15"}},
        "referentiel": {
            "text": text_columns(referentiel, skip=("catalogue_id", "territoire_code")),
            "other": {"Valeur de référence": "10", "Année de référence": "2024", "Valeur cible": "20",
                      "Année cible": "2030"}},
    }


def kind_file(path: Path, kind: str, cells: list[dict]) -> Path:
    """A file of `kind` whose rows are `cells` ({text column: value}) over the kind's valid other cells."""
    spec = _kinds()[kind]
    header = list(spec["text"]) + list(spec["other"])
    return write_csv(path, header, [[c.get(h, spec["other"].get(h)) for h in header] for c in cells])


def accepted_rows(kind: str) -> list[dict]:
    """One row per accepted payload (every text column holds it), one at each column's limit, and one row per
    legacy payload holding its placeholder (replaced around the store afterwards)."""
    spec = _kinds()[kind]
    rows = [{col: fit(p, rule) for col, rule in spec["text"].items()} for p in P.ACCEPTED]
    rows.append({col: P.long_text(rule.max_length) for col, rule in spec["text"].items()})
    rows += [{col: legacy_placeholder(p) for col in spec["text"]} for p in P.legacy()]
    return rows


SURVEY_ANSWERS = ["Tout à fait d'accord", "Plutôt d'accord", "Plutôt pas d'accord", "Pas du tout d'accord"]


def survey_file(path: Path, questions: list[str], verbatims: list[str], n_per_quartier: int = 12,
                quartiers: tuple[str, ...] = (Q1, Q2)) -> Path:
    header = ["Quartier", "Date", *[f"Q{i + 1} - {q}" for i, q in enumerate(questions)], "Verbatim", "Publiable"]
    rows = []
    for k in range(len(quartiers) * n_per_quartier):
        answers = [SURVEY_ANSWERS[(k + j) % 4] for j in range(len(questions))]
        rows.append([quartiers[k % len(quartiers)], "14/10/2026", *answers,
                     verbatims[k % len(verbatims)] if k < len(verbatims) else "", "oui"])
    return write_csv(path, header, rows)


# =========================================================================== the warehouse with the corpus

@pytest.fixture(scope="module")
def crawl_warehouse(warehouse, tmp_path_factory):
    """A private copy of the real warehouse with the corpus imported as contours (names, file name) and as
    user indicators (labels, units, file name, column headers); refused labels and units are checked here."""
    tmp = tmp_path_factory.mktemp("crawl_warehouse")
    wh = tmp / "observatoire.duckdb"
    shutil.copyfile(warehouse, wh)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_DB", str(wh))
        mp.setenv("OBSERVATOIRE_IMPORTS_DIR", str(tmp / "imports"))
        refusals = warehouse_imports(wh, tmp)
    return wh, tmp / "imports", refusals


def warehouse_imports(wh: Path, tmp: Path) -> list[dict]:
    """The warehouse's user imports, with the corpus: one new indicator per accepted payload (label = the
    payload, unit = the next one, column header = a payload), a user value of the poverty rate beside the
    official one (the fiche shows it with its source line), all in a file named by a refused payload (a file
    name is not stored text: it is shown, escaped); contours of QN00101M named by a payload, in a file named by
    another. Refused labels and units are checked (French reason, nothing written)."""
    from loaders.__main__ import main

    refusals = []
    src = tmp / (P.BY_MARKER["PLD02"].text + ".csv")
    header = ["Code"] + [f"col {p.marker} {p.text}" for p in P.ACCEPTED] + [f"taux {P.BY_MARKER['PLD30'].text}"]
    write_csv(src, header, [[Q1] + [12.5 + i for i in range(len(P.ACCEPTED))] + [38.5],
                            [Q2] + [30 + i for i in range(len(P.ACCEPTED))] + [41.5]])

    def options(label=None, unit=None) -> list[str]:
        """--map/--label/--unit of every indicator; `label`/`unit` replace the first indicator's."""
        out = ["--map", f"{header[-1]}=tx_pauvrete"]
        for i, p in enumerate(P.ACCEPTED):
            iid = f"pld_{p.marker.lower()}"
            lab = label if label is not None and i == 0 else p.text
            uni = unit if unit is not None and i == 0 else P.ACCEPTED[(i + 1) % len(P.ACCEPTED)].text
            out += ["--map", f"{header[i + 1]}={iid}", "--label", f"{iid}={lab}", "--unit", f"{iid}={uni}"]
        return out

    base = ["import", "indicateurs", str(src), "--edition", "2024", "--db", str(wh)]
    for p in P.REFUSED:                              # refused as a label, then as a unit
        refusals.append(_cli(main, [*base, *options(label=p.text), "--verifier"], p, "import indicateurs --label"))
        refusals.append(_cli(main, [*base, *options(unit=p.text), "--verifier"], p, "import indicateurs --unit"))
    assert main([*base, *options()]) == 0
    contours = tmp / (P.BY_MARKER["PLD21"].text + ".geojson")
    contours.write_text(json.dumps(_outline(wh, Q1, P.BY_MARKER["PLD24"].text)), encoding="utf-8")
    assert main(["import", "contours", str(contours), "--db", str(wh)]) == 0
    return refusals


def _outline(wh: Path, code: str, name: str) -> dict:
    import shapely
    from shapely.geometry import mapping

    from observatoire import db

    con = db.connect(wh, read_only=True)
    try:
        geom = con.execute("SELECT geom FROM territory_geom WHERE code = ? AND kind = 'contour'", [code]).fetchone()[0]
    finally:
        con.close()
    geometry = mapping(shapely.from_wkb(bytes(geom)))
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": geometry,
                                                       "properties": {"code_qp": code, "lib_qp": name}}]}


def _cli(main, argv: list[str], p: P.Payload, where: str) -> dict:
    """Run a command line that must refuse `p`: exit 1, its French reason on stderr, no traceback."""
    import contextlib

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    text = err.getvalue()
    assert code == 1 and "Traceback" not in text, (where, p.marker, code, text[-800:])
    assert text.startswith("ERREUR") and p.reason in text, (where, p.marker, text[-800:])
    return {"chemin": where, "charge": p.marker, "motif": p.reason}


# =========================================================================== one saisie database, seeded

ENGINES = ["duckdb", "postgresql"]


@pytest.fixture(scope="module", params=ENGINES)
def crawl(request, crawl_warehouse, tmp_path_factory):
    """A saisie database on one engine holding the corpus (written through every path), and a live server."""
    require_chromium()
    wh, imports_dir, wh_refusals = crawl_warehouse
    engine = request.param
    tmp = tmp_path_factory.mktemp(f"crawl_{engine}")
    if engine == "duckdb":
        target, cleanup = tmp / "saisie.duckdb", None
    else:
        base = request.getfixturevalue("pg_base_url")
        target, schema = st.new_pg_target(base)
        cleanup = (base, target, schema)
    t0 = time.perf_counter()
    with pytest.MonkeyPatch.context() as mp:
        for k in [k for k in os.environ if k.startswith("OBSERVATOIRE_SAISIE")]:
            mp.delenv(k)
        mp.setenv("OBSERVATOIRE_DB", str(wh))
        mp.setenv("OBSERVATOIRE_IMPORTS_DIR", str(imports_dir))
        mp.setenv("OBSERVATOIRE_SAISIE_URL" if engine == "postgresql" else "OBSERVATOIRE_SAISIE_DB", str(target))
        record = {"moteur": engine, "refus": list(wh_refusals), "acceptes": []}
        seed(target, wh, tmp, record)
        seeded = time.perf_counter() - t0
        env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVATOIRE_SAISIE")}
        env.update(OBSERVATOIRE_DB=str(wh), OBSERVATOIRE_IMPORTS_DIR=str(imports_dir), PYTHONPATH=str(ROOT),
                   OBSERVATOIRE_UTILISATEURS=str(tmp / "absent.toml"))
        env["OBSERVATOIRE_SAISIE_URL" if engine == "postgresql" else "OBSERVATOIRE_SAISIE_DB"] = str(target)
        record["secondes"] = {"écriture": round(seeded, 1)}
        try:
            with serve(env, SHOTS / f"payload-crawl-{engine}.log", port=PORTS[engine]) as url:
                yield {"engine": engine, "target": target, "wh": wh, "tmp": tmp, "url": url, "record": record,
                       "seconds": record["secondes"]}
        finally:
            SHOTS.mkdir(parents=True, exist_ok=True)
            (SHOTS / f"payload-crawl-{engine}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1),
                                                               encoding="utf-8")
            if cleanup:
                st.drop_pg_target(*cleanup)


def seed(target, wh: Path, tmp: Path, record: dict) -> None:
    """Write the corpus through every path; refusals are checked (French reason, nothing written) and recorded."""
    from loaders.__main__ import main

    with store.connect(target):
        pass
    accounts.create_user(CLI, "admin", "administrateur", ADMIN_PW, ADMIN_PW, nom=ADMIN_NAME, target=target)
    admin = accounts.get_user("admin", target=target)
    accounts.create_user(admin, "claire", "chef_de_projet", CHEF_PW, CHEF_PW, contrats=[C, C2], nom=CHEF_NAME,
                         target=target)
    for i, p in enumerate(P.REFUSED):                  # display names: the store's rule
        before = st.dump(target)
        with pytest.raises(accounts.AccountError) as exc:
            accounts.create_user(admin, f"refus{i}", "elu", ADMIN_PW + "x", ADMIN_PW + "x", nom=p.text, target=target)
        assert str(exc.value).startswith("Nom affiché refusé : ") and p.reason in str(exc.value), str(exc.value)
        with pytest.raises(accounts.AccountError):
            accounts.assign(admin, "claire", nom=p.text, target=target)
        assert st.dump(target) == before
        record["refus"].append({"chemin": "comptes : nom affiché (création, modification)", "charge": p.marker,
                                "motif": p.reason})
    accounts.create_user(admin, "ancien", "elu", ADMIN_PW + "y", ADMIN_PW + "y", nom="LEG-ancien", target=target)

    base = ["--contrat", C, "--saisie-db", str(target), "--db", str(wh)]
    for kind in ("programmation", "engagements", "referentiel"):
        spec = _kinds()[kind]
        hostile = kind_file(tmp / f"{kind}-refus.csv", kind, [{col: p.text for col in spec["text"]} for p in P.REFUSED])
        before = st.dump(target)
        with pytest.raises(service.InputError) as exc:
            service.import_file(kind, hostile, C, CLI, False, saisie_db=target, db=wh)
        errors = {(e.line, e.column): e.message for e in exc.value.all}
        for i, p in enumerate(P.REFUSED):
            for col in spec["text"]:
                msg = errors.get((i + 2, col))
                assert msg is not None and p.reason in msg, (kind, col, p.marker, msg)
            record["refus"].append({"chemin": f"import {kind} : " + ", ".join(spec["text"]), "charge": p.marker,
                                    "motif": p.reason})
        assert st.dump(target) == before
        good = kind_file(tmp / f"{kind}.csv", kind, accepted_rows(kind))
        assert main(["import", kind, str(good), *base]) == 0
        record["acceptes"].append(f"import {kind} : " + ", ".join(spec["text"]))

    # Survey: question headers, verbatims, and the options.
    questions = [p.text for p in P.ACCEPTED] + [P.long_text(500)] + [legacy_placeholder(p) for p in P.legacy()]
    verbatims = [p.text for p in P.ACCEPTED] + [P.long_text(5000)] + [legacy_placeholder(p) for p in P.legacy()]
    survey = survey_file(tmp / "enquete.csv", questions, verbatims)
    opts = {"--enquete": P.BY_MARKER["PLD21"].text, "--libelle-vague": P.BY_MARKER["PLD26"].text,
            "--methode": P.BY_MARKER["PLD29"].text}
    before = st.dump(target)
    for option in opts:
        for p in P.REFUSED:
            values = [x for o, v in opts.items() for x in (o, p.text if o == option else v)]
            argv = ["import", "enquete", str(survey), *base, *values]
            record["refus"].append(_cli(main, argv, p, f"import enquete {option}"))
    bad_headers = survey_file(tmp / "enquete-refus.csv", [p.text for p in P.REFUSED], ["ok"])
    with pytest.raises(service.InputError) as exc:
        service.import_file("enquete", bad_headers, C, CLI, False, saisie_db=target, db=wh, **{
            k.lstrip("-").replace("-", "_"): v for k, v in opts.items()})
    refused_headers = {e.column: e.message for e in exc.value.all if e.line == 1}
    for i, p in enumerate(P.REFUSED):
        assert any(col.startswith(f"Q{i + 1} - ") and p.reason in msg for col, msg in refused_headers.items()), (
            p.marker, refused_headers)
        record["refus"].append({"chemin": "import enquete : en-tête de question", "charge": p.marker,
                                "motif": p.reason})
    assert st.dump(target) == before
    for wave in (1, 2):
        assert main(["import", "enquete", str(survey), *base, *[x for kv in opts.items() for x in kv],
                     "--vague", str(wave)]) == 0
    record["acceptes"].append("import enquete : en-têtes, verbatims, --enquete, --libelle-vague, --methode")

    edit_through_the_store(target, record)
    write_around_the_store(target)
    with store.edit(CLI, target) as tx:                   # the contract publishes everything on the static site
        tx.insert("publication", {"contrat_code": C, "engagements": True, "verbatims": True})


# The pages' table editors: table -> text columns the page lets users type in (the page's column lists).
def _editors() -> dict[str, list[str]]:
    from presentation import programmation, referentiel

    text_of = {t: set(store.TABLES[t].editable) for t in store.TABLES}
    action = [c for c in programmation.EDIT_COLUMNS if c in ("numero_dossier", "intitule", "thematique", "porteur_nom",
                                                            "evaluation")]
    ref = [c for c in referentiel.EDIT_COLUMNS if c in ("code", "libelle", "responsable")]
    out = {"action": action, "engagement": ["code", "intitule", "referent", "preuve"], "verbatim": ["texte"],
           "ref_indicateur": ref}
    assert all(set(cols) <= text_of[t] for t, cols in out.items())
    return out


def edit_through_the_store(target, record: dict) -> None:
    """The table editors and the point d'étape form, called as the pages call them (contract.service)."""
    chef = accounts.get_user("claire", target=target)
    for table, cols in _editors().items():
        with store.connect(target) as sc:
            where = {"contrat": C} if table != "verbatim" else {"enquete_id": sc.execute(
                "SELECT min(id) FROM enquete WHERE contrat_code = ?", [C]).fetchone()[0]}
            snap = service.editable_rows(sc, table, cols, **where)
        before = st.dump(target, refusals=False)
        for i, p in enumerate(P.REFUSED):
            for col in cols:              # the store's rule for every column (what store.apply runs on each value)
                assert p.reason in str(store.text_refusal(table, col, p.text)), (table, col, p.marker)
            col = cols[i % len(cols)]     # and the editor's whole path, each payload once, each column in turn
            after = snap.copy()
            after.loc[0, col] = p.text
            with pytest.raises(store.TextRefused) as exc:
                service.save(service.diff(table, snap, after), chef, target)
            assert p.reason in str(exc.value) and str(exc.value).startswith("Texte refusé dans « "), str(exc.value)
            assert p.text not in str(exc.value)
        assert st.dump(target, refusals=False) == before
        for p in P.REFUSED:
            record["refus"].append({"chemin": f"éditeur {store.TABLES[table].label} : " + ", ".join(cols),
                                    "charge": p.marker, "motif": p.reason})
        # accepted: the first row's text columns take accepted payloads (those that fit the column)
        after = snap.copy()
        for j, col in enumerate(cols):
            rule = store.TABLES[table].text_rule(col)
            pick = P.ACCEPTED[(j + 3) % len(P.ACCEPTED)]
            after.loc[0, col] = fit(pick, rule) if rule is not CODE else f"{pick.marker}-édité <5> & \"x\" 'y'"
        service.save(service.diff(table, snap, after), chef, target)
        record["acceptes"].append(f"éditeur {store.TABLES[table].label} : " + ", ".join(cols))

    with store.connect(target) as sc:
        eng_id, version = sc.execute("SELECT id, row_version FROM engagement WHERE contrat_code = ? ORDER BY code "
                                     "LIMIT 1", [C]).fetchone()
    before = st.dump(target, refusals=False)
    for p in P.REFUSED:
        with pytest.raises(store.TextRefused) as exc:
            service.add_review(chef, C, eng_id, version, date=dt.date(2026, 12, 1), statut="en_cours",
                               commentaire=p.text, instance="copil")
        assert "« Commentaire » (points d'étape)" in str(exc.value) and p.reason in str(exc.value)
        record["refus"].append({"chemin": "formulaire point d'étape : commentaire", "charge": p.marker,
                                "motif": p.reason})
    assert st.dump(target, refusals=False) == before
    service.add_review(chef, C, eng_id, version, date=dt.date(2026, 12, 1), statut="en_cours",
                       commentaire=P.BY_MARKER["PLD27"].text, instance="copil")
    record["acceptes"].append("formulaire point d'étape : commentaire ; auteur = nom affiché du compte")


def write_around_the_store(target) -> None:
    """Legacy rows: every placeholder `LEG-PLDnn` of a text column becomes the refused payload PLDnn, written in
    SQL (a database older than the text rule); one account's display name too."""
    with store.connect(target) as con:
        for table, spec in store.TABLES.items():
            cols = [c for c in spec.editable if spec.text_rule(c) and _is_text(con, table, c)]
            for col in cols:
                for p in P.legacy():
                    value = p.text if len(p.text) <= 60 or spec.text_rule(col).max_length > 60 else p.text[:60]
                    con.execute(f'UPDATE "{table}" SET {col} = ? WHERE {col} = ?', [value, legacy_placeholder(p)])
        con.execute("UPDATE users SET nom = ? WHERE login = 'ancien'", [P.BY_MARKER["PLD03"].text])


def _is_text(con, table: str, column: str) -> bool:
    row = con.execute("SELECT data_type FROM information_schema.columns WHERE table_name = ? AND column_name = ? "
                      "AND table_schema = current_schema()", [table, column]).fetchone()
    return bool(row) and row[0].upper() in ("VARCHAR", "TEXT", "CHARACTER VARYING")


# =========================================================================== the tests

def test_every_path_refuses_what_the_rule_refuses_and_stores_the_rest(crawl):
    """The record of the writes: every refused payload was refused on every path (checked as it was written),
    and the accepted corpus is in the database, as typed."""
    rec = crawl["record"]
    paths = {r["chemin"] for r in rec["refus"]}
    for p in P.REFUSED:
        assert {r["chemin"] for r in rec["refus"] if r["charge"] == p.marker} == paths, p.marker
    with store.connect(crawl["target"]) as sc:
        stored = {r[0] for r in sc.execute("SELECT objectif FROM engagement WHERE contrat_code = ?", [C]).fetchall()}
        titles = {r[0] for r in sc.execute("SELECT titre FROM enquete WHERE contrat_code = ?", [C]).fetchall()}
        names = {r[0] for r in sc.execute("SELECT nom FROM users").fetchall()}
    assert {p.text for p in P.ACCEPTED} <= stored
    assert P.long_text(5000) in stored
    assert {p.text for p in P.legacy()} <= stored                      # written around the store
    assert titles == {P.BY_MARKER["PLD21"].text}
    assert {CHEF_NAME, ADMIN_NAME, P.BY_MARKER["PLD03"].text} <= names


# =========================================================================== the browser

def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


# (name, path): every page of the menu with the corpus in view, and hostile values typed in the address bar.
# The warehouse's pages (names, labels, units and file names of the warehouse imports) are the same on both
# engines: they are visited on DuckDB only; the contract pages read the saisie database: on both.
WAREHOUSE_PAGES = [
    ("accueil", "/?recherche=Bourg-en-Bresse"),
    ("carte", "/carte?generation=2024&zone=R84"),
    ("fiche", f"/fiche?quartier={Q1}"),
    ("comparer", f"/comparer?selection={Q1},{Q2}"),
    ("barometre", f"/barometre?quartier={Q1}"),
    ("localiser", "/localiser"),
]
CONTRACT_PAGES = [(name, f"/{name}?contrat={C}")
                  for name in ("programmation", "engagements", "enquetes", "referentiel", "exports")]
URL_PAGES = [
    ("accueil-url", "/?recherche=" + _q(P.BY_MARKER["PLD02"].text)),
    ("fiche-url", "/fiche?quartier=" + _q(P.BY_MARKER["PLD24"].text)),
    ("engagements-url", "/engagements?contrat=" + _q(P.BY_MARKER["PLD25"].text)),
]
# What each engine's crawl does besides the contract pages signed in and the Comptes page (the administrator):
# DuckDB every page anonymous (the contract pages, the warehouse's pages, the address bar) and the pages' table
# downloads; PostgreSQL the pages' own forms and uploads (the point d'étape form, the programmation upload, a
# survey's first upload). Both together cover every page, anonymous and signed in, and every path; the whole
# crawl stays within a few minutes on two cores.
PLAN = {"duckdb": {"anonymous": CONTRACT_PAGES + WAREHOUSE_PAGES + URL_PAGES, "downloads": True, "forms": False},
        "postgresql": {"anonymous": [], "downloads": False, "forms": True}}
BATCH = 3          # pages loading at once (the server runs their scripts while the browser probes the first)


class Visits:
    """One browser context (a user): every request, dialog and page error of its pages, and what each page held."""

    def __init__(self, browser, url: str, who: str):
        self.url, self.who = url, who
        self.context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="fr-FR",
                                           accept_downloads=True)
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.found: dict[str, list[str]] = {}
        self.mangled: dict[str, list[str]] = {}
        self.texts: dict[str, str] = {}
        self.context.on("request", self._request)
        # anything that would leave the server is recorded, then refused (nothing reaches the network)
        self.context.route(lambda u: not self._local(u), lambda route: route.abort())

    def _local(self, u: str) -> bool:
        return u.startswith((self.url, "data:", "blob:", "about:"))

    def _request(self, request) -> None:
        self.requests.append(request.url)
        if not self._local(request.url):
            self.outside.append(request.url)

    def new_page(self):
        page = self.context.new_page()
        page.on("dialog", lambda d: (self.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)[:300]))
        return page

    def open(self, path: str, page=None, wait: bool = True):
        page = page or self.new_page()
        page.goto(self.url + path, wait_until="domcontentloaded", timeout=60_000)
        if wait:
            ready(page)
        return page

    def visit(self, pages: list[tuple[str, str]], then=None) -> None:
        """Open `pages` BATCH at a time (loaded together, probed one after the other), probe each, run
        `then(name, page)` on it, close it."""
        for i in range(0, len(pages), BATCH):
            batch = [(name, self.open(path, wait=False)) for name, path in pages[i:i + BATCH]]
            for name, page in batch:
                ready(page)
                self.probe(page, name)
                if then:
                    then(name, page)
                page.close()

    def probe(self, page, name: str) -> None:
        """What the page holds now: injected elements/attributes, payloads not shown as typed."""
        if page.locator(".js-plotly-plot").count():
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        exceptions = page.locator("[data-testid=stException]")
        assert exceptions.count() == 0, f"{self.who} {name}: " + exceptions.first.inner_text()[:1500]
        res = page.evaluate(P.DOM_PROBE)
        key = f"{self.who} {name}"
        self.found[key] = res["found"]
        self.mangled[key] = P.mangled(res["text"], P.ALL)
        self.texts[key] = res["text"]

    def login(self, login: str, password: str):
        """Sign in through the login box of a contract page; that page is probed signed in, then closed."""
        page = self.open(f"/engagements?contrat={C}")
        page.get_by_label("Identifiant").fill(login, timeout=90_000)
        page.get_by_label("Mot de passe", exact=True).fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Connecté :").wait_for(timeout=90_000)
        idle(page)
        return page


def ready(page) -> None:
    """The page's first script run is over."""
    page.wait_for_selector("[data-testid=stMain]", timeout=60_000)
    idle(page)


def upload(page, key: str, path: Path) -> None:
    """Give `path` to the file uploader of widget key `key` (a page may hold several)."""
    page.locator(f".st-key-{key} input[type=file]").set_input_files(str(path), timeout=90_000)


def shown(page, text: str) -> None:
    """Wait until `text` is on the page; else the page's screenshot and text are kept, and the test fails."""
    from playwright.sync_api import TimeoutError as Timeout

    try:
        page.get_by_text(text, exact=False).first.wait_for(timeout=90_000)
    except Timeout:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "payload-crawl-echec.png"), full_page=True)
        body = page.locator("[data-testid=stMain]").inner_text()
        shows = f"{body[:800]}\n…\n{body[-2500:]}"
        raise AssertionError(f"« {text} » absent de la page ; elle montre :\n{shows}") from None


def idle(page) -> None:
    """The script run is over: no « running » widget and the page's elements stopped changing."""
    last = -1
    for _ in range(300):
        page.wait_for_timeout(350)
        page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
        n = page.evaluate("() => document.querySelectorAll('[data-testid=stMain] *').length")
        if n == last and n > 40:
            return
        last = n


@pytest.fixture(scope="module")
def crawled(crawl):
    """The pages in Chromium as anonymous, as the chef de projet and as the administrator (Comptes), what the
    engine's PLAN adds (warehouse pages, address bar, downloads, the pages' own forms and uploads); the CSV/XLSX
    downloads of the pages' tables are kept for the files' test."""
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    url, tmp, plan = crawl["url"], crawl["tmp"], PLAN[crawl["engine"]]
    out = {"visits": [], "downloads": {}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if plan["anonymous"]:
                anon = Visits(browser, url, "anonyme")
                anon.open("/").close()                # a first run through app.py (see tests/test_browser_deeplink.py)
                anon.visit(plan["anonymous"],
                           then=lambda name, page: localiser_upload(anon, page, tmp) if name == "localiser" else None)
                out["visits"].append(anon)

            def signed_in(name, page):
                if name != "exports":                   # the login box of the contract-life pages
                    assert page.get_by_text("Connecté :").count() > 0, name
                if plan["downloads"] and name in DOWNLOADS:
                    out["downloads"].update(table_download(page, name))

            chef = Visits(browser, url, "chef de projet")
            page = chef.login("claire", CHEF_PW)            # signed in on the Engagements page
            chef.probe(page, "engagements")
            signed_in("engagements", page)
            page.close()
            chef.visit([p for p in CONTRACT_PAGES if p[0] != "engagements"], then=signed_in)
            if plan["forms"]:
                point_d_etape_form(chef, tmp)
                programmation_upload(chef, tmp, crawl)
                survey_first_upload(chef, tmp, crawl)
            out["visits"].append(chef)

            admin = Visits(browser, url, "administrateur")
            admin.login("admin", ADMIN_PW).close()
            admin.visit([("comptes", "/comptes")])
            out["visits"].append(admin)
        finally:
            browser.close()
    crawl["seconds"]["navigateur"] = round(time.perf_counter() - t0, 1)
    return out


def localiser_upload(v: Visits, page, tmp: Path) -> None:
    """A file of points whose name, header and labels are payloads: the answer shows them as typed."""
    name = P.BY_MARKER["PLD26"].text + ".csv"
    rows = [[p.text, "46,2", "5,22"] for p in P.ACCEPTED] + [[p.text, "46,2", "5,22"] for p in P.legacy()]
    src = write_csv(tmp / name, [P.BY_MARKER["PLD21"].text, "latitude", "longitude"], rows)
    page.set_input_files("[data-testid=stFileUploader] input[type=file]", str(src))
    page.wait_for_selector("[data-testid=stMetric]", timeout=90_000)
    idle(page)
    v.probe(page, "localiser (fichier déposé)")


# One download per page (Chromium holds back a second download started from the same page): the CSV of the
# commitments, the XLSX of the actions.
DOWNLOADS = {"engagements": ("csv", "eng_all"), "programmation": ("xlsx", "prog_actions")}


def table_download(page, name: str) -> dict[str, bytes]:
    """The page's main table as its download button gives it."""
    fmt, key = DOWNLOADS[name]
    with page.expect_download(timeout=60_000) as dl:
        page.locator(f".st-key-dl_{fmt}_{key} button").first.click()
    return {f"{name}.{fmt}": Path(dl.value.path()).read_bytes()}


def point_d_etape_form(v: Visits, tmp: Path) -> None:
    """The form of the Engagements page: a refused comment gets the store's French message, an accepted one is
    saved."""
    page = v.open(f"/engagements?contrat={C}")
    for p, expect in ((P.BY_MARKER["PLD02"], "Texte refusé dans « Commentaire » (points d'étape) : balise HTML"),
                      (P.BY_MARKER["PLD33"], "Point d'étape du")):
        page.get_by_label("Commentaire").fill(p.text, timeout=60_000)
        page.get_by_role("button", name="Enregistrer le point d'étape").click()
        shown(page, expect)
        idle(page)
        v.probe(page, f"engagements (point d'étape {p.marker})")
    page.close()


def programmation_upload(v: Visits, tmp: Path, crawl: dict) -> None:
    """The in-page import: a file named by a payload, holding a new action typed with payloads: the dry run's
    report and the saved import's message show the file name as typed."""
    name = P.BY_MARKER["PLD27"].text + ".csv"
    row = {col: fit(P.BY_MARKER["PLD23"], rule) for col, rule in _kinds()["programmation"]["text"].items()}
    row["N° dossier"] = "PAGE-1"
    src = kind_file(tmp / name, "programmation", [row])
    page = v.open(f"/programmation?contrat={C}")
    page.get_by_text("Importer une programmation (XLSX ou CSV)").click()
    upload(page, f"up_programmation_{C}", src)          # not the beneficiaries' uploader above it
    shown(page, "Aperçu des 1 premières lignes")
    idle(page)
    v.probe(page, "programmation (vérification d'un dépôt)")
    page.get_by_role("button", name="Enregistrer l'import").click()
    shown(page, "Import enregistré")
    idle(page)
    v.probe(page, "programmation (dépôt enregistré)")
    page.close()
    with store.connect(crawl["target"]) as sc:
        assert sc.execute("SELECT file_name FROM import_log WHERE kind = 'programmation' ORDER BY id DESC "
                          "LIMIT 1").fetchone()[0] == name


def survey_first_upload(v: Visits, tmp: Path, crawl: dict) -> None:
    """A first survey of a contract, uploaded in the page: its title is the file's name. A name the text rule
    refuses is refused (French, nothing stored); an accepted one becomes the title, shown as typed."""
    def survey(name: str) -> Path:
        return survey_file(tmp / name, ["Je me sens bien dans mon quartier"], [f"Réponse {i}" for i in range(24)],
                           n_per_quartier=24, quartiers=(Q3,))           # no two rows alike

    page = v.open(f"/enquetes?contrat={C2}")
    # a name without « " »: a browser sends « %22 » for it (the HTML form encoding of a file name), so a name
    # with one is not shown as typed whatever the page does
    bad = survey(P.BY_MARKER["PLD06"].text + ".csv")
    upload(page, f"up_enquete_{C2}", bad)
    shown(page, "Fichier refusé, rien n'a été enregistré")
    idle(page)
    v.probe(page, "enquêtes (premier dépôt refusé)")
    page.close()
    with store.connect(crawl["target"]) as sc:
        assert sc.execute("SELECT count(*) FROM enquete WHERE contrat_code = ?", [C2]).fetchone()[0] == 0
    crawl["record"]["refus"].append({"chemin": "dépôt dans la page : nom du fichier = titre de l'enquête",
                                     "charge": "PLD06", "motif": P.HTML_REASON})
    good = survey(P.BY_MARKER["PLD28"].text + ".csv")
    page = v.open(f"/enquetes?contrat={C2}")
    upload(page, f"up_enquete_{C2}", good)
    page.get_by_role("button", name="Enregistrer l'import").click(timeout=90_000)
    shown(page, "Import enregistré")
    idle(page)
    v.probe(page, "enquêtes (premier dépôt enregistré)")
    assert P.BY_MARKER["PLD28"].text in v.texts[f"{v.who} enquêtes (premier dépôt enregistré)"]
    page.close()


def test_no_page_runs_or_shows_a_payload_other_than_as_typed(crawl, crawled):
    problems = []
    seen = set()
    for v in crawled["visits"]:
        for key, found in v.found.items():
            problems += [f"{key}: élément ou attribut injecté {f}" for f in found]
        for key, bad in v.mangled.items():
            problems += [f"{key}: {m}" for m in bad]
        for text in v.texts.values():
            flat = P.whitespace(text)
            seen |= {p.marker for p in P.ALL if P.whitespace(p.text) in flat}
        problems += [f"{v.who}: requête hors du serveur {u}" for u in v.outside]
        problems += [f"{v.who}: boîte de dialogue JavaScript {d}" for d in v.dialogs]
    assert not problems, "\n".join(problems[:60])
    # every accepted payload and every legacy one was shown somewhere, as typed
    assert {p.marker for p in P.ACCEPTED + P.legacy()} - seen == set()


# =========================================================================== the exports

@pytest.fixture(scope="module")
def exported(crawl):
    """Every export of the contract and of its first quartier, generated as the Exports page and the command
    line do (the saisie database of the engine under test): {file name: bytes}, the static site's files too."""
    from exports import classeur, deck, fiche_pdf, rapport
    from exports.site import build as site
    from observatoire import db

    t0 = time.perf_counter()
    out = crawl["tmp"] / "exports"
    con = db.connect(crawl["wh"], read_only=True)
    try:
        paths = [deck.build(con, C, out / "copil.pptx", depuis=dt.date(2026, 1, 1), annexe=True),
                 rapport.build(con, C, 2026, out / "rapport.docx")]
        if crawl["engine"] == "duckdb":         # the warehouse's alone: the same on both engines
            paths += [fiche_pdf.build(con, Q1, out / "fiche.pdf"), classeur.build(con, [C], out / "classeur.xlsx")]
        site.build(con, out / "site", contrat=C, today=dt.date(2026, 12, 6),
                   base_url="https://observatoire.example.fr/")
    finally:
        con.close()
    files = {Path(p).name: Path(p).read_bytes() for p in paths}
    files.update({f"site/{p.relative_to(out / 'site')}": p.read_bytes()
                  for p in sorted((out / "site").rglob("*")) if p.is_file()})
    crawl["seconds"]["exports"] = round(time.perf_counter() - t0, 1)
    return files


def test_no_export_holds_a_formula_a_live_link_or_an_injected_element(crawl, crawled, exported):
    files = {**exported, **crawled["downloads"]}
    problems, kinds = [], set()
    for name, data in files.items():
        suffix = Path(name).suffix
        kinds.add(suffix)
        if suffix in (".pptx", ".docx", ".xlsx"):
            problems += P.ooxml_problems(name, data)
        elif suffix == ".pdf":
            problems += P.pdf_problems(name, data)
            problems += [f"{name}: {m}" for m in P.mangled(P.pdf_text(data), P.pdf_drawable(P.ALL))]
        elif suffix == ".csv":
            problems += P.csv_problems(name, data)
        elif suffix == ".html":
            html = data.decode("utf-8")
            problems += P.html_problems(name, html)
            problems += [f"{name}: {m}" for m in P.mangled(P.html_text(html), P.ALL)]
    assert not problems, "\n".join(problems[:60])
    assert {".pptx", ".docx", ".xlsx", ".csv", ".html"} | ({".pdf"} if crawl["engine"] == "duckdb" else set()) <= kinds
    # the corpus did reach the files: the deck's chart workbooks, the report and the site name the payloads
    deck_text = _ooxml_text(files["copil.pptx"])
    assert "PLD" in deck_text and "PLD" in _ooxml_text(files["rapport.docx"])
    site_text = " ".join(P.html_text(d.decode("utf-8")) for n, d in files.items() if n.endswith(".html"))
    if "fiche.pdf" in files:              # the PDF's text was read: the file name of the quartier's imported value
        assert P.MARKERS.search(P.pdf_text(files["fiche.pdf"]))   # (names in its charts: tests/unit/test_pdf_charts.py)
    assert P.BY_MARKER["PLD21"].text in P.whitespace(site_text)
    # a formula payload (a legacy row) reached the office files as text: on a slide, in a report's table cell
    # neutralised
    formula = P.BY_MARKER["PLD07"].text
    assert formula in deck_text and "'" + formula in _ooxml_text(files["rapport.docx"])


def test_report_charts_are_word_charts_and_checked(crawl, exported):
    """The annual report's charts are Word chart parts, each with its embedded workbook (Word edits the data);
    ooxml_problems reads both: the report holds no formula and no live name, and one planted in a chart's
    workbook or in a chart's names is found."""
    data = exported["rapport.docx"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        rels = {n: z.read(n).decode("utf-8") for n in names if n.startswith("word/charts/_rels/")}
    charts = sorted(n for n in names if n.startswith("word/charts/chart"))
    books = sorted(n for n in names if n.startswith("word/embeddings/") and n.endswith(".xlsx"))
    assert charts and len(books) == len(charts)          # the programmation by year at least (the corpus's rows)
    assert all("relationships/package" in r and ".xlsx" in r for r in rels.values())
    assert P.ooxml_problems("rapport.docx", data) == []
    planted = P.ooxml_problems("rapport.docx", _planted(data, charts[0], books[0]))
    assert any(books[0] in m and "formule <f>" in m for m in planted), planted
    assert any(charts[0] in m and "non neutralisé" in m for m in planted), planted


def _planted(data: bytes, chart: str, book: str) -> bytes:
    """The DOCX with a live formula in `book`'s first series name (cell B1) and a name starting with « = » in
    `chart`."""
    import re

    def rewrite(blob: bytes, edit) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(blob)) as zin, zipfile.ZipFile(out, "w") as zout:
            for n in zin.namelist():
                zout.writestr(n, edit(n, zin.read(n)))
        return out.getvalue()

    def sheet(n, b):
        return re.sub(rb"<c r=\"B1\"[^>]*?(/>|>.*?</c>)", b'<c r="B1"><f>HYPERLINK("x")</f></c>', b, count=1,
                      flags=re.S) if n.startswith("xl/worksheets/") else b

    def docx(n, b):
        if n == book:
            return rewrite(b, sheet)
        if n == chart:
            return re.sub(rb"(<c:strCache>.*?<c:v>)", rb"\1=1+1 ", b, count=1, flags=re.S)
        return b
    return rewrite(data, docx)


def _ooxml_text(data: bytes) -> str:
    """Every text run, cell text and chart name of an OOXML file (its embedded workbooks included), unescaped."""
    import re

    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for part in z.namelist():
            body = z.read(part)
            if part.endswith(".xlsx"):
                out.append(_ooxml_text(body))
            elif part.endswith(".xml"):
                xml = body.decode("utf-8", "replace")
                out += [P._unxml(t) for t in re.findall(r"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>", xml)]
                out += [P._unxml(t) for cache in re.findall(r"<c:strCache>(.*?)</c:strCache>", xml, re.S)
                        for t in re.findall(r"<c:v>([^<]*)</c:v>", cache)]
    return "\n".join(out)
