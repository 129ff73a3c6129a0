"""View model of the classeur (XLSX of every curated indicator for chosen territories): one sheet per theme,
rows indicator × millésime, per territory a value and its status.

Every cell is the `text.value_cell` of the fiche and the Comparer: a 2024 quartier keeps its own column,
with the values of its 2015 predecessor(s) marked « ≈ » (indicators.predecessors: one predecessor's value,
a sum or weighted mean where the indicator allows it, otherwise « non transposable »), a hidden value is
empty with its status label beside. The number is stored as a number; `Cell.prefix` / `Cell.suffix` are
what surrounds it in that text (« ≈ », « % », « (bruitée) »), so that the workbook's number format shows
exactly the fiche's string.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from indicators import catalog, means, predecessors, references, secret
from observatoire import catalogue, frformat, vocabulary
from presentation import sources, text

TITLE = f"{vocabulary.label('phrases', 'observatory')} — classeur d'indicateurs"
MAIN_COLUMNS = ["Indicateur", "Identifiant", "Unité", "Millésime", "Année de référence"]


@dataclass
class Cell:
    """One territory's value on one row: `value` is written as a number (None: empty cell), displayed as
    `prefix` + number + `suffix` = `text`; `status` is the Statut column beside ('' when nothing to say)."""
    value: float | None
    text: str
    prefix: str = ""
    suffix: str = ""
    status: str = ""
    decimals: int = 1


@dataclass
class Row:
    label: str
    indicator_id: str
    unit: str
    edition: int
    ref_year: int | None
    cells: list[Cell]
    files: str


@dataclass
class Sheet:
    title: str
    rows: list[Row]


@dataclass
class ClasseurView:
    territories: list[tuple[str, str]]             # (code, column header)
    readme: list[tuple[str, str]]
    demo: bool
    sheets: list[Sheet]
    means: list[list] = field(default_factory=list)
    means_line: str | None = None
    sources: list[list[str]] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)
    secret_rules: list[tuple[str, str]] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)


class UnknownTerritory(ValueError):
    pass


def _territories(con, codes: list[str]) -> tuple[list[dict], list[str]]:
    """(the columns, the contracts asked for): each code resolved once; a contract stands for its quartiers."""
    out: dict[str, dict] = {}
    contracts: list[str] = []
    for raw in codes:
        code = references.normalise_code(raw)
        try:
            t = references.territory(con, code)
        except references.UnknownTerritory:
            raise UnknownTerritory(f"Territoire inconnu : « {raw} » (code QP/QN, commune, SIREN d'EPCI, DEP.., "
                                   "REG.., FRM, CV../CN..)") from None
        members = [t]
        if t["level"] == "contrat_de_ville":
            contracts.append(t["code"])
            members = [references.territory(con, m) for m in references.contract_members(con, t["code"])]
        for m in members:
            out.setdefault(m["code"], m)
    return list(out.values()), list(dict.fromkeys(contracts))


def _affixes(value: float, v: text.Value, decimals: int) -> tuple[str, str]:
    """What surrounds the bare number in the value's text: (« ≈ », « % ») for « ≈ 49,2 % »."""
    bare = frformat.fmt_number(value, decimals)
    i = v.text.find(bare)
    return (v.text[:i], v.text[i + len(bare):]) if i >= 0 else ("", "")


def cell(value, status: str, unit: str | None, decimals: int, approx_method: str | None = None) -> Cell:
    """The cell of one value (the fiche's value_cell text), its number and its status words."""
    value = secret.visible(None if frformat.is_missing(value) else float(value), status)
    v = text.value_cell(value, status, unit, decimals, approx=bool(approx_method))
    if not v.shown:
        return Cell(None, v.text, status=vocabulary.status_label(status) or text.DASH, decimals=decimals)
    words = vocabulary.label("approximations", approx_method) if approx_method else ""
    words = "; ".join(w for w in (words, vocabulary.status_label(status)) if w)
    prefix, suffix = _affixes(v.value, v, decimals)
    return Cell(v.value, v.text, prefix, suffix, words, decimals)


def _rows(con, territories: list[dict], editions: list[int] | None) -> dict[tuple[str, int, str], dict]:
    """{(indicator_id, edition, code): value row}: official values, then for 2024 quartiers without their own
    the values taken from their 2015 predecessors (never over an official one)."""
    codes = [t["code"] for t in territories]
    df = catalog.values_with_catalog(con, codes, editions)
    out = {(r.indicator_id, int(r.edition), r.territory_code): {
        "value": r.value, "status": r.status, "ref_year": r.ref_year, "approx_method": None,
        "files": None if not r.source_file else _file_var(r.source_file, r.source_variable),
        "is_demo": bool(r.is_demo)} for r in df.itertuples()}
    wanted = None if not editions else {int(e) for e in editions}
    for (code, ind, ed), d in predecessors.values(con, codes).items():
        if wanted is not None and int(ed) not in wanted:
            continue
        out.setdefault((ind, int(ed), code), {
            "value": d["value"], "status": d["status"], "ref_year": d["ref_year"],
            "approx_method": d["approx_method"], "is_demo": False,
            "files": None if not d["source_file"] else _file_var(d["source_file"], d["source_variable"])})
    return out


def _file_var(source_file: str, source_variable) -> str:
    """« REVN_2022.csv : DISP_Q2 »; the file alone when the value has no variable (derived indicators)."""
    return source_file if frformat.is_missing(source_variable) else f"{source_file} : {source_variable}"


