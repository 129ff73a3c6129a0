"""Classeur XLSX: every curated indicator for the selected territories and editions.

One sheet per theme (rows: indicator × millésime; per territory a value column and a status column),
a sources sheet and a notes sheet explaining the statuses. Numbers are stored as numbers with number
formats that Excel/LibreOffice display the French way (`1 234,5`); a value that is secret (or missing)
leaves its cell EMPTY and says why in the adjacent status column.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from indicators import catalog, means, predecessors, references, secret
from presentation import sources
from observatoire import catalogue, frformat, vocabulary
from presentation.text import spreadsheet_workbook

HEADER_FILL = PatternFill("solid", fgColor="1F2A44")
HEADER_FONT = Font(bold=True, color="FFFFFF")
STATUS_FONT = Font(italic=True, color="6B6B6B")
DEMO_FONT = Font(bold=True, color="B00020")

STATUS_HELP = {
    "ok": "Valeur publiée.",
    "secret": "Cellule vide dans le fichier publié : valeur couverte par le secret statistique "
              "(trop peu de ménages fiscaux ou de personnes) ou non diffusée.",
    "effectif_insuffisant": "Valeur calculée sur moins d'unités que le seuil du secret statistique : non affichée.",
    "non_disponible": "Le producteur ne fournit pas cette valeur pour ce territoire.",
    "absent": "La variable n'existe pas dans ce millésime du fichier.",
    "sans_objet": "L'indicateur n'a pas de sens pour ce territoire.",
    "bruite": "Valeur publiée avec un bruit aléatoire (géographie 2024 : clés aléatoires INSEE).",
}


def number_format(unit: str | None, decimals: int | None) -> str:
    """Excel number format code (stored in the file's neutral syntax, displayed `1 234,5` by a French
    Excel/LibreOffice)."""
    d = 1 if decimals is None else int(decimals)
    base = "#,##0" + ("." + "0" * d if d > 0 else "")
    if unit == "%":
        return base + '" %"'
    if unit in ("€", "euros", "EUR"):
        return base + '" €"'
    return base


def _file_var(r) -> str:
    """« REVN_2022.csv : DISP_Q2 »; the file alone when the cell has no variable (derived indicators)."""
    return r.source_file if frformat.is_missing(r.source_variable) else f"{r.source_file} : {r.source_variable}"


def expand_codes(con, codes: list[str]) -> tuple[list[str], dict[str, str]]:
    """A contract code stands for its quartiers; a 2024 quartier without INSEE figures is replaced by its
    2015 counterpart(s) (crosswalk), named as such. Returns (codes, {code: note for the column header})."""
    out: list[str] = []
    notes: dict[str, str] = {}
    for raw in codes:
        code = references.normalise_code(raw)
        try:
            level = references.territory(con, code)["level"]
        except references.UnknownTerritory:
            raise ValueError(f"Territoire inconnu : {raw!r} (code QP/QN, commune, SIREN d'EPCI, DEP.., REG.., FRM, "
                             "CV../CN..)") from None
        members = references.contract_members(con, code) if level == "contrat_de_ville" else [code]
        for m in members:
            try:
                t = references.territory(con, m)
            except references.UnknownTerritory:
                t = {}
            if t.get("level") == "qpv" and t.get("generation") == "2024" and not predecessors.has_own_values(con, m):
                for x in references.crosswalk(con, m):
                    if x.get("generation") == "2015" and x["code"] not in out:
                        out.append(x["code"])
                        notes[x["code"]] = f"quartier 2015 correspondant à {m}"
                continue
            if m not in out:
                out.append(m)
    return out, notes


def _header(ws, row: int, labels: list[str], widths: list[float] | None = None) -> None:
    for c, lab in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=c, value=lab)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    if widths:
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = w


def _theme_sheet(ws, df: pd.DataFrame, territories: list[tuple[str, str]], title: str) -> None:
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    labels = ["Indicateur", "Identifiant", "Unité", "Millésime", "Année de référence"]
    for code, name in territories:
        labels += [name, "Statut"]
    labels.append("Source (fichier : variable)")
    _header(ws, 2, labels, [46, 18, 8, 10, 11] + [16, 18] * len(territories) + [40])
    ws.row_dimensions[2].height = 45
    ws.freeze_panes = "F3"
    r = 3
    keys = df[["indicator_id", "edition"]].drop_duplicates()
    for _, key in keys.iterrows():
        rows = df[(df.indicator_id == key.indicator_id) & (df.edition == key.edition)]
        first = rows.iloc[0]
        fmt = number_format(first.unit, first.decimals)
        ws.cell(r, 1, first.label)
        ws.cell(r, 2, first.indicator_id)
        ws.cell(r, 3, first.unit)
        ws.cell(r, 4, int(first.edition))
        if pd.notna(first.ref_year):
            ws.cell(r, 5, int(first.ref_year))
        by_code = {row.territory_code: row for row in rows.itertuples()}
        col = 6
        files = set()
        for code, _ in territories:
            row = by_code.get(code)
            if row is None:
                status = "non_disponible"
                value = None
            else:
                status = row.status
                value = secret.visible(None if pd.isna(row.value) else float(row.value), status)
                if row.source_file:
                    files.add(_file_var(row))
            if value is not None:
                cell = ws.cell(r, col, value)
                cell.number_format = fmt
            if status not in ("ok",):
                sc = ws.cell(r, col + 1, vocabulary.status_label(status))
                sc.font = STATUS_FONT
            col += 2
        ws.cell(r, col, " ; ".join(sorted(files)))
        r += 1
    ws.auto_filter.ref = f"A2:{get_column_letter(len(labels))}{max(r - 1, 2)}"


def _means_sheet(ws, con, contracts: list[str]) -> None:
    """State means of the contracts asked for: indicators.means, the one counting rule (a post counts once
    per contract and year) shared with the fiche, the Programmation page, the deck and the PDF."""
    df = means.state_means(con, contracts)
    _header(ws, 1, ["Contrat", "Année", "Dispositif", "Postes financés", "Montant (€)", "Enregistrements lus",
                    "Année partielle", "Fichiers"], [12, 8, 22, 14, 16, 14, 12, 50])
    for r in df.itertuples():
        ws.append([r.contrat_code, int(r.year), r.label, int(r.n_posts),
                   None if pd.isna(r.amount) else float(r.amount), int(r.n_records), "oui" if r.partial else "non",
                   r.source_file])
        ws.cell(ws.max_row, 5).number_format = number_format("€", 0)
    ws.append([])
    ws.append([sources.means_line(sorted(df["year"].unique()) if len(df) else None, contracts)])


def sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, cut at a word boundary, no []:*?/\\."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)
    if len(clean) <= 31:
        return clean
    return clean[:31].rsplit(" ", 1)[0]


def build(con, codes: list[str], out: str | Path, editions: list[int] | None = None, progress=None) -> Path:
    """Write the workbook; returns its path. `progress(fraction, text)` is called along the way."""
    progress = progress or (lambda f, t: None)
    requested = list(codes)
    codes, notes = expand_codes(con, codes)
    df = catalog.values_with_catalog(con, codes, editions)
    if df.empty:
        raise ValueError("Aucune valeur d'indicateur pour ces territoires et millésimes.")
    names = references.names(con, codes)
    territories = [(c, f"{names.get(c, c)} ({c})" + (f", {notes[c]}" if c in notes else "")) for c in codes]
    demo = bool(df.is_demo.any())

    wb = Workbook()
    ws = wb.active
    ws.title = "Lisez-moi"
    ws.append(["Observatoire des contrats de ville — classeur d'indicateurs"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"Exporté le {frformat.fmt_date(dt.date.today())}"])
    ws.append(["Territoires", " ; ".join(n for _, n in territories)])
    ws.append(["Millésimes", ", ".join(str(e) for e in sorted(df.edition.unique()))])
    ws.append(["Lecture", "Une feuille par thème ; pour chaque territoire une colonne de valeurs (nombres) et "
               "une colonne « Statut ». Une cellule de valeur vide signifie que le chiffre n'est pas diffusable "
               "ou pas disponible : la raison est dans la colonne Statut (voir la feuille « Notes »)."])
    ws.append(["Licence", "Données publiques sous Licence Ouverte / Etalab 2.0 : citez le producteur et le "
               "millésime (feuille « Sources »)."])
    if notes:
        ws.append(["Géographie 2024", "Pas encore d'indicateurs INSEE pour les quartiers 2024 : le classeur donne "
                   "ceux des quartiers 2015 correspondants (table de passage 2015 → 2024), signalés dans l'en-tête."])
    if demo:
        ws.append([sources.DEMO_LABEL, "Certains territoires sont des données de démonstration."])
        ws.cell(ws.max_row, 1).font = DEMO_FONT
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 110
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    declared = vocabulary.codes("themes")
    themes = sorted(dict.fromkeys(df.theme), key=lambda t: declared.index(t) if t in declared else 99)
    for i, theme in enumerate(themes):
        progress(0.1 + 0.7 * i / len(themes), f"Thème {vocabulary.theme_label(theme)}")
        title = vocabulary.theme_label(theme)
        sheet = wb.create_sheet(title=sheet_name(title))
        _theme_sheet(sheet, df[df.theme == theme], territories, title)

    contracts = [c for c in dict.fromkeys(references.normalise_code(x) for x in requested)
                 if c.startswith(("CV", "CN"))]
    if contracts:
        _means_sheet(wb.create_sheet("Moyens de l'État"), con, contracts)

    progress(0.85, "Sources")
    ws = wb.create_sheet("Sources")
    _header(ws, 1, ["Source", "Producteur", "Titre", "Licence", "Géographie", "Millésimes dans ce classeur",
                    "Fichiers et variables"], [18, 34, 50, 26, 12, 22, 60])
    for sid, part in df.groupby("source", sort=True):
        info = sources.source_info(con, sid)
        files = sorted({_file_var(r) for r in part.itertuples() if r.source_file})
        ws.append([sid, info.get("producer"), info.get("title"), info.get("licence"),
                   vocabulary.generation_label(info.get("generation")),
                   ", ".join(str(e) for e in sorted(part.edition.unique())), " ; ".join(files)])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    ws = wb.create_sheet("Notes")
    _header(ws, 1, ["Statut affiché", "Signification"], [30, 100])
    for status, help_text in STATUS_HELP.items():
        ws.append([vocabulary.status_label(status) or "(valeur affichée)", help_text])
    ws.append([])
    ws.append(["Seuils du secret statistique"])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    for rule, spec in catalogue.secret_rules().items():
        ws.append([spec.get("label", "") or rule, f"Pas de valeur en dessous de {spec['min_units']} {spec.get('unit', 'unités')}."])
    ws.append([])
    ws.append(["Avertissements INSEE"])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    for note in sources.insee_caveats():
        ws.append(["", note])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    progress(0.95, "Écriture du fichier")
    spreadsheet_workbook(wb)            # labels of user-declared indicators never run as formulas
    wb.save(out)
    progress(1.0, "Terminé")
    return out
