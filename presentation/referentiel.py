"""The Référentiel d'évaluation page as one view: enjeu → objectif stratégique → objectif opérationnel →
actions, engagements and indicators, with how far it is filled in (baseline, target, current value).

indicators.referentiel gives the tree and the values (catalogue indicators read their current value from
the warehouse); this module decides every displayed text. Labels typed by the team are returned as typed:
the page escapes them at its sink.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from indicators import referentiel as ref_lib
from observatoire import vocabulary
from presentation import contract_life, sources, text

PRODUCER = "Référentiel saisi par l'équipe du contrat"
DEMO_WHAT = "Le référentiel, ses cibles et ses valeurs saisies"
EDIT_COLUMNS = ["code", "libelle", "responsable", "valeur_reference", "annee_reference", "valeur_cible",
                "annee_cible", "valeur_actuelle", "date_actuelle"]


def _num(v, unit) -> str:
    dec = 0 if float(v).is_integer() else 1
    return text.value_text(float(v), "ok", unit, decimals=dec)


def _value(v, status, unit) -> str:
    if status not in vocabulary.shown_statuses() or v is None or pd.isna(v):
        return vocabulary.status_label(status)
    return _num(v, unit)


def _with_year(v, y, unit) -> str:
    if v is None or pd.isna(v):
        return text.DASH
    return _num(v, unit) + (f" ({text.year_text(y)})" if y is not None and pd.notna(y) else "")


def _origin(o, e) -> str:
    if o == "entrepôt" and pd.notna(e):
        return f"entrepôt, {text.year_text(e)}"
    return o if isinstance(o, str) else text.DASH


def indicator_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The indicators of a node as the page lists them (values with their year, origin, progress)."""
    return pd.DataFrame({
        "Code": rows["code"], "Indicateur": rows["libelle"], "Source": rows["source"], "Responsable": rows["responsable"],
        "Référence": [_with_year(v, y, u) for v, y, u in zip(rows["valeur_reference"], rows["annee_reference"], rows["unite"])],
        "Cible": [_with_year(v, y, u) for v, y, u in zip(rows["valeur_cible"], rows["annee_cible"], rows["unite"])],
        "Valeur actuelle": [_value(v, s, u) for v, s, u in zip(rows["valeur_courante"], rows["statut_courant"], rows["unite"])],
        "Origine": [_origin(o, e) for o, e in zip(rows["origine_courante"], rows["edition_courante"])],
        "Avancement vers la cible": [text.value_text(a, "ok", "%", 0) if a is not None and pd.notna(a) else text.DASH
                                     for a in rows["avancement"]],
    })


@dataclass
class Node:
    """An objective under an enjeu: its heading, its indicators, its operational objectives (with links)."""
    code: str
    label: str
    level: str
    table: pd.DataFrame
    children: list[dict] = field(default_factory=list)     # {code, label, counts, links}


@dataclass
class Enjeu:
    head: str
    table: pd.DataFrame
    objectives: list[Node]


@dataclass
class View:
    empty: bool
    is_demo: bool = False
    source_line: str = ""
    metrics: list[tuple[str, str]] = field(default_factory=list)
    progress: pd.DataFrame | None = None        # indicators.referentiel.progress (charts)
    tree: list[dict] = field(default_factory=list)     # indicators.referentiel.tree (charts)
    enjeux: list[Enjeu] = field(default_factory=list)
    all_indicators: pd.DataFrame | None = None


def view(con, sc, contrat: str) -> View:
    """Everything the page shows (`con` None: no warehouse, current values only from the saisie)."""
    tree = ref_lib.tree(sc, contrat, con)
    if not tree:
        return View(empty=True)
    is_demo = contract_life.is_demo(sc, contrat, "ref_noeud")
    inds = ref_lib.indicators(sc, contrat, con)
    progress = ref_lib.progress(sc, contrat, con)
    src = sources.source_line(contract_life.producer(is_demo, PRODUCER)
                              + (["INSEE / SIG Ville (valeurs de l'entrepôt)"]
                                 if inds["origine_courante"].eq("entrepôt").any() else []), demo=is_demo)
    total = progress[progress["enjeu_code"] == ""].iloc[0]
    metrics = [("Indicateurs", text.count_text(total["n_indicateurs"])),
               ("avec valeur de référence", text.count_text(total["avec_reference"])),
               ("avec cible", text.count_text(total["avec_cible"])),
               ("complets (référence, cible, valeur)", text.value_text(total["taux_complet"], "ok", "%", 0))]
    enjeux = []
    for e in tree:
        f = e["fill"]
        head = (f"{e['code']} — {e['libelle']} · {text.plural_text(e['total_actions'], 'action')}, "
                f"{text.plural_text(e['total_engagements'], 'engagement')} · "
                f"{text.count_text(f['complets'])}/{text.count_text(f['n_indicateurs'])} indicateurs complets")
        objectives = []
        for o in e["children"]:
            children = []
            for oo in o["children"]:
                links = ref_lib.links(sc, oo["id"])
                children.append({"code": oo["code"], "label": oo["libelle"],
                                 "counts": (f"{text.plural_text(oo['n_actions'], 'action')}, "
                                            f"{text.plural_text(oo['n_engagements'], 'engagement')}"),
                                 "links": [f"{t} {r}" for t, r in zip(links["type"], links["reference"])]})
            objectives.append(Node(code=o["code"], label=o["libelle"], level=o["niveau_label"].lower(),
                                   table=indicator_table(inds[inds["noeud_code"] == o["code"]]), children=children))
        enjeux.append(Enjeu(head=head, table=indicator_table(inds[inds["noeud_code"] == e["code"]]),
                            objectives=objectives))
    return View(empty=False, is_demo=is_demo, source_line=src, metrics=metrics, progress=progress, tree=tree,
                enjeux=enjeux, all_indicators=indicator_table(inds).assign(Enjeu=inds["enjeu_code"].values))