def _header(t: dict, preds: dict[str, list[dict]]) -> str:
    """« Grand Mirail (QN03107M) », and for a 2024 quartier shown through 2015 ones « , ≈ quartier 2015
    Grand Mirail (QP031007) »."""
    head = f"{t['name']} ({t['code']})"
    via = preds.get(t["code"])
    if via:
        head += ", ≈ " + ("quartier 2015 " if len(via) == 1 else "quartiers 2015 ") + ", ".join(
            f"{p['name']} ({p['code']})" for p in via)
    return head


def view(con, codes: list[str], editions: list[int] | None = None) -> ClasseurView:
    """The classeur of `codes` (quartiers of either geography, communes, EPCI, DEP.., REG.., FRM, contracts —
    a contract stands for its quartiers), every millésime or only `editions`."""
    terr, contracts = _territories(con, codes)
    data = _rows(con, terr, editions)
    if not data:
        raise ValueError("Aucune valeur d'indicateur pour ces territoires et millésimes.")
    approximated = {c for (_, _, c), d in data.items() if d["approx_method"]}
    preds = {c: predecessors.links(con, c) for c in approximated}
    territories = [(t["code"], _header(t, preds)) for t in terr]
    demo = any(d["is_demo"] for d in data.values()) or any(t.get("is_demo") for t in terr)

    keys = sorted({(i, e) for i, e, _ in data}, key=lambda k: (catalog.ids(con).index(k[0]), k[1]))
    by_theme: dict[str, list[Row]] = {}
    for ind, ed in keys:
        meta = catalog.indicator(con, ind)
        decimals = 1 if meta.get("decimals") is None else int(meta["decimals"])
        found = [data.get((ind, ed, c)) for c, _ in territories]
        cells = [cell(d["value"], d["status"], meta["unit"], decimals, d["approx_method"]) if d
                 else cell(None, "non_disponible", meta["unit"], decimals) for d in found]
        ref_year = next((int(d["ref_year"]) for d in found if d and not frformat.is_missing(d["ref_year"])), None)
        files = " ; ".join(sorted({d["files"] for d in found if d and d["files"]}))
        by_theme.setdefault(meta["theme"], []).append(
            Row(meta["label"], ind, meta["unit"] or "", int(ed), ref_year, cells, files))
    declared = vocabulary.codes("themes")
    sheets = [Sheet(vocabulary.theme_label(th), rows)
              for th, rows in sorted(by_theme.items(), key=lambda kv: declared.index(kv[0]) if kv[0] in declared
                                     else len(declared))]

    eds = sorted({e for _, e in keys})
    readme = [("", f"Exporté le {text.date_text(dt.date.today())}"),
              ("Territoires", " ; ".join(h for _, h in territories)),
              ("Millésimes", ", ".join(text.year_text(e) for e in eds)),
              ("Comment lire", "Une feuille par thème ; pour chaque territoire une colonne de valeurs (nombres) et une "
                          "colonne « Statut ». Une cellule de valeur vide signifie que le chiffre n'est pas "
                          "diffusable ou pas disponible : la raison est dans la colonne Statut (voir la feuille "
                          "« Notes »)."),
              ("Licence", "Données publiques sous Licence Ouverte / Etalab 2.0 : citez le producteur et le "
                          "millésime (feuille « Sources »).")]
    if approximated:
        readme.append(("Géographie 2024", "Pas encore d'indicateurs INSEE pour les quartiers 2024 : leurs valeurs "
                       "marquées « ≈ » sont celles des quartiers 2015 correspondants (table de passage 2015 → 2024), "
                       "nommés dans l'en-tête de leur colonne ; la colonne Statut dit comment."))

    out = ClasseurView(territories, readme, demo, sheets)
    if contracts:
        df = means.state_means(con, contracts)
        out.means = [[r.contrat_code, int(r.year), r.label, int(r.n_posts),
                      None if frformat.is_missing(r.amount) else float(r.amount), int(r.n_records),
                      text.cell_text(bool(r.partial)), r.source_file] for r in df.itertuples()]
        out.means_line = sources.means_line(sorted(df["year"].unique()) if len(df) else None, contracts)
    source_of = {i: catalog.indicator(con, i)["source"] for i, _ in keys}
    files_of: dict[str, set[str]] = {}                   # the value rows' files, per source
    for (i, _, _), d in data.items():
        if d["files"] and i in source_of:
            files_of.setdefault(source_of[i], set()).add(d["files"])
    for sid in sorted(set(source_of.values())):
        info = sources.source_info(con, sid)
        mine = [(i, e) for i, e in keys if source_of[i] == sid]
        files = sorted(files_of.get(sid, ()))
        out.sources.append([info.get("producer") or sources.producer(con, sid), info.get("title") or "",
                            info.get("licence") or "", vocabulary.generation_label(info.get("generation")),
                            ", ".join(text.year_text(e) for e in sorted({e for _, e in mine})), " ; ".join(files)])
    out.statuses = [(vocabulary.status_label(s) or "(valeur affichée)", str(t.get("help") or ""))
                    for s, t in vocabulary.terms("value_statuses").items() if t.get("help")]
    out.statuses += [(f"≈ {vocabulary.label('approximations', m)}",
                      "Quartier 2024 : valeur de son ou ses quartiers 2015 correspondants (table de passage).")
                     for m in ("predecessor", "predecessors_sum", "predecessors_weighted")]
    out.secret_rules = [(spec.get("label") or rule, f"Pas de valeur en dessous de {text.count_text(spec['min_units'])} "
                                                    f"{spec.get('unit', 'unités')}.")
                        for rule, spec in catalogue.secret_rules().items()]
    out.caveats = sources.insee_caveats()
    return out
