"""Exports COPIL & bilan: for one contrat de ville, the COPIL deck (PPTX), the annual report skeleton
(DOCX), the workbook of its quartiers' indicators (XLSX) and each quartier's 2-page fiche (PDF).
The same builders as `python -m exports` (ui/export_buttons.py); what the page proposes comes from
presentation.contract_life (the « dernier COPIL » is the deck's own rule)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from contract import service
from presentation import contract_life, filenames, text
from ui import common, demo, export_buttons, state

common.page_setup("Exports COPIL & bilan",
                  "Un clic pour le diaporama du comité de pilotage, la trame du rapport annuel, le classeur "
                  "d'indicateurs et les fiches quartier — chaque graphique et tableau porte sa source.")


def _saisie():
    """Contracts with contract-life data (démo or real), None when the saisie database is absent or busy."""
    if not service.available():
        return None                    # never created by reading
    return demo.read(service.contracts, quiet=True)        # busy or damaged: the page still works on open data


def _proposal(contrat: str) -> tuple[dt.date, str]:
    found = demo.read(contract_life.copil_proposal, contrat, dt.date.today(), quiet=True) \
        if service.available() else None
    return found or contract_life.copil_proposal(None, contrat, dt.date.today())


options, labels, with_life = contract_life.export_contracts(_saisie(), common.run(contract_life.warehouse_contracts))
contrat = state.selectbox(text.label("levels", "contrat_de_ville"), options, "contrat",
                          format_func=lambda c: labels.get(c, c),
                          default=options[0] if options else None,
                          help="Les contrats dont la programmation ou les engagements sont saisis sont en tête.")
if not contrat:
    st.stop()
if contrat in with_life:
    st.caption("Vie du contrat : programmation et engagements présents dans la base de saisie "
               "(« Données de démonstration » signalées comme telles dans chaque export).")
else:
    st.caption("Pas de programmation ni d'engagements saisis pour ce contrat : les exports portent sur les "
               "données ouvertes (indicateurs, moyens de l'État).")

st.subheader("Comité de pilotage")
proposed, why = _proposal(contrat)
c1, c2 = st.columns([1, 2])
depuis = c1.date_input("Date du dernier COPIL", value=proposed, format="DD/MM/YYYY",
                       help="La diapositive « Depuis le dernier COPIL » liste ce qui a changé depuis cette date.")
c2.caption(f"Proposée : {text.date_text(proposed)} ({text.md_text(why)}). "
           "Le diaporama est modifiable (graphiques natifs PowerPoint) ; la génération prend quelques secondes.")
export_buttons.deck_button(contrat, depuis if depuis != proposed else None)

st.subheader("Rapport annuel politique de la ville")
year = st.number_input("Année du rapport", min_value=2015, max_value=dt.date.today().year,
                       value=dt.date.today().year - 1 if dt.date.today().month < 7 else dt.date.today().year, step=1)
st.caption("Trame conforme au décret n° 2015-1118 du 3 septembre 2015, pré-remplie avec les chiffres et les "
           "graphiques du contrat ; les passages « [À RÉDIGER] » sont à écrire par l'équipe.")
export_buttons.rapport_button(contrat, int(year))

st.subheader("Indicateurs et fiches des quartiers")
quartiers = common.run(contract_life.quartier_list, contrat)
qlabels = dict(quartiers)
c1, c2 = st.columns(2)
with c1:
    st.caption("Classeur XLSX : tous les indicateurs, tous les millésimes, une feuille par thème, sources et "
               "statuts expliqués.")
    export_buttons.classeur_button(list(qlabels), container=c1, contrat=contrat)
with c2:
    q = st.selectbox("Fiche PDF du quartier", list(qlabels), format_func=lambda c: f"{qlabels[c]} ({c})")
    if q:
        export_buttons.fiche_pdf_button(q, container=c2)

with st.expander("En ligne de commande"):
    name = common.run(contract_life.warehouse_name, contrat) or contrat
    q1 = next(iter(qlabels), None)
    fiche_cmd = (f"python -m exports fiche --quartier {q1} --out {filenames.fiche(qlabels[q1], q1)}"
                 if q1 else "")
    st.code(f"python -m exports deck --contrat {contrat} --out {filenames.copil(name)} "
            f"--depuis {depuis:%Y-%m-%d}\n"
            f"python -m exports rapport --contrat {contrat} --annee {int(year)} "
            f"--out {filenames.rapport(int(year), name)}\n"
            f"python -m exports classeur --territoires {contrat} --out {filenames.classeur([name])}\n"
            + fiche_cmd, language="bash")
