"""AppTest of the four contract-life pages on the démo dataset (real contract CN00604I): what they show,
the démo label, the real State means beside the programmation, secret rules, and role-dependent editing."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest

from contract import accounts, roles, store
from contract.roles import User
from indicators import engagements as eng
from indicators import programmation as prog
from tests.pages_apptest import all_tables, figures, run_page, texts, unescape_md

C = "CN00604I"


@pytest.fixture()
def env(demo_pages_env):
    return demo_pages_env


def _values(v) -> list:
    """Plotly serialises numeric arrays as typed arrays ({dtype, bdata}): decode them."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def _captions(at) -> list[str]:
    """On screen the source line of each chart is an HTML caption under it (ui.blocks.chart)."""
    return [str(m.value) for m in at.markdown if 'class="obs-source"' in str(m.value)]


def _run(page: str, user: User | None = None, **params):
    if user is None:
        return run_page(page, contrat=C, **params)
    from streamlit.testing.v1 import AppTest

    from tests.pages_apptest import ROOT, TIMEOUT
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(f"pages/{page}.py")
    at.query_params["contrat"] = C
    at.session_state["obs_user"] = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_programmation_page(env):
    at = _run("programmation")
    txt = texts(at)
    assert "Données de démonstration" in txt
    with store.connect(env) as sc:
        y = prog.totals_by_year(sc, C).set_index("annee")
        n_acts = len(prog.actions(sc, C, 2026))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Actions financées en 2026"] == str(y.loc[2026, "n_financees"])
    assert metrics["dont État (P147)"] == f"{y.loc[2026, 'montant_accorde_p147']:,.0f} €".replace(",", " ")
    figs = {f["layout"]["title"]["text"]: f for f in figures(at)}
    means = figs["Moyens de l'État : postes financés"]
    ar = next(t for t in means["data"] if t["name"] == "Adultes-relais")
    # adulte-relais-2024.json / -2025.json: 67 and 59 records with code_cv CN00604I (real, not démo)
    assert _values(ar["y"]) == [67, 59] and _values(ar["x"]) == ["2024", "2025 (partiel)"]
    captions = _captions(at)
    # the State means are real (ASP/FONJEP): their source line has no démo label; the programmation's has one
    assert any("ASP" in c and "DÉMONSTRATION" not in c for c in captions), captions
    assert any("DONNÉES DE DÉMONSTRATION" in c for c in captions), captions
    prog_fig = figs["Montants de la programmation par année"]
    assert [str(x) for x in _values(prog_fig["data"][0]["x"])] == ["2024", "2025", "2026"]
    assert "≈" in json.dumps(figs["Crédits accordés par habitant sous le seuil de pauvreté, par quartier et par an"],
                             ensure_ascii=False)
    tables = all_tables(at)
    actions = next(t for t in tables if "N° dossier" in t.columns)
    assert len(actions) == n_acts
    assert "Consultation en **lecture seule**" in txt
    assert not any("Modifier les actions" in e.label for e in at.expander)     # lecture: no editor


def test_engagements_page(env):
    at = _run("engagements")
    txt = texts(at)
    assert "Données de démonstration" in txt
    with store.connect(env) as sc:
        n = len(eng.engagements(sc, C))
        n_late = len(eng.late(sc, C, date.today()))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Engagements"] == str(n) and metrics["En retard"] == str(n_late)
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert "Engagements par signataire" in titles and any(t.startswith("Suivi") for t in titles)
    assert "Ajouter un point d'étape" not in txt           # lecture: no form
    # « depuis le dernier COPIL »: the same sentences as the deck's slide (indicators.since), démo-labelled
    from indicators import since
    from presentation import since as since_view
    with store.connect(env) as sc:
        last = next(d for d in eng.next_review_dates(sc, C) if d <= date.today())
        said = since_view.action_lines(since.facts(None, sc, C, last, date.today()))
    assert "**Actions votées (démo)**" in txt and said[0] in txt


def test_partenaire_adds_a_point_only_to_its_own_commitments(env):
    with store.connect(env) as sc:
        rows = eng.engagements(sc, C)
    caf = rows[rows["type_signataire"] == "caf"].iloc[0]
    other = rows[rows["type_signataire"] == "etat"].iloc[0]
    partner = User("caf06", "partenaire", contrats=(C,), signataire=caf["signataire"], authenticated=True)
    at = _run("engagements", partner)
    pick = at.selectbox(key="eng_pick")
    pick.select(int(other["id"])).run()
    assert "Ajouter un point d'étape" not in texts(at)
    at.selectbox(key="eng_pick").select(int(caf["id"])).run()
    assert f"Ajouter un point d'étape à {caf['code']}" in texts(at)
    form_inputs = [t for t in at.text_input if t.label == "Commentaire"]
    form_inputs[0].input("Revue faite avec la CAF (test)")
    submit = next(b for b in at.button if b.label == "Enregistrer le point d'étape")
    submit.click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    with store.connect(env) as sc:
        got = sc.execute("SELECT p.commentaire, p.auteur FROM engagement_point p WHERE p.engagement_id = ? "
                         "ORDER BY p.id DESC LIMIT 1", [int(caf["id"])]).fetchone()
        who = sc.execute("SELECT DISTINCT who FROM audit WHERE table_name = 'engagement_point' AND op = 'insert' "
                         "AND who = 'caf06'").fetchall()
    assert got == ("Revue faite avec la CAF (test)", "caf06") and who == [("caf06",)]


