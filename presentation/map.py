"""View model of the Carte: one indicator over every quartier of a geography, framed on a zone.

`map_view(con, generation, indicator_id, edition, zone, focus)` is a plain, picklable object whose inputs are
explicit (a figure can be cached per geography, indicator, edition and zone): the values of the zone's
quartiers with their hover texts (`text.value_cell`: « ≈ » for a 2024 quartier's value taken from its 2015
predecessors, the status label when hidden), the values of ALL quartiers of the geography (classes are
computed on them, so colours compare across zones), the source line, the sentences and the table under the
map. The geometry (per geography, not per indicator) comes from `shape_rows` / `outline_rows`; charts.maps
draws both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from indicators import catalog, geometry, position, references, search
from observatoire import vocabulary
from presentation import quartier as quartier_view, sources, text

GEN_LABELS = {"2015": "2015 (indicateurs INSEE)", "2024": "2024 (≈ valeurs 2015)"}
LEGEND_NOTE_2024 = ("≈ valeurs approchées : celles des quartiers 2015 correspondants (table de passage "
                    "2015 → 2024), les périmètres ayant changé")
SOURCE_NOTE_2024 = "valeurs des quartiers 2015 correspondants (table de passage 2015 → 2024)"
NO_PREDECESSOR = "pas de quartier 2015 correspondant : pas de valeur"
NO_VALUE_LABEL = "secret, non disponible, non publié ou non transposable"
OVERSEAS = r"9[78]"          # département codes of the overseas quartiers (outside the mainland frame)


@dataclass
class Focus:
    """The quartier asked in the URL (`carte?quartier=CODE`), or why none is."""
    code: str | None = None
    name: str | None = None
    generation: str | None = None
    departement: str | None = None
    error: str | None = None


def focus_view(con, asked: str) -> Focus:
    code = references.normalise_code(asked)
    found = search.quartier_row(con, code)
    if found is None:
        return Focus(error=(f"Quartier inconnu : « {asked} » n'est le code d'aucun quartier prioritaire de "
                            "l'entrepôt (QP… pour la géographie 2015, QN… pour 2024). La carte n'est centrée sur "
                            "aucun quartier."))
    dep = found["departement"] if isinstance(found["departement"], str) else None
    return Focus(code, found["name"], str(found["generation"]), dep)


def zone_choices(con, generation: str) -> dict[str, str]:
    """{zone code: label}: « FR » France entière, « R76 » each région, « D31 » each département that has
    quartiers of the geography."""
    directory = search.directory(con, generation)
    dep_names = search.names_by_cog(con, "departement")
    reg_names = search.names_by_cog(con, "region")
    zones = {"FR": "France entière"}
    for reg in sorted(directory.region.dropna().unique(), key=lambda r: reg_names.get(r, r)):
        zones[f"R{reg}"] = f"{vocabulary.level_label('region')} : {reg_names.get(reg, reg)}"
    for dep in sorted(directory.departement.dropna().unique()):
        zones[f"D{dep}"] = f"{vocabulary.level_label('departement')} : {dep} {dep_names.get(dep, '')}".rstrip()
    return zones


@dataclass
class MapView:
    generation: str
    indicator_id: str
    edition: int
    zone: str
    focus: str | None
    label: str
    unit: str | None
    decimals: int
    polarity: str
    values: pd.DataFrame                  # the zone's quartiers: code, name, value, status, value_text, place_text…
    national: list[float]                 # every shown value of the geography (class breaks)
    source_line: str
    zone_label: str
    detail: str                           # geometry detail: 'overview' (national view) or 'display'
    frame_codes: list[str]                # the quartiers the view is framed on
    epci_zone: tuple[str, str] | None     # ('departement'|'region', code) whose EPCI outlines are drawn
    highlight: list[str] = field(default_factory=list)
    legend_note: str | None = None
    no_value_label: str = NO_VALUE_LABEL
    note_2024: str | None = None          # a Markup fragment (bold words)
    table: pd.DataFrame | None = None
    table_title: str = ""
    n_values: int = 0
    overseas: int = 0

    def summary(self, n_contours: int) -> str:
        """The Markdown line above the map (names escaped); `n_contours` = quartiers drawn with their contour."""
        n = len(self.values)
        words = (f"**{text.md_text(self.label)}** — millésime {text.year_text(self.edition)} — "
                 f"{text.md_text(self.zone_label)} : {text.count_text(n)} quartiers, dont "
                 f"{text.count_text(n_contours)} avec leur contour réel et {text.count_text(n - n_contours)} "
                 f"localisés par leur commune ; {text.count_text(self.n_values)} avec une valeur"
                 + (" (≈ approchée)" if self.generation == "2024" else " publiée"))
        if self.highlight:
            name = self.values.loc[self.values.code == self.focus, "name"]
            words += (f". Carte centrée sur **{text.md_text(name.iloc[0] if len(name) else self.focus)}** "
                      f"({self.focus})")
        if self.overseas:
            words += (f". Les {text.count_text(self.overseas)} quartiers d'outre-mer sont à leur place réelle, hors "
                      "du cadre : choisissez leur région dans « Zone affichée »")
        return words + "."

    def how_to_read(self, method_title: str | None, definition: str = "") -> str:
        classes = f"{method_title.lower()}, calculées" if method_title else "aucune valeur"
        return (f"Chaque quartier est coloré selon sa classe ({classes} sur tous les quartiers de France, pas "
                f"seulement la zone affichée). {definition} Les quartiers sont dessinés avec leur contour réel ; à "
                "l'échelle nationale, un point marque aussi chaque contour, trop petit pour être vu. Les quartiers "
                "dont le contour n'est pas disponible sont représentés par un cercle placé sur leur commune. "
                "Cliquez sur un quartier pour ouvrir sa fiche ; sélectionnez-en plusieurs (outil rectangle) pour "
                "les comparer.")


def _in_zone(values: pd.DataFrame, zone: str) -> pd.Series:
    if zone.startswith("R"):
        return values.region == zone[1:]
    if zone.startswith("D"):
        return values.departement == zone[1:]
    return pd.Series(True, index=values.index)


def map_view(con, generation: str, indicator_id: str, edition: int, zone: str = "FR",
             focus: str | None = None) -> MapView:
    """The Carte of one indicator edition for a geography, framed on `zone` (and on `focus`, a quartier of
    that zone, when given)."""
    generation, edition = str(generation), int(edition)
    meta = catalog.indicator(con, indicator_id)
    unit, decimals = meta.get("unit"), 1 if meta.get("decimals") is None else int(meta["decimals"])
    directory = search.directory(con, generation)
    dep_names = search.names_by_cog(con, "departement")
    national = position.distribution(con, indicator_id, edition, generation)
    national = national[["code", "value", "status", "approx_method"]]
    shown = national.status.isin(vocabulary.shown_statuses()) & national.value.notna()

    v = directory[["code", "name", "communes", "departement", "region"]].merge(national, on="code", how="left")
    v["status"] = v.status.fillna("non_disponible")
    v.loc[~v.status.isin(vocabulary.shown_statuses()), "value"] = None
    notes = quartier_view.predecessor_notes(con) if generation == "2024" else {}
    v["note"] = [notes.get(c, NO_PREDECESSOR) for c in v.code] if generation == "2024" else ""
    approx = v.approx_method.notna()
    cells = [text.value_cell(val, st_, unit, decimals, approx=bool(a)).text
             for val, st_, a in zip(v.value, v.status, approx)]
    v["value_text"] = [c + (f" — {n}" if n else "") for c, n in zip(cells, v.note)]
    v["cell_text"] = cells
    v["place_text"] = [", ".join(x for x in (r.communes if isinstance(r.communes, str) else "",
                                              f"{dep_names.get(r.departement, '')} ({r.departement})"
                                              if isinstance(r.departement, str) else "") if x)
                       for r in v.itertuples()]
    producer = sources.producer(con, meta.get("source"))
    files = catalog.files(con, indicator_id, edition)
    origin = " (valeurs des quartiers 2015 correspondants)" if generation == "2024" else ""
    v["source_text"] = f"{producer}, {', '.join(files)} — millésime {text.year_text(edition)}{origin}"

    zones = zone_choices(con, generation)
    vz = v[_in_zone(v, zone)].reset_index(drop=True)
    overseas = vz.departement.fillna("").str.match(OVERSEAS)
    highlight = [focus] if focus and focus in set(vz.code) else []
    if highlight:
        frame = highlight
    elif zone == "FR":        # national view: mainland frame; overseas quartiers stay on the map (zoom out)
        frame = vz.code[~overseas].tolist()
    else:
        frame = vz.code.tolist()
    epci_zone = None if zone == "FR" else ("departement" if zone.startswith("D") else "region", zone[1:])
    note = " ; ".join(x for x in (SOURCE_NOTE_2024 if generation == "2024" else "",
                                  f"fichier {', '.join(files)}" if files else "") if x) or None
    src = sources.source_line(producer, edition, generation, note=note)

    cols = {"Code": vz.code, vocabulary.level_label("qpv", short=True): vz.name, "Commune(s)": vz.communes.fillna(""),
            vocabulary.level_label("departement"): vz.departement.fillna(""), meta["label"]: vz.cell_text}
    if generation == "2024":
        cols["Valeur ≈ venant de"] = vz.note
    order = vz.value.sort_values(ascending=False, na_position="last").index
    table = pd.DataFrame(cols).loc[order].reset_index(drop=True)
    return MapView(
        generation=generation, indicator_id=indicator_id, edition=edition, zone=zone,
        focus=focus if highlight else None, label=meta["label"], unit=unit, decimals=decimals,
        polarity=meta.get("polarity") or "neutral",
        values=vz[["code", "name", "communes", "departement", "region", "value", "status", "value_text",
                   "place_text", "source_text"]],
        national=national.value[shown].astype(float).tolist(), source_line=src,
        zone_label=zones.get(zone, zone), detail="overview" if zone == "FR" else "display",
        frame_codes=frame, epci_zone=epci_zone, highlight=highlight,
        legend_note=LEGEND_NOTE_2024 if generation == "2024" else None,
        note_2024=text.html_fragment(
            "Géographie 2024 : <b>pas encore d'indicateurs INSEE pour la géographie 2024</b>. Chaque quartier 2024 "
            "reçoit, marquée « ≈ », la valeur de son quartier 2015 correspondant (table de passage : recouvrement des "
            "contours, sinon même commune et nom proche) ; s'il en a plusieurs, leur somme ou leur moyenne pondérée "
            "quand l'indicateur s'y prête, sinon aucune valeur (« non transposable »). Les périmètres ayant changé, "
            "ces valeurs ne décrivent qu'approximativement les quartiers 2024.") if generation == "2024" else None,
        table=table, table_title=f"Tableau des {text.count_text(len(vz))} quartiers affichés",
        n_values=int(vz.value.notna().sum()), overseas=int(overseas.sum()) if zone == "FR" else 0)


# --------------------------------------------------------------------------- geometry (per geography)

def shape_rows(con, generation: str, detail: str = "display") -> list[tuple[str, str, bytes]]:
    """(code, kind, WKB) of the quartiers of a geography: real contours, else their commune point."""
    return geometry.quartier_shape_rows(con, str(generation), detail)


def outline_rows(con, level: str, codes: tuple[str, ...] | None = None) -> list[tuple[str, str, bytes]]:
    """(code, name, WKB) of administrative outlines ('departement', 'region', 'epci'), true coordinates."""
    return geometry.outline_rows(con, level, codes)


def epci_in(con, column: str, value: str) -> tuple[str, ...]:
    """EPCI codes of a département or région (the zoomed map's intercommunal outlines)."""
    return geometry.epci_in(con, column, value)
