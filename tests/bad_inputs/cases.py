"""The broken files of the bad-input battery, generated at test time (nothing committed but this code).

Each case: an import kind, a file name, a builder writing the file, where the error is (line and column
when the problem has one), the exact French message, and the command-line options. `also` lists other
(line, column) pairs that the SAME report must name (every error at once). The 100 MB file is written by
its builder and removed by the test.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl

CONTRACT = "CN00604I"       # the démo contract: its saisie data exist, so nothing may change them
IND_OPTS = ["--edition", "2023"]
KINDS = ("indicateurs", "contours", "programmation", "engagements", "enquete", "referentiel")
CONTRACT_KINDS = ("programmation", "engagements", "enquete", "referentiel")


@dataclass
class Case:
    kind: str
    name: str
    build: Callable[[Path], None]
    line: int | None
    column: str | None
    message: str                   # exactly what the report says after « fichier, ligne, colonne : »
    options: list[str] = field(default_factory=list)
    also: list[tuple[int, str]] = field(default_factory=list)


def raw(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data)


def text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda p: p.write_bytes(content.encode(encoding))


def xlsx(rows: list[list], after: Callable | None = None, sheets: dict[str, list[list]] | None = None):
    def build(p: Path) -> None:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Données"
        for r in rows:
            ws.append(r)
        for name, more in (sheets or {}).items():
            other = wb.create_sheet(name)
            for r in more:
                other.append(r)
        if after:
            after(ws)
        wb.save(p)
    return build


def truncated_xlsx(p: Path) -> None:
    xlsx([["code", "tx_pauvrete"], ["QP001001", 40]])(p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def hundred_mb(p: Path) -> None:
    """A 100 MB CSV (well-formed lines): refused on its size before anything is read."""
    line = b"QP001001;Grande Reyssouze Terre Des Fleurs;40,5\r\n"
    chunk = line * 20000
    with open(p, "wb") as fh:
        fh.write(b"code;nom;tx_pauvrete\r\n")
        for _ in range(100_000_000 // len(chunk) + 1):
            fh.write(chunk)


def geojson(features: list[tuple[str, dict]], crs: str | None = None) -> Callable[[Path], None]:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code_qp": code, "lib_qp": "Quartier"}, "geometry": geom}
        for code, geom in features]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return text(json.dumps(doc))


SQUARE = {"type": "Polygon", "coordinates": [[[5.22, 46.20], [5.23, 46.20], [5.23, 46.21], [5.22, 46.21], [5.22, 46.20]]]}
SQUARE_L93 = {"type": "Polygon", "coordinates": [[[871000, 6570000], [872000, 6570000], [872000, 6571000],
                                                  [871000, 6571000], [871000, 6570000]]]}
OPEN_RING = {"type": "Polygon", "coordinates": [[[5.22, 46.20], [5.23, 46.20]]]}

PROG_HEAD = "N° dossier;Année;Porteur;Intitulé de l'action;Quartiers;Coût total;Statut\n"
PROG_LONG_HEAD = "N° dossier;Année;Porteur;SIRET;Intitulé de l'action;Objectif;Quartiers;Statut\n"
REF_HEAD = "Enjeu;Objectif stratégique;Objectif opérationnel;Indicateur;Valeur de référence;Année de référence\n"
ENG_HEAD = "N° engagement;Signataire;Engagement;Échéance;Statut\n"
ENQ_HEAD = "Quartier;Date;Q1 - Je me sens bien dans mon quartier;Verbatim\n"


def pdf(p: Path) -> None:
    p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")


def noise(p: Path) -> None:
    p.write_bytes(bytes((i * 37 + 11) % 256 for i in range(3000)))


def word_document(p: Path) -> None:
    import zipfile

    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")


def merge(ref: str):
    return lambda ws: ws.merge_cells(ref)


def formula(cell: str, f: str):
    def put(ws):
        ws[cell] = f
    return put


CASES: list[Case] = [
    # ------------------------------------------------------------------ indicateurs (CSV / XLSX)
    Case("indicateurs", "ind_encodage_melange.csv",
         raw("code;nom;tx_pauvrete\r\nQP001001;Bourg é;40\r\n".encode() + "QP001002;Péronnas;38\r\n".encode("cp1252")),
         3, "nom", "encodage mélangé : UTF-8 et Windows-1252 dans le même fichier (octet 0xE9 invalide en UTF-8)",
         IND_OPTS),
    Case("indicateurs", "ind_utf16_tronque.csv", raw("code;tx_pauvrete\r\nQP001001;40\r\n".encode("utf-16") + b"\x00"),
         1, None, "fichier UTF-16 illisible (octets incomplets)", IND_OPTS),
    Case("indicateurs", "ind_separateurs_melanges.csv", text("code;tx_pauvrete\nQP001001,40\nQP001002;38\n"),
         2, "tx_pauvrete", "1 colonne(s) au lieu de 2 (mauvais séparateur ou ligne incomplète ?)", IND_OPTS),
    Case("indicateurs", "ind_virgule_decimale_sep_virgule.csv", text("code,tx_pauvrete\nQP001001,40,5\n"),
         2, "n° 3", "valeur « 5 » hors des colonnes nommées (colonne n° 3)", IND_OPTS),
    Case("indicateurs", "ind_milliers_points.csv", text("code;pop\nQP001001;1.234.567\n"),
         2, "pop", "valeur non numérique « 1.234.567 »", IND_OPTS),
    Case("indicateurs", "ind_milliers_apostrophe.csv", text("code;pop\nQP001001;1'234\n"),
         2, "pop", "valeur non numérique « 1'234 »", IND_OPTS),
    Case("indicateurs", "ind_bom_seul.csv", raw(b"\xef\xbb\xbf"), 1, None, "fichier vide", IND_OPTS),
    Case("indicateurs", "ind_vide.csv", raw(b""), 1, None, "fichier vide", IND_OPTS),
    Case("indicateurs", "ind_entete_seul.csv", text("code;tx_pauvrete\r\n"), 2, None,
         "aucune ligne de données après l'en-tête", IND_OPTS),
    Case("indicateurs", "ind_ligne_tronquee.csv", text("code;nom;tx_pauvrete\r\nQP001001;a;40\r\nQP0010"),
         3, "nom", "dernière ligne tronquée : 1 colonne(s) au lieu de 3 (fichier incomplet ?)", IND_OPTS),
    Case("indicateurs", "ind_cle_double.csv", text("code;tx_pauvrete\nQP001001;40\nQP001001;41\n"),
         3, "code", "code « QP001001 » en double (déjà ligne 2)", IND_OPTS),
    Case("indicateurs", "ind_code_inconnu.csv", text("Code QPV;tx_pauvrete\nQP001001;40\nQP999999;41\n"),
         3, "Code QPV", "code de territoire « QP999999 » inconnu de l'entrepôt", IND_OPTS),
    Case("indicateurs", "ind_non_numerique_et_inconnu.csv", text("code;tx_pauvrete\nQP999999;40\nQP001002;élevé\n"),
         2, "code", "code de territoire « QP999999 » inconnu de l'entrepôt", IND_OPTS, also=[(3, "tx_pauvrete")]),
    Case("indicateurs", "ind_formule.csv", text("code;tx_pauvrete\nQP001001;=1+2\n"),
         2, "tx_pauvrete", "valeur non numérique « =1+2 »", IND_OPTS),
    Case("indicateurs", "ind_html.csv", text("code;tx_pauvrete\nQP001001;<b>40</b>\n"),
         2, "tx_pauvrete", "valeur non numérique « <b>40</b> »", IND_OPTS),
    Case("indicateurs", "ind_fusion.xlsx", xlsx([["code", "tx_pauvrete"], ["QP001001", 40], [None, 41]],
                                                 after=merge("A2:A3")),
         2, "code (col. A)", "cellules fusionnées A2:A3 : seule la première garde sa valeur", IND_OPTS),
    Case("indicateurs", "ind_plusieurs_feuilles.xlsx",
         xlsx([["code", "tx_pauvrete"], ["QP001001", 40]], sheets={"2020": [["code", "tx_pauvrete"], ["QP001001", 39]]}),
         None, None, "plusieurs feuilles de données (« Données », « 2020 »)", IND_OPTS),
    Case("indicateurs", "ind_formule_non_calculee.xlsx",
         xlsx([["code", "tx_pauvrete"], ["QP001001", 40], ["QP001002", None]], after=formula("B3", "=B2*2")),
         3, "tx_pauvrete (col. B)", "formule sans valeur calculée « =B2*2 »", IND_OPTS),
    Case("indicateurs", "ind_classeur_tronque.xlsx", truncated_xlsx, None, None, "classeur illisible ou tronqué",
         IND_OPTS),
    Case("indicateurs", "ind_100_mo.csv", hundred_mb, None, None, "fichier trop volumineux (100,9 Mo ; limite 50 Mo)",
         IND_OPTS),
    # ------------------------------------------------------------------ contours (GeoJSON)
    Case("contours", "ctr_anneau_ouvert.geojson", geojson([("QP001001", OPEN_RING), ("QP001002", SQUARE)]),
         1, "geometry", "entité n° 1 : anneau de polygone non fermé ou de moins de 4 points"),
    Case("contours", "ctr_lambert93_sans_crs.geojson", geojson([("QP001001", SQUARE_L93)]),
         None, "geometry", "coordonnées hors des bornes de la longitude/latitude (x de 871000 à 872000, y de "
         "6570000 à 6571000) et aucun autre système de coordonnées déclaré"),
    Case("contours", "ctr_crs_faux.geojson", geojson([("QP001002", SQUARE)], crs="urn:ogc:def:crs:EPSG::2154"),
         1, "geometry", "entité n° 1 : contour de QP001002 à 5\u202f826 km de l'emplacement connu du quartier "
         "(système de coordonnées déclaré : EPSG:2154)"),
    Case("contours", "ctr_code_inconnu.geojson", geojson([("QP999999", SQUARE)]), 1, "code_qp",
         "entité n° 1 : quartier QP999999 inconnu de la géographie 2015 de l'entrepôt"),
    Case("contours", "ctr_code_double.geojson", geojson([("QP001001", SQUARE), ("QP001001", SQUARE)]),
         2, "code_qp", "entité n° 2 : code QP001001 en double (déjà à l'entité n° 1)"),
    Case("contours", "ctr_point.geojson", geojson([("QP001001", {"type": "Point", "coordinates": [5.22, 46.2]})]),
         1, "geometry", "entité n° 1 : géométrie de type Point"),
    Case("contours", "ctr_vide.geojson", raw(b""), None, None, "fichier vide"),
    Case("contours", "ctr_tronque.geojson", raw(b'{"type": "FeatureCollection", "features": [{"type": "Feat'),
         None, None, "fichier illisible ou tronqué (GeoJSON incomplet ou mal formé (ligne 1, caractère 21))"),
    # ------------------------------------------------------------------ programmation (CSV / XLSX)
    Case("programmation", "prog_sans_statut_erreurs.csv",
         text("N° dossier;Année;Porteur;Intitulé de l'action;Quartiers;Coût total\n"
              "P-1;2026;Asso A;Soutien scolaire;Tous;douze mille\n"
              "P-2;2026;;Médiation;Tous;1 000\n"
              "P-3;2026;Asso C;Sport;Quartier imaginaire;500\n"),
         2, "Coût total", "valeur non numérique « douze mille »", also=[(3, "Porteur"), (4, "Quartiers")]),
    Case("programmation", "prog_formule.csv",
         text(PROG_HEAD + "P-1;2026;Asso A;=CMD|' /C calc'!A0;Tous;1 000;Accordé\n"),
         2, "Intitulé de l'action", "formule de tableur « =CMD|' /C calc'!A0 »"),
    Case("programmation", "prog_html.xlsx",
         xlsx([PROG_HEAD.strip().split(";"), ["P-1", 2026, "Asso A", "<script>alert(1)</script>", "Tous", 1000, "Accordé"]]),
         2, "Intitulé de l'action (col. D)", "balise HTML ou lien de script « <script>alert(1)</script> »"),
    Case("programmation", "prog_dossier_double.csv",
         text(PROG_HEAD + "P-1;2026;Asso A;Action;Tous;1 000;Accordé\nP-1;2026;Asso B;Autre;Tous;500;Déposé\n"),
         3, "N° dossier", "dossier « P-1 » en double (déjà ligne 2)"),
    Case("programmation", "prog_latin1_montant.csv",
         text(PROG_HEAD + "P-1;2026;Asso é;Médiation;Tous;12 000,5O;Accordé\n", "cp1252"),
         2, "Coût total", "valeur non numérique « 12 000,5O »"),
    Case("programmation", "prog_fusion.xlsx",
         xlsx([PROG_HEAD.strip().split(";"), ["P-1", 2026, "Asso A", "Action", "Tous", 1000, "Accordé"],
               ["P-2", None, "Asso B", "Autre", "Tous", 500, "Déposé"]], after=merge("B2:B3")),
         2, "Année (col. B)", "cellules fusionnées B2:B3 : seule la première garde sa valeur"),
    # ------------------------------------------------------------------ engagements
    Case("engagements", "eng_statut_inconnu.csv",
         text(ENG_HEAD + "E-1;CAF;Rendez-vous des droits;31/12/2026;Presque fini\n"),
         2, "Statut", "valeur « Presque fini » non reconnue"),
    Case("engagements", "eng_html_signataire.xlsx",
         xlsx([ENG_HEAD.strip().split(";"), ["E-1", '<img src=x onerror="alert(1)">', "Engagement", "31/12/2026",
                                             "En cours"]]),
         2, "Signataire (col. B)", 'balise HTML ou lien de script « <img src=x onerror="alert(1)"> »'),
    Case("engagements", "eng_date_invalide.csv", text(ENG_HEAD + "E-1;CAF;Engagement;31/02/2026;En cours\n"),
         2, "Échéance", "date invalide « 31/02/2026 »"),
    # ------------------------------------------------------------------ enquêtes
    Case("enquete", "enq_donnees_personnelles.csv",
         text("Quartier;Nom;Q1 - Je me sens bien dans mon quartier\nQN00612M;Dupont;Plutôt d'accord\n"),
         1, "Nom", "colonne de données personnelles refusée"),
    Case("enquete", "enq_reponse_hors_echelle.csv",
         text(ENQ_HEAD + "QN00612M;14/10/2025;Plutôt d'accord;\nQN00612M;14/10/2025;Bof;\n"),
         3, "Q1 - Je me sens bien dans mon quartier", "réponse « Bof » hors de l'échelle de la question"),
    Case("enquete", "enq_verbatim_formule.csv",
         text(ENQ_HEAD + "QN00612M;14/10/2025;Plutôt d'accord;@SUM(1+1)*cmd\n"),
         2, "Verbatim", "formule de tableur « @SUM(1+1)*cmd »"),
    # ------------------------------------------------------------------ files that are not tables, encodings
    Case("indicateurs", "ind_binaire.csv", noise, None, None,
         "ce fichier n'est ni un CSV ni un classeur (contenu binaire)", IND_OPTS),
    Case("indicateurs", "ind_utf16_sans_bom.csv", raw("code;tx_pauvrete\r\nQP001001;40\r\nQP999999;41\r\n"
                                                      .encode("utf-16-le")),
         3, "code", "code de territoire « QP999999 » inconnu de l'entrepôt", IND_OPTS),
    Case("contours", "ctr_texte.geojson", text("Ceci n'est pas un fichier de contours.\n"), None, None,
         "fichier illisible ou tronqué (format non reconnu : ni GeoJSON, ni Shapefile, ni GeoPackage)"),
    Case("contours", "ctr_image.gpkg", raw(b"\x89PNG\r\n\x1a\n" + bytes(200)), None, None,
         "fichier illisible ou tronqué (format non reconnu : ni GeoJSON, ni Shapefile, ni GeoPackage)"),
    Case("programmation", "prog_nul.csv",
         text(PROG_HEAD + "P-1;2026;Asso A;Soutien\x00 scolaire;Tous;1 000;Accordé\n"),
         2, "Intitulé de l'action", "caractère de contrôle NUL (U+0000) en position 8"),
    Case("programmation", "prog_bidi.xlsx",
         xlsx([PROG_HEAD.strip().split(";"), ["P-1", 2026, "Asso \u202eA", "Action", "Tous", 1000, "Accordé"]]),
         2, "Porteur (col. C)", "caractère d'inversion du sens d'écriture RLO (U+202E) en position 6"),
    Case("programmation", "prog_dde.csv", text(PROG_HEAD + "P-1;2026;Asso A;+cmd|' /C calc'!A0;Tous;1 000;Accordé\n"),
         2, "Intitulé de l'action", "formule de tableur « +cmd|' /C calc'!A0 »"),
    Case("programmation", "prog_dde_calcul.csv",
         text(PROG_HEAD + "P-1;2026;-2+3+cmd|' /C calc'!A0;Action;Tous;1 000;Accordé\n"),
         2, "Porteur", "formule de tableur « -2+3+cmd|' /C calc'!A0 »"),
    Case("programmation", "prog_svg.csv",
         text(PROG_LONG_HEAD + "P-1;2026;Asso A;;Action;<svg/onload=alert(1)>;Tous;Accordé\n"),
         2, "Objectif", "balise HTML ou lien de script « <svg/onload=alert(1)> »"),
    Case("programmation", "prog_intitule_trop_long.csv",
         text(PROG_HEAD + "P-1;2026;Asso A;" + "Très long intitulé " * 30 + ";Tous;1 000;Accordé\n"),
         2, "Intitulé de l'action", "texte trop long (569 caractères ; au plus 500 pour un texte d'une ligne)"),
    Case("programmation", "prog_retour_ligne.xlsx",
         xlsx([PROG_HEAD.strip().split(";"), ["P-1", 2026, "Asso\nA", "Action", "Tous", 1000, "Accordé"]]),
         2, "Porteur (col. C)", "retour à la ligne (U+000A) en position 5 dans un texte d'une ligne"),
    Case("programmation", "prog_binaire.csv", noise, None, None,
         "ce fichier n'est ni un CSV ni un classeur (contenu binaire)"),
    Case("programmation", "prog_pdf.csv", pdf, None, None, "ce fichier n'est ni un CSV ni un classeur (document PDF)"),
    Case("programmation", "prog_utf16_sans_bom.csv",
         raw((PROG_HEAD + "P-1;2026;Asso A;Action;Quartier imaginaire;1 000;Accordé\n").encode("utf-16-le")),
         2, "Quartiers", "quartier « Quartier imaginaire » inconnu dans ce contrat"),
    Case("programmation", "prog_exemple_seul.xlsx",
         xlsx([PROG_HEAD.strip().split(";"),
               ["EXEMPLE — 2025-06-0042", 2025, "Asso", "Action", "Tous", 1000, "Accordé"]]),
         2, None, "aucune ligne de données sous l'en-tête (feuille « Données ») : la ligne d'exemple du modèle "
         "(ligne 2) est ignorée"),
    Case("programmation", "prog_annee_et_siret.csv",
         text(PROG_LONG_HEAD + "P-1;1890;Asso A;123 456;Action;;Tous;Accordé\n"),
         2, "Année", "année « 1890 » invalide", also=[(2, "SIRET")]),
    Case("programmation", "prog_decision_avant_depot.csv",
         text("N° dossier;Année;Porteur;Intitulé de l'action;Quartiers;Date de dépôt;Date de décision;Statut\n"
              "P-1;2026;Asso A;Action;Tous;15/03/2026;01/02/2026;Accordé\n"),
         2, "Date de décision", "date de décision (01/02/2026) antérieure à la date de dépôt (15/03/2026)"),
    Case("engagements", "eng_nul_commentaire.csv",
         text("N° engagement;Signataire;Engagement;Statut;Date du point;Commentaire\n"
              "E-1;CAF;Engagement;En cours;01/12/2026;RAS\x00\n"),
         2, "Commentaire", "caractère de contrôle NUL (U+0000) en position 4"),
    Case("engagements", "eng_code_trop_long.csv", text(ENG_HEAD + "E-" + "1" * 70 + ";CAF;Engagement;;En cours\n"),
         2, "N° engagement", "texte trop long (72 caractères ; au plus 60 pour un code)"),
    Case("engagements", "eng_point_inconnu.xlsx",
         xlsx([ENG_HEAD.strip().split(";"), ["E-1", "CAF", "Engagement", "31/12/2026", "En cours"]],
              sheets={"Points d'étape": [["N° engagement", "Date", "Statut"], ["E-9", "01/12/2026", "En cours"]]}),
         2, "N° engagement (col. A)",
         "feuille « Points d'étape » : engagement « E-9 » inconnu (ni dans la feuille des engagements, ni déjà "
         "importé)"),
    Case("engagements", "eng_statut_manquant.csv", text(ENG_HEAD + "E-1;CAF;Engagement;31/12/2026;\n"),
         2, "Statut", "valeur obligatoire manquante"),
    Case("engagements", "eng_document_word.xlsx", word_document, None, None,
         "ce fichier n'est ni un CSV ni un classeur (archive ZIP ou document bureautique sans feuille de calcul)"),
    Case("engagements", "eng_lien_script.csv",
         text("N° engagement;Signataire;Engagement;Statut;Preuve\nE-1;CAF;Engagement;En cours;"
              "[bilan](javascript:alert(1))\n"),
         2, "Preuve", "balise HTML ou lien de script « javascript:alert(1)) »"),
    Case("enquete", "enq_entete_html.csv",
         text("Quartier;Q1 - <svg/onload=alert(1)>\nQN00612M;Oui\n"), 1, "Q1 - <svg/onload=alert(1)>",
         "en-tête de question refusé : balise HTML ou lien de script « <svg/onload=alert(1)> »"),
    Case("enquete", "enq_methode_formule.csv", text(ENQ_HEAD + "QN00612M;14/10/2025;Plutôt d'accord;\n"),
         None, "--methode", 'option --methode refusée : formule de tableur « =HYPERLINK("http://x.example") »',
         ["--methode", '=HYPERLINK("http://x.example")']),
    Case("enquete", "enq_<img src=x onerror=alert(1)>.csv", text(ENQ_HEAD + "QN00612M;14/10/2025;Plutôt d'accord;\n"),
         None, "--enquete (titre tiré du nom du fichier)", "option --enquete (titre tiré du nom du fichier) refusée "
         ": balise HTML ou lien de script « <img src=x onerror=alert(1)> »"),
    Case("enquete", "enq_quartier_inconnu.csv", text(ENQ_HEAD + "QN99999Z;14/10/2025;Plutôt d'accord;\n"),
         2, "Quartier", "quartier « QN99999Z » inconnu dans ce contrat"),
    Case("enquete", "enq_verbatim_bidi.csv", text(ENQ_HEAD + "QN00612M;14/10/2025;Plutôt d'accord;Bien\u2066 vu\n"),
         2, "Verbatim", "caractère d'inversion du sens d'écriture LRI (U+2066) en position 5"),
    Case("enquete", "enq_date_invalide.csv", text(ENQ_HEAD + "QN00612M;31/02/2025;Plutôt d'accord;\n"),
         2, "Date", "date invalide « 31/02/2025 »"),
    Case("referentiel", "ref_sans_enjeu.csv",
         text("Objectif stratégique;Indicateur\nRéussir;Élèves accompagnés\n"),
         1, "Enjeu", "colonne obligatoire « Enjeu » absente"),
    Case("referentiel", "ref_oo_sans_os.csv", text(REF_HEAD + "Réussite éducative;;Accompagner;Élèves;420;2024\n"),
         2, "Objectif stratégique", "objectif opérationnel sans objectif stratégique"),
    Case("referentiel", "ref_catalogue_inconnu.csv",
         text("Enjeu;Indicateur du catalogue;Territoire\nEmploi;taux_de_bonheur;QN00612M\n"),
         2, "Indicateur du catalogue", "indicateur « taux_de_bonheur » absent du catalogue de l'observatoire"),
    Case("referentiel", "ref_territoire_inconnu.csv",
         text("Enjeu;Indicateur du catalogue;Territoire\nEmploi;tx_pauvrete;QN99999Z\n"),
         2, "Territoire", "territoire « QN99999Z » inconnu"),
    Case("referentiel", "ref_action_inconnue.csv",
         text("Enjeu;Objectif stratégique;Actions liées\nRéussite;Accompagner;2025-06-9999\n"),
         2, "Actions liées", "action « 2025-06-9999 » absente de la programmation du contrat"),
    Case("referentiel", "ref_valeur_non_numerique.xlsx",
         xlsx([REF_HEAD.strip().split(";"), ["Réussite", "Accompagner", None, "Élèves", "beaucoup", 2024]]),
         2, "Valeur de référence (col. E)", "valeur non numérique « beaucoup »"),
    Case("referentiel", "ref_annee_invalide.csv", text(REF_HEAD + "Réussite;Accompagner;;Élèves;420;24\n"),
         2, "Année de référence", "année « 24 » invalide"),
    Case("referentiel", "ref_code_double.csv",
         text("Enjeu;Code indicateur;Indicateur\nEmploi;IND-1;Jeunes en CEJ\nEmploi;IND-1;Heures d'insertion\n"),
         3, "Code indicateur", "code « IND-1 » en double (déjà ligne 2)"),
    Case("referentiel", "ref_html_enjeu.xlsx",
         xlsx([REF_HEAD.strip().split(";"), ["<b>Réussite</b>", None, None, "Élèves", 420, 2024]]),
         2, "Enjeu (col. A)", "balise HTML ou lien de script « <b>Réussite</b> »"),
    Case("referentiel", "ref_valeurs_sans_indicateur.csv", text(REF_HEAD + "Réussite;Accompagner;;;420;2024\n"),
         2, "Indicateur", "valeurs d'indicateur sans indicateur"),
]
