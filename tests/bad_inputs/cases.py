"""The broken files of the bad-input battery, generated at test time (nothing committed but this code).

Each case: an import kind, a file name, a builder writing the file, the command-line options, and what the
French error must say: the line and column when the problem has one, and some words. `also` lists other
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
KINDS = ("indicateurs", "contours", "programmation", "engagements", "enquete")


@dataclass
class Case:
    kind: str
    name: str
    build: Callable[[Path], None]
    line: int | None
    column: str | None
    words: list[str]
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
ENG_HEAD = "N° engagement;Signataire;Engagement;Échéance;Statut\n"
ENQ_HEAD = "Quartier;Date;Q1 - Je me sens bien dans mon quartier;Verbatim\n"


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
         3, "nom", ["encodage mélangé"], IND_OPTS),
    Case("indicateurs", "ind_utf16_tronque.csv", raw("code;tx_pauvrete\r\nQP001001;40\r\n".encode("utf-16") + b"\x00"),
         1, None, ["UTF-16"], IND_OPTS),
    Case("indicateurs", "ind_separateurs_melanges.csv", text("code;tx_pauvrete\nQP001001,40\nQP001002;38\n"),
         2, "tx_pauvrete", ["1 colonne(s) au lieu de 2"], IND_OPTS),
    Case("indicateurs", "ind_virgule_decimale_sep_virgule.csv", text("code,tx_pauvrete\nQP001001,40,5\n"),
         2, "n° 3", ["hors des colonnes nommées"], IND_OPTS),
    Case("indicateurs", "ind_milliers_points.csv", text("code;pop\nQP001001;1.234.567\n"),
         2, "pop", ["non numérique", "1.234.567"], IND_OPTS),
    Case("indicateurs", "ind_milliers_apostrophe.csv", text("code;pop\nQP001001;1'234\n"),
         2, "pop", ["non numérique"], IND_OPTS),
    Case("indicateurs", "ind_bom_seul.csv", raw(b"\xef\xbb\xbf"), 1, None, ["fichier vide"], IND_OPTS),
    Case("indicateurs", "ind_vide.csv", raw(b""), 1, None, ["fichier vide"], IND_OPTS),
    Case("indicateurs", "ind_entete_seul.csv", text("code;tx_pauvrete\r\n"), 2, None, ["aucune ligne de données"],
         IND_OPTS),
    Case("indicateurs", "ind_ligne_tronquee.csv", text("code;nom;tx_pauvrete\r\nQP001001;a;40\r\nQP0010"),
         3, "nom", ["tronquée"], IND_OPTS),
    Case("indicateurs", "ind_cle_double.csv", text("code;tx_pauvrete\nQP001001;40\nQP001001;41\n"),
         3, "code", ["en double", "ligne 2"], IND_OPTS),
    Case("indicateurs", "ind_code_inconnu.csv", text("Code QPV;tx_pauvrete\nQP001001;40\nQP999999;41\n"),
         3, "Code QPV", ["QP999999", "inconnu"], IND_OPTS),
    Case("indicateurs", "ind_non_numerique_et_inconnu.csv", text("code;tx_pauvrete\nQP999999;40\nQP001002;élevé\n"),
         2, "code", ["inconnu"], IND_OPTS, also=[(3, "tx_pauvrete")]),
    Case("indicateurs", "ind_formule.csv", text("code;tx_pauvrete\nQP001001;=1+2\n"),
         2, "tx_pauvrete", ["non numérique", "=1+2"], IND_OPTS),
    Case("indicateurs", "ind_html.csv", text("code;tx_pauvrete\nQP001001;<b>40</b>\n"),
         2, "tx_pauvrete", ["non numérique"], IND_OPTS),
    Case("indicateurs", "ind_fusion.xlsx", xlsx([["code", "tx_pauvrete"], ["QP001001", 40], [None, 41]],
                                                 after=merge("A2:A3")),
         2, "code (col. A)", ["cellules fusionnées A2:A3"], IND_OPTS),
    Case("indicateurs", "ind_plusieurs_feuilles.xlsx",
         xlsx([["code", "tx_pauvrete"], ["QP001001", 40]], sheets={"2020": [["code", "tx_pauvrete"], ["QP001001", 39]]}),
         None, None, ["plusieurs feuilles de données", "--sheet"], IND_OPTS),
    Case("indicateurs", "ind_formule_non_calculee.xlsx",
         xlsx([["code", "tx_pauvrete"], ["QP001001", 40], ["QP001002", None]], after=formula("B3", "=B2*2")),
         3, "tx_pauvrete (col. B)", ["formule sans valeur calculée", "=B2*2"], IND_OPTS),
    Case("indicateurs", "ind_classeur_tronque.xlsx", truncated_xlsx, None, None, ["illisible ou tronqué"], IND_OPTS),
    Case("indicateurs", "ind_100_mo.csv", hundred_mb, None, None, ["trop volumineux", "limite 50 Mo"], IND_OPTS),
    # ------------------------------------------------------------------ contours (GeoJSON)
    Case("contours", "ctr_anneau_ouvert.geojson", geojson([("QP001001", OPEN_RING), ("QP001002", SQUARE)]),
         1, "geometry", ["anneau de polygone non fermé"]),
    Case("contours", "ctr_lambert93_sans_crs.geojson", geojson([("QP001001", SQUARE_L93)]),
         None, "geometry", ["hors des bornes de la longitude/latitude"]),
    Case("contours", "ctr_crs_faux.geojson", geojson([("QP001002", SQUARE)], crs="urn:ogc:def:crs:EPSG::2154"),
         1, "geometry", ["km de l'emplacement connu", "EPSG:2154"]),
    Case("contours", "ctr_code_inconnu.geojson", geojson([("QP999999", SQUARE)]), 1, "code_qp", ["QP999999", "inconnu"]),
    Case("contours", "ctr_code_double.geojson", geojson([("QP001001", SQUARE), ("QP001001", SQUARE)]),
         2, "code_qp", ["en double"]),
    Case("contours", "ctr_point.geojson", geojson([("QP001001", {"type": "Point", "coordinates": [5.22, 46.2]})]),
         1, "geometry", ["Point"]),
    Case("contours", "ctr_vide.geojson", raw(b""), None, None, ["fichier vide"]),
    Case("contours", "ctr_tronque.geojson", raw(b'{"type": "FeatureCollection", "features": [{"type": "Feat'),
         None, None, ["illisible ou tronqué"]),
    # ------------------------------------------------------------------ programmation (CSV / XLSX)
    Case("programmation", "prog_sans_statut_erreurs.csv",
         text("N° dossier;Année;Porteur;Intitulé de l'action;Quartiers;Coût total\n"
              "P-1;2026;Asso A;Soutien scolaire;Tous;douze mille\n"
              "P-2;2026;;Médiation;Tous;1 000\n"
              "P-3;2026;Asso C;Sport;Quartier imaginaire;500\n"),
         2, "Coût total", ["valeur non numérique"], also=[(3, "Porteur"), (4, "Quartiers")]),
    Case("programmation", "prog_formule.csv",
         text(PROG_HEAD + "P-1;2026;Asso A;=CMD|' /C calc'!A0;Tous;1 000;Accordé\n"),
         2, "Intitulé de l'action", ["formule de tableur"]),
    Case("programmation", "prog_html.xlsx",
         xlsx([PROG_HEAD.strip().split(";"), ["P-1", 2026, "Asso A", "<script>alert(1)</script>", "Tous", 1000, "Accordé"]]),
         2, "Intitulé de l'action (col. D)", ["balise HTML"]),
    Case("programmation", "prog_dossier_double.csv",
         text(PROG_HEAD + "P-1;2026;Asso A;Action;Tous;1 000;Accordé\nP-1;2026;Asso B;Autre;Tous;500;Déposé\n"),
         3, "N° dossier", ["en double"]),
    Case("programmation", "prog_latin1_montant.csv",
         text(PROG_HEAD + "P-1;2026;Asso é;Médiation;Tous;12 000,5O;Accordé\n", "cp1252"),
         2, "Coût total", ["non numérique", "12 000,5O"]),
    Case("programmation", "prog_fusion.xlsx",
         xlsx([PROG_HEAD.strip().split(";"), ["P-1", 2026, "Asso A", "Action", "Tous", 1000, "Accordé"],
               ["P-2", None, "Asso B", "Autre", "Tous", 500, "Déposé"]], after=merge("B2:B3")),
         2, "Année (col. B)", ["cellules fusionnées B2:B3"]),
    # ------------------------------------------------------------------ engagements
    Case("engagements", "eng_statut_inconnu.csv",
         text(ENG_HEAD + "E-1;CAF;Rendez-vous des droits;31/12/2026;Presque fini\n"),
         2, "Statut", ["non reconnue"]),
    Case("engagements", "eng_html_signataire.xlsx",
         xlsx([ENG_HEAD.strip().split(";"), ["E-1", '<img src=x onerror="alert(1)">', "Engagement", "31/12/2026",
                                             "En cours"]]),
         2, "Signataire (col. B)", ["balise HTML"]),
    Case("engagements", "eng_date_invalide.csv", text(ENG_HEAD + "E-1;CAF;Engagement;31/02/2026;En cours\n"),
         2, "Échéance", ["date invalide"]),
    # ------------------------------------------------------------------ enquêtes
    Case("enquete", "enq_donnees_personnelles.csv",
         text("Quartier;Nom;Q1 - Je me sens bien dans mon quartier\nQN00612M;Dupont;Plutôt d'accord\n"),
         1, "Nom", ["données personnelles"]),
    Case("enquete", "enq_reponse_hors_echelle.csv",
         text(ENQ_HEAD + "QN00612M;14/10/2025;Plutôt d'accord;\nQN00612M;14/10/2025;Bof;\n"),
         3, "Q1 - Je me sens bien", ["hors de l'échelle"]),
    Case("enquete", "enq_verbatim_formule.csv",
         text(ENQ_HEAD + "QN00612M;14/10/2025;Plutôt d'accord;@SUM(1+1)*cmd\n"),
         2, "Verbatim", ["formule de tableur"]),
]
