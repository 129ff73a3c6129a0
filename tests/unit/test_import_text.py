"""The one text rule (readers.text.text_problem), the files that are neither CSV nor workbook, UTF-16 without
BOM, the templates' example rows, the import report's French (presentation.imports) and the French
command-line parser (observatoire.cli): warehouse-free, in the fast tier."""
from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, datetime

import openpyxl
import pytest

from observatoire.cli import ArgumentParser
from presentation import imports as report
from readers import frcsv, tabular
from readers.errors import InputError
from readers.tabular import Field
from readers.text import CODE, FREE, LINE, text_problem, unsafe_text

FORMULAS = ["=HYPERLINK(\"http://x.example\";\"clic\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "=1+2", " =cmd|x", "+SUM(A1:A9)", "-Sheet1!A1"]
MARKUP = ["<img/src=x onerror=alert(1)>", "<svg/onload=alert(1)>", "<script>alert(1)</script>", "</b",
          "<!-- x -->", "<IMG SRC=x>", "[clic](javascript:alert(1))", "x JaVaScRiPt :alert(1)",
          "<a href=\"data:text/html,x\">", "vbscript:msgbox"]
PLAIN = ["- atelier du mardi", "+33 6 12 34 56 78", "-3,5", "a < b", "<3", "Taux <5 %", "- atelier (mardi)",
         "Santé (accès aux droits)", "C'est 100 % = réussi", "1 234,50 €", "L'Ariane - Le Manoir - Gares"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formulas_are_refused(text):
    assert unsafe_text(text).startswith("formule de tableur")
    why, expected = text_problem(text, LINE)
    assert why.startswith("formule de tableur") and "Collage spécial" in expected


@pytest.mark.parametrize("text", MARKUP)
def test_markup_and_script_links_are_refused(text):
    assert unsafe_text(text).startswith("balise HTML ou lien de script")


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_passes(text):
    assert text_problem(text, LINE) is None and text_problem(text, FREE) is None


def test_control_and_bidi_characters_name_the_character_and_its_position():
    assert text_problem("Soutien\x00 scolaire", FREE)[0] == "caractère de contrôle NUL (U+0000) en position 8"
    assert text_problem("a\x1bb", LINE)[0] == "caractère de contrôle ESC (U+001B) en position 2"
    assert text_problem("abc\u202edef", LINE)[0] == "caractère d'inversion du sens d'écriture RLO (U+202E) en position 4"
    assert text_problem("x\u2066y", FREE)[0].startswith("caractère d'inversion du sens d'écriture LRI (U+2066)")
    # line breaks and tabs: in free text only
    assert text_problem("première ligne\nseconde\tcolonne", FREE) is None
    assert text_problem("ligne\nautre", LINE)[0] == "retour à la ligne (U+000A) en position 6 dans un texte d'une ligne"
    assert text_problem("a\rb", FREE)[0] == "caractère de contrôle retour chariot (U+000D) en position 2"


def test_lengths_per_rule():
    assert text_problem("x" * 500, LINE) is None and text_problem("x" * 60, CODE) is None
    assert text_problem("x" * 501, LINE)[0] == "texte trop long (501 caractères ; au plus 500 pour un texte d'une ligne)"
    assert text_problem("x" * 61, CODE)[0] == "texte trop long (61 caractères ; au plus 60 pour un code)"
    assert text_problem("x" * 5001, FREE)[0] == "texte trop long (5 001 caractères ; au plus 5 000 pour un texte libre)"


def test_without_echo_the_message_never_repeats_the_text():
    assert text_problem("<img src=x onerror=alert(1)>", LINE, echo=False)[0] == "balise HTML ou lien de script"
    assert text_problem("=1+2", LINE, echo=False)[0] == "formule de tableur"


# --------------------------------------------------------------------------- files that are not tables

@pytest.mark.parametrize("name, data, detail", [
    ("image.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "image PNG"),
    ("rapport.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "document PDF"),
    ("classeur.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, None),
    ("bruit.csv", bytes((i * 37 + 11) % 256 for i in range(2000)), "contenu binaire"),
    ("lettre.docx", b"PK\x03\x04" + b"\x00" * 60, "archive ZIP ou document bureautique sans feuille de calcul"),
    ("notes.pdf", b"plain text", "extension « .pdf »"),
])
def test_binary_files_are_neither_csv_nor_workbook(tmp_path, name, data, detail):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as exc:
        tabular.read_sheet(path, [Field("code", "Code", ("code",))])
    if detail is None:
        assert exc.value.message == "format Excel 97-2003 (.xls) non pris en charge"
    else:
        assert exc.value.message == f"ce fichier n'est ni un CSV ni un classeur ({detail})"


def test_an_opendocument_spreadsheet_is_named(tmp_path):
    import zipfile

    path = tmp_path / "programmation.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(InputError) as exc:
        tabular.read_sheet(path, [Field("code", "Code", ("code",))])
    assert exc.value.message == "classeur OpenDocument (.ods) non pris en charge"


def test_one_word_per_line_is_not_a_table(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text("Bonjour\nceci est une lettre\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        tabular.read_sheet(path, [Field("code", "Code", ("code",)), Field("nom", "Nom", ("nom",))])
    assert exc.value.message.startswith("ce fichier n'est ni un CSV ni un classeur (une seule colonne")


@pytest.mark.parametrize("codec, label", [("utf-16-le", "UTF-16 sans BOM"), ("utf-16-be", "UTF-16 sans BOM (gros-boutiste)")])
def test_utf16_without_bom_is_read(tmp_path, codec, label):
    path = tmp_path / "export.csv"
    path.write_bytes("Code;Nom du quartier\nQN03104M;Barradels\nQN03105M;Grand Val d'Aran-en-Jacca\n".encode(codec))
    table = frcsv.read(path, sep=None)
    assert table.columns == ["Code", "Nom du quartier"] and table.encoding_label == label
    assert table.rows == [["QN03104M", "Barradels"], ["QN03105M", "Grand Val d'Aran-en-Jacca"]]


def test_a_stray_nul_is_not_binary_but_a_cell_error(tmp_path):
    path = tmp_path / "prog.csv"
    path.write_bytes("Code;Intitulé\nA-1;Soutien\x00 scolaire\n".encode())
    sheet = tabular.read_sheet(path, [Field("code", "Code", ("code",)), Field("intitule", "Intitulé", ("intitule",))])
    with pytest.raises(tabular.CellError, match=r"NUL \(U\+0000\) en position 8"):
        tabular.safe_text(sheet.rows[0][1])


# --------------------------------------------------------------------------- example rows, optional sheets

FIELDS = [Field("code", "N° dossier", ("n dossier",), required=True), Field("montant", "Montant", ("montant",),
                                                                             kind="number"),
          Field("date", "Date", ("date",), kind="date")]


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def test_example_rows_are_left_out_and_listed(tmp_path):
    path = _xlsx(tmp_path / "m.xlsx", [["N° dossier", "Montant", "Date"], ["EXEMPLE — 2025-06-0042", "1 000", None],
                                       ["A-1", 1234.5, datetime(2026, 12, 31)], ["exemple", 1, None],
                                       ["Exemplaire 3", "30/06/2027", "30/06/2027"]])
    sheet = tabular.read_sheet(path, FIELDS)
    assert sheet.examples == [2, 4] and sheet.lines == [3, 5]
    assert [r[0] for r in sheet.rows] == ["A-1", "Exemplaire 3"]          # « Exemplaire » is a word of its own


def test_a_sheet_with_only_its_example_is_refused_unless_optional(tmp_path):
    path = _xlsx(tmp_path / "m.xlsx", [["N° dossier", "Montant"], ["EXEMPLE — 1", 3]])
    with pytest.raises(InputError) as exc:
        tabular.read_sheet(path, FIELDS)
    assert str(exc.value) == ("m.xlsx, ligne 2 : aucune ligne de données sous l'en-tête (feuille « Sheet ») : la ligne "
                              "d'exemple du modèle (ligne 2) est ignorée (attendu : au moins une ligne de données)")
    sheet = tabular.read_sheet(path, FIELDS, optional=True)
    assert sheet.rows == [] and sheet.examples == [2]


def test_preview_is_typed_and_written_the_french_way(tmp_path):
    path = _xlsx(tmp_path / "m.xlsx", [["N° dossier", "Montant", "Date"], ["A-1", 1234.5, datetime(2026, 12, 31)],
                                       ["A-2", "12 000,50", "30/06/2027"], ["A-3", None, None]])
    sheet = tabular.read_sheet(path, FIELDS)
    tabular.map_headers(sheet, FIELDS, {})
    rows = tabular.preview(sheet)
    assert rows[0] == {"Ligne": 2, "N° dossier": "A-1", "Montant": 1234.5, "Date": date(2026, 12, 31)}
    assert rows[1]["Date"] == date(2027, 6, 30) and rows[1]["Montant"] == 12000.5
    shown = report.preview_rows({"preview": rows})
    assert shown == [{"Ligne": "2", "N° dossier": "A-1", "Montant": "1 234,5", "Date": "31/12/2026"},
                     {"Ligne": "3", "N° dossier": "A-2", "Montant": "12 000,5", "Date": "30/06/2027"},
                     {"Ligne": "4", "N° dossier": "A-3", "Montant": "—", "Date": "—"}]


def test_columns_parse_numbers_in_bulk_with_the_scalar_messages(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("N° dossier;Montant\nA;1 234,50 €\nB;-5\nC;12 OOO\nD;\nE;7 %\n", encoding="utf-8")
    sheet = tabular.read_sheet(path, FIELDS)
    cols, _ = tabular.map_headers(sheet, FIELDS, {})
    c = tabular.Columns(sheet, cols, {f.name: f for f in FIELDS})
    assert c.parse("montant", tabular.number) == [1234.5, -5.0, None, None, 7.0]
    assert c.parse("montant", tabular.amount) == [1234.5, None, None, None, 7.0]
    assert [str(e) for e in sheet.errors.items] == [
        "p.csv, ligne 4, colonne « Montant » : valeur non numérique « 12 OOO » (attendu : un nombre au format "
        "français (ex. 1 234,50))",
        "p.csv, ligne 3, colonne « Montant » : montant négatif « -5 » (attendu : un montant positif ou nul en euros)",
        "p.csv, ligne 4, colonne « Montant » : valeur non numérique « 12 OOO » (attendu : un nombre au format "
        "français (ex. 1 234,50))"]
    assert c.ok == [True, False, False, True, True]


# --------------------------------------------------------------------------- the report's French

def test_counts_speak_in_the_conditional_for_a_dry_run():
    counts = [("engagement", "ajout", 5), ("engagement", "maj", 0), ("signataire", "creation", 1),
              ("point", "ajout", 0)]
    assert report.counts_sentence(counts, True) == "5 engagements seraient ajoutés, 1 signataire serait créé."
    assert report.counts_sentence(counts, False) == "5 engagements ajoutés, 1 signataire créé."
    assert report.count_phrase("action", "maj", 2, False) == "2 actions mises à jour"
    assert report.count_phrase("action", "ajout", 0, True) == "aucune action ne serait ajoutée"
    assert report.count_phrase("action", "ajout", 1234, False) == "1 234 actions ajoutées"
    res = {"kind": "engagements", "file": "e.xlsx", "contrat": "CN03103I", "dry_run": True, "rows": 5,
           "counts": counts, "examples": [(None, 2), ("Points d'étape", 2)], "encoding": None,
           "mapping": [("Signataire", "Signataire", "en-tête reconnu")], "ignored": ["Notes"]}
    assert report.headline(res) == ("Vérification de « e.xlsx » (engagements du contrat CN03103I) : fichier valide, "
                                    "5 lignes — rien n'a encore été enregistré.")
    assert report.cli_lines(res)[1:] == [
        "  - 5 engagements seraient ajoutés, 1 signataire serait créé.",
        "  - Lignes d'exemple du modèle ignorées : ligne 2, et ligne 2 de la feuille « Points d'étape ».",
        "  Colonnes lues (à vérifier) :", "    « Signataire » → Signataire (en-tête reconnu)",
        "  Colonnes ignorées (non reconnues ; voir --map) : « Notes »."]


@pytest.mark.parametrize("value, text", [(None, "—"), ("", "—"), (float("nan"), "—"), (1234.5, "1 234,5"),
                                         (24500.0, "24 500"), (12.25, "12,25"), (40, "40"), (True, "oui"),
                                         (date(2027, 6, 30), "30/06/2027"), (datetime(2026, 12, 31, 0, 0), "31/12/2026"),
                                         ("Toulouse Métropole", "Toulouse Métropole")])
def test_preview_cells(value, text):
    assert report.cell(value) == text


# --------------------------------------------------------------------------- French argparse

def _run(parser, argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as exc:
        parser.parse_args(argv)
    return exc.value.code, out.getvalue(), err.getvalue()


def test_the_french_parser_speaks_french_and_leaves_argparse_as_it_was():
    import argparse

    p = ArgumentParser(prog="python -m exemple", description="Un exemple.")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMANDE")
    imp = sub.add_parser("import", help="importe un fichier")
    imp.add_argument("fichier")
    imp.add_argument("--annee", type=int)
    code, out, _ = _run(p, ["--help"])
    assert code == 0 and out.startswith("usage : python -m exemple [-h] COMMANDE ...")
    assert "arguments :" in out and "options :" in out and "affiche cette aide et quitte" in out
    code, _, err = _run(p, ["import", "f.csv", "--annee", "deux mille"])
    assert code == 2 and err.endswith("python -m exemple import : erreur : argument --annee : valeur « deux mille » "
                                      "invalide (attendu : un nombre entier)\n")
    assert _run(p, ["importe"])[2].endswith("erreur : argument COMMANDE : choix « importe » invalide (choix possibles : "
                                            "« import »)\n")
    assert _run(p, ["import"])[2].endswith("erreur : argument(s) obligatoire(s) manquant(s) : fichier\n")
    assert _run(p, ["import", "f", "--zz"])[2].endswith("erreur : argument(s) non reconnu(s) : --zz\n")
    english = argparse.ArgumentParser(prog="x")                       # another library's parser is untouched
    assert "show this help message and exit" in english.format_help()
