"""Generate docs/INDICATEURS.md from catalogue/indicators.yaml and catalogue/sources.yaml, and the generated
blocks of the other docs (`<!-- généré:NAME -->` … `<!-- fin:NAME -->`: the secret thresholds, the year rule
of the reference levels) from the catalogue and the vocabulary.

    python -m catalogue.make_docs            # rewrite docs/INDICATEURS.md and the generated blocks
    python -m catalogue.make_docs --check    # exit 1 if a committed file is out of date

The documentation is produced from the single declaration: never edit docs/INDICATEURS.md nor a generated
block by hand.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from observatoire import catalogue, sourceline, vocabulary
from observatoire.cli import ArgumentParser

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "INDICATEURS.md"


def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ").strip()


def _specs(specs) -> str:
    specs = specs if isinstance(specs, list) else [specs]
    out = []
    for i, s in enumerate(specs):
        file, variable = s.split(":", 1)
        shown = f"`{file}` : `{variable}`" if variable == variable.strip() else f"`{file}` : `{variable}` (espace final)"
        out.append(shown + (" (préféré)" if i == 0 and len(specs) > 1 else " (comparé)" if i else ""))
    return "<br>".join(out)


def render() -> str:
    ind_doc, src_doc = catalogue.document("indicators.yaml"), catalogue.document("sources.yaml")
    sources = src_doc["sources"]
    themes, pol, gaps = (vocabulary.labels(k) for k in ("themes", "polarities", "gap_kinds"))
    rules = ind_doc["secret_rules"]
    inds = ind_doc["indicators"]
    lines = [
        "# Indicateurs de l'observatoire",
        "",
        "<!-- Fichier généré par `python -m catalogue.make_docs` depuis catalogue/indicators.yaml et "
        "catalogue/sources.yaml : ne pas le modifier à la main. -->",
        "",
        f"{len(inds)} indicateurs déclarés une seule fois dans `catalogue/indicators.yaml`, lus par les "
        "chargeurs (tables `indicator_catalog`, `indicator_source`, `indicator_absent`, `indicator_value`), "
        "les pages, les exports et cette documentation.",
        "",
        "## Règles communes",
        "",
        "- **Millésime (clé d'édition)** : l'année d'édition SIG Ville du fichier pour les indicateurs "
        "DEMO, IPRO et CAF ; pour les revenus Filosofi, l'**année des revenus**, pour que le quartier et "
        "ses territoires de référence de la même année partagent une clé. L'édition N des fichiers REVN "
        "porte les revenus Filosofi de l'année N-4 (vérifié pour 2021 et 2022, supposé pour 2017 à 2019).",
        "- **Deux fichiers pour la même année** (data_filo17 et REVN_2021, data_filo18 et REVN_2022) : le "
        "fichier Filosofi dédié est retenu, l'autre est comparé et tout désaccord est signalé dans "
        "`build_warning`.",
        "- **Statuts** : `ok` ; `secret` (cellule vide publiée : secret statistique) ; `non_disponible` "
        "(cellule non numérique, ligne « Ensemble » vide, dénominateur nul) ; `absent` (un fichier de la même "
        "famille existe pour ce millésime mais ne contient pas la variable ; le fichier est cité).",
        "- **Parts calculées** : `A/B` = 100 × A / B, `A+B/C` = 100 × (A + B) / C, `A+B` = somme, toujours "
        "sur la même ligne du même fichier.",
        "- **Territoires de référence** : EPCI, départements, régions et France métropolitaine des fichiers "
        "`FILO{année}_DISP_*` pour les seuls indicateurs de revenus listés ci-dessous avec une variable de "
        "référence ; les autres indicateurs de revenus y sont `absent` (pas de valeur, pas de substitution ; "
        "en particulier **aucun taux de pauvreté de référence**).",
        "- **Secret statistique** : " + " ; ".join(
            f"`{k}` : moins de {v['min_units']} {v['unit']} ({v['label']})" for k, v in rules.items()) + ".",
        "- **Polarité** : " + " ; ".join(f"`{k}` {v}" for k, v in pol.items()) + ".",
        "- **Écart** : " + " ; ".join(f"`{k}` {v}" for k, v in gaps.items()) + ". La tolérance est la marge "
        "« comparable / stable » (en points pour les écarts en points, relative sinon).",
        "- **Agrégation** : `sum` (effectifs), `weighted:<indicateur>` (moyenne pondérée par le dénominateur "
        "déclaré), `none` (non agrégeable : médianes, déciles, taux sans dénominateur connu).",
        "",
        "## Vue d'ensemble",
        "",
    ]
    for theme, theme_label in themes.items():
        group = [i for i in inds if i["theme"] == theme]
        if not group:
            continue
        lines += [f"### {theme_label}", "",
                  "| identifiant | libellé | unité | polarité | écart | agrégation | secret | baromètre | millésimes |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for i in group:
            eds = sorted(i["editions"])
            span = f"{eds[0]}–{eds[-1]}" if len(eds) > 1 else str(eds[0])
            lines.append("| " + " | ".join(_cell(x) for x in (
                f"`{i['id']}`", i["label"], i["unit"], i["polarity"], i["gap_kind"], i["aggregation"],
                i.get("secret_rule") or "—", "oui" if i["barometre"] else "", span)) + " |")
        lines.append("")
    lines += ["## Détail par indicateur", ""]
    for i in inds:
        src = sources[i["source"]]
        key = "année des revenus" if i.get("edition_key") == "income_year" else "édition SIG Ville"
        lines += [f"### `{i['id']}` — {i['label']}", "",
                  i["definition"], "",
                  f"- Unité : {i['unit']} ; décimales : {i.get('decimals', 1)} ; thème : {themes[i['theme']]}",
                  f"- Polarité : {pol[i['polarity']]} ; écart : {gaps[i['gap_kind']]} ; tolérance : "
                  f"{i['tolerance']} ; agrégation : `{i['aggregation']}`",
                  f"- Source : {src['producer']} — {src['title']} (`{i['source']}`) ; millésime = {key}"]
        if i.get("secret_rule"):
            lines.append(f"- Secret statistique : `{i['secret_rule']}` "
                         f"(moins de {rules[i['secret_rule']]['min_units']} {rules[i['secret_rule']]['unit']})")
        if i.get("note"):
            lines.append(f"- Note : {i['note']}")
        lines += ["", "| millésime | fichier : variable |", "|---|---|"]
        for year in sorted(i["editions"]):
            lines.append(f"| {year} | {_specs(i['editions'][year])} |")
        refs = i.get("references")
        if refs:
            exc = refs.get("except") or {}
            txt = f"`FILO{{année}}_DISP_{{EPCI,DEP,REG,METROPOLE}}.csv` : `{refs['variable']}`"
            if exc:
                txt += " ; " + ", ".join(f"{y} : " + (f"`{v}`" if v else "absent") for y, v in sorted(exc.items()))
            lines += ["", f"Territoires de référence : {txt}."]
        elif i.get("edition_key") == "income_year":
            lines += ["", "Territoires de référence : absent des fichiers Filosofi de référence (pas de "
                      "substitution)."]
        lines.append("")
    lines += ["## Sources", "", "| source | producteur | titre | millésimes | fichiers |", "|---|---|---|---|---|"]
    for sid, s in sources.items():
        lines.append("| " + " | ".join(_cell(x) for x in (
            f"`{sid}`", s["producer"], s["title"], ", ".join(str(e) for e in s.get("editions") or []) or "—",
            "<br>".join(f"`{f}`" for f in s["files"]))) + " |")
    lines.append("")
    return "\n".join(lines)


DOCS = ROOT / "docs"
_BLOCK = re.compile(r"(<!-- généré:(?P<name>[a-z_-]+) -->\n)(?P<body>.*?)(\n<!-- fin:(?P=name) -->)", re.S)


# The documents of each place of the reference levels (`places` of catalogue/vocabulary.yaml), for the docs.
PLACES = {
    "fiche": "tableau des territoires de référence de la fiche (page et PDF) et barres du détail d'un indicateur",
    "evolution": "séries de référence des graphiques d'évolution (page et PDF)",
    "deck": "tableau des indicateurs clés du rapport annuel (écarts de chaque quartier, lignes de référence)",
    "barometre": "références du voyant du baromètre (page, fiche PDF, diaporama, rapport), essayées dans cet ordre",
}


def blocks() -> dict[str, str]:
    """The generated blocks of the docs, by name: what the catalogue and the vocabulary declare."""
    rules = vocabulary.terms("comparison_rules")
    return {
        "secret": sourceline.secret_note(),
        "regle-annees": "\n".join(f"- {_sentence(t['label'].format(**t))} (`comparison_rules.{code}`)."
                                  for code, t in rules.items()),
        "niveaux": "\n".join(f"- `{place}` — {what} : "
                              + ", ".join(vocabulary.level_label(lv) for lv in vocabulary.levels_in(place)) + "."
                              for place, what in PLACES.items()),
    }


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def with_blocks(text: str) -> str:
    """`text` with every generated block replaced by its current content (unknown names left as they are)."""
    gen = blocks()
    return _BLOCK.sub(lambda m: m.group(1) + gen.get(m.group("name"), m.group("body")) + m.group(4), text)


def outdated() -> list[Path]:
    """The docs whose committed text differs from what the declarations give."""
    out = [TARGET] if (TARGET.read_text(encoding="utf-8") if TARGET.exists() else "") != render() else []
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if path != TARGET and with_blocks(text) != text:
            out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m catalogue.make_docs",
                            description="Écrit docs/INDICATEURS.md et les blocs générés des autres documents depuis "
                                        "le catalogue (indicators.yaml, sources.yaml, vocabulary.yaml).")
    parser.add_argument("--check", action="store_true",
                        help="ne réécrit rien : code de sortie 1 si un document n'est pas à jour")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.check:
        stale = outdated()
        for path in stale:
            print(f"{path} n'est pas à jour : lancez `python -m catalogue.make_docs`", file=sys.stderr)
        return 1 if stale else 0
    text = render()
    TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET} écrit ({len(text.splitlines())} lignes)")
    for path in sorted(DOCS.glob("*.md")):
        old = path.read_text(encoding="utf-8")
        new = with_blocks(old)
        if new != old:
            path.write_text(new, encoding="utf-8")
            print(f"{path} : blocs générés mis à jour")
    return 0


if __name__ == "__main__":
    sys.exit(main())