def test_enquetes_page(env):
    at = _run("enquetes")
    txt = texts(at)
    assert "Données de démonstration" in txt
    figs = figures(at)
    heat = figs[0]
    assert heat["data"][0]["type"] == "heatmap"
    cells = [c for row in heat["data"][0]["text"] for c in row]
    assert "n < min" in cells                             # quartiers under 10 answers are not shown
    with store.connect(env) as sc:
        pub = {r[0] for r in sc.execute("SELECT texte FROM verbatim WHERE publiable").fetchall()}
        private = {r[0] for r in sc.execute("SELECT texte FROM verbatim WHERE NOT publiable").fetchall()} - pub
    shown = [unescape_md(m) for m in (str(e.value) for e in at.markdown) if m.startswith("> «")]
    assert shown and all(any(p in m for p in pub) for m in shown)
    assert not any(p in txt for p in private)


def test_referentiel_page(env):
    at = _run("referentiel")
    assert "Données de démonstration" in texts(at)
    with store.connect(env) as sc:
        n = sc.execute("SELECT count(*) FROM ref_indicateur").fetchone()[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Indicateurs"] == str(n)
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert "Référentiel d'évaluation : remplissage des indicateurs" in titles
    table = next(t for t in all_tables(at) if "Valeur actuelle" in t.columns and "Enjeu" in t.columns)
    assert "non disponible" in set(table["Valeur actuelle"])     # 2024 quartiers: no INSEE value yet


def test_login_form_sets_the_role(env):
    accounts.create_user(roles.cli_user(), "marie", "chef_de_projet", "Quatre-velos-bleus-au-port", contrats=[C],
                         nom="Marie", target=env)
    at = run_page("referentiel", contrat=C)
    at.sidebar.text_input(key="obs_login_id").input("marie")
    at.sidebar.text_input(key="obs_login_pw").input("Quatre-velos-bleus-au-port")
    next(b for b in at.sidebar.button if b.label == "Se connecter").click().run()
    assert not at.exception
    assert at.session_state["obs_user"].role == "chef_de_projet"
    assert accounts.check_session(at.session_state["obs_session_token"], env).login == "marie"
    assert "Connecté :" in texts(at)
    assert any("Renseigner les valeurs" in e.label for e in at.expander)
    assert any("Importer le référentiel" in e.label for e in at.expander)


@pytest.mark.parametrize("page,what", [("engagements", "tableau de bord coopératif"),
                                       ("programmation", "programmation annuelle"),
                                       ("enquetes", "ce que disent les habitants"),
                                       ("referentiel", "arbre d'évaluation")])
def test_any_contract_opens_with_an_empty_state(env, page, what):
    """Issue 10: ?contrat=CN03103I (Toulouse Métropole, no data yet) is kept, named, and explained."""
    at = run_page(page, contrat="CN03103I")
    assert at.query_params["contrat"] == "CN03103I"
    assert at.selectbox(key="url_contrat").value == "CN03103I"
    txt = texts(at)
    assert "Pas encore de données pour Toulouse Métropole (CN03103I)" in txt
    assert what in txt
    assert "Données de démonstration" not in txt
    tpl = [d for d in at.get("download_button") if "Modèle d'import" in d.label]   # the référentiel too (issue 20)
    assert len(tpl) == 1
    assert "connectez-vous" in txt.lower()                      # anonymous: no upload offered
    assert f"python -m loaders import {page.rstrip('s') if page == 'enquetes' else page} FICHIER --contrat CN03103I" \
        in txt


def test_every_contract_is_offered(env):
    """The picker lists the warehouse's contracts of both generations, those with data first."""
    at = run_page("engagements")
    options = at.selectbox(key="url_contrat").options
    assert len(options) > 440
    assert options[0].startswith("Nice Côte d'Azur (CN00604I) — démo") or "— démo" in options[0]
    assert any("(CN03103I, contrat 2024)" in o for o in options)
    assert any(", contrat 2015)" in o for o in options)


def test_first_administrator_setup_screen(tmp_path, monkeypatch):
    """A fresh install: Comptes shows the one-time setup screen; the passwords must match; the first
    administrateur is created and logged in, and the screen is gone."""
    from streamlit.testing.v1 import AppTest

    from tests.pages_apptest import ROOT, TIMEOUT
    monkeypatch.setenv("OBSERVATOIRE_SAISIE_DB", str(tmp_path / "neuve.duckdb"))
    monkeypatch.setenv("OBSERVATOIRE_UTILISATEURS", str(tmp_path / "aucun.toml"))
    monkeypatch.delenv("OBSERVATOIRE_ADMIN_LOGIN", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/comptes.py")
    at.run()
    assert "Première mise en service" in texts(at)
    assert not re.search(r"\w+/\w+\.(py|md|yaml)", texts(at))     # issue 18: no developer path (docs/….md)
    at.text_input(key="setup_login").input("direction")
    at.text_input(key="setup_nom").input("Direction de la cohésion")
    at.text_input(key="setup_pw").input("mot-de-passe-long")
    at.text_input(key="setup_pw2").input("mot-de-passe-autre")
    at.button[0].click().run()
    assert any("diffèrent" in str(e.value) for e in at.error)
    assert accounts.needs_first_admin(tmp_path / "neuve.duckdb")
    at.text_input(key="setup_pw2").input("mot-de-passe-long")
    at.button[0].click().run()
    assert not at.exception
    assert not accounts.needs_first_admin(tmp_path / "neuve.duckdb")
    assert at.session_state["obs_user"].login == "direction"
    assert "Première mise en service" not in texts(at) and "Créer un compte" in texts(at)
