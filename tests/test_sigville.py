"""source_value and the 2015 quartiers (loaders/sigville.py, loaders/filosofi_refs.py) on the real files.

Hand-picked values come from the raw files (file, line, column given in each comment); the property test
re-reads the files with Python's csv module, independently of loaders/frcsv.py.
"""
from __future__ import annotations

import csv
import random
import re

import pytest

NNBSP = "\u202f"


def cell(con, file, variable, code):
    rows = con.execute("""
        SELECT value, raw, status, line, edition FROM source_value
        WHERE source_file = ? AND source_variable = ? AND territory_code = ?
    """, [file, variable, code]).fetchall()
    assert len(rows) == 1, (file, variable, code, rows)
    return rows[0]


def test_population_two_editions(con):
    # DEMO_2017.csv line 3: QP001001;Grande Reyssouze Terre Des Fleurs;6 056;... (POP_MUN, U+202F separator)
    assert cell(con, "DEMO_2017.csv", "POP_MUN", "QP001001") == (6056.0, f"6{NNBSP}056", "ok", 3, 2017)
    # DEMO_2022.csv line 2 (no Ensemble row in 2022): POP_MUN = 6 490
    assert cell(con, "DEMO_2022.csv", "POP_MUN", "QP001001") == (6490.0, f"6{NNBSP}490", "ok", 2, 2022)
    # data_DEMO_2020_V1_QP.csv line 2: no BOM, no thousands separator: 6056
    assert cell(con, "data_DEMO_2020_V1_QP.csv", "POP_MUN", "QP001001") == (6056.0, "6056", "ok", 2, 2020)


def test_revn_2022_poverty_and_median(con):
    # REVN_2022.csv line 2: ...;DISP_Q2 = 14 180;...;TP60 = 41,4
    assert cell(con, "REVN_2022.csv", "TP60", "QP001001")[:3] == (41.4, "41,4", "ok")
    assert cell(con, "REVN_2022.csv", "DISP_Q2", "QP001001")[:3] == (14180.0, f"14{NNBSP}180", "ok")
    # REVN_2021.csv line 2: DISP_Q2 = 13 790 (= data_filo17 disp_q2_a17: REVN N carries Filosofi N-4)
    assert cell(con, "REVN_2021.csv", "DISP_Q2", "QP001001")[0] == 13790.0
    assert cell(con, "data_filo17_qp_revdis.csv", "disp_q2_a17", "QP001001")[0] == 13790.0


def test_filo_editions_and_case(con):
    # data_filo16_qp_revdis.csv line 3 (lower-case names, no separator): disp_q2_a16 = 13690, edition 2016
    assert cell(con, "data_filo16_qp_revdis.csv", "disp_q2_a16", "QP001001") == (13690.0, "13690", "ok", 3, 2016)
    # data_filo18_qp_revdis.csv line 3 (U+00A0 separator): DISP_MED_A18 = 14 180
    v = cell(con, "data_filo18_qp_revdis.csv", "DISP_MED_A18", "QP001001")
    assert v[0] == 14180.0 and v[1] == "14\u00a0180" and v[4] == 2018


def test_ensemble_rows(con):
    # data_filo19_qp_revdis.csv line 2: Ensemble;10 690;14 010;... -> ENSQP2015, DISP_MED_A19 = 14 010
    assert cell(con, "data_filo19_qp_revdis.csv", "DISP_MED_A19", "ENSQP2015")[:4] == (14010.0, "14\u00a0010", "ok", 2)
    # DEMO_2017.csv line 2: Ensemble;Ensemble des QPV;5 019 573;;;;52,1
    assert cell(con, "DEMO_2017.csv", "POP_MUN", "ENSQP2015")[0] == 5019573.0
    assert cell(con, "DEMO_2017.csv", "TX_F", "ENSQP2015")[0] == 52.1
    # REVN_2017.csv line 2: the aggregate has no income figures: empty, not secret
    assert cell(con, "REVN_2017.csv", "DISP_Q2", "ENSQP2015")[1:4] == ("", "non_disponible", 2)
    t = con.execute("SELECT level, name, generation, population FROM territory WHERE code = 'ENSQP2015'").fetchone()
    assert t == ("ensemble_qpv", "Ensemble des QPV", "2015", 5019573)
    assert con.execute("SELECT count(*) FROM source_value WHERE territory_code = 'Ensemble'").fetchone()[0] == 0


def test_secret_cells(con):
    # DEMO_2019.csv line 3: QP001001 ...;TX_TOT_MEN1 = 45,2;TX_TOT_MEN6 = (empty);...
    assert cell(con, "DEMO_2019.csv", "TX_TOT_MEN6", "QP001001") == (None, "", "secret", 3, 2019)
    # REVN_2022.csv line 3: QP001002;Croix Blanche;;9 360;... (PMIMP empty)
    assert cell(con, "REVN_2022.csv", "PMIMP", "QP001002")[:3] == (None, "", "secret")


def test_text_cells_kept_exactly(con):
    # DEMO_2022.csv line 28: QP003001;...;LIB_COM = "Cusset, Vichy" (two communes)
    assert cell(con, "DEMO_2022.csv", "LIB_COM", "QP003001")[1:4] == ("Cusset, Vichy", "text", 28)
    assert cell(con, "DEMO_2022.csv", "LIBGEO", "QP001001")[1:3] == ("Grande Reyssouze Terre Des Fleurs", "text")


def test_column_with_trailing_space(con):
    # IPRO_2019.csv header: ...;EVOL_CA_N_E ;... (trailing space kept); line 3 QP001001 = -80,4
    assert cell(con, "IPRO_2019.csv", "EVOL_CA_N_E ", "QP001001")[:3] == (-80.4, "-80,4", "ok")


def test_filosofi_references(con):
    # FILO2019_DISP_METROPOLE.csv line 2: 1;France métropolitaine;27937964;62973019;43338321,3;16090;21930;...
    assert cell(con, "FILO2019_DISP_METROPOLE.csv", "Q219", "FRM")[:4] == (21930.0, "21930", "ok", 2)
    # FILO2014_DISP_DEP.csv line 2: 01;Ain;248252;608219;405112,0;16290,4;21699,6 (Q214)
    assert cell(con, "FILO2014_DISP_DEP.csv", "Q214", "DEP01")[0] == 21699.6
    # FILO2014_DISP_EPCI.csv line 2: 200000164;CC de Pange;... an EPCI of 2014, absent from today's COG
    assert cell(con, "FILO2014_DISP_EPCI.csv", "NBMEN14", "200000164")[0] == 4826.0
    t = con.execute("SELECT level, name, population_source FROM territory WHERE code = '200000164'").fetchone()
    assert t[0] == "epci" and t[1] == "CC de Pange" and "absent du COG" in t[2]
    # REG codes: 'REG' + code as published
    assert cell(con, "FILO2019_DISP_REG.csv", "Q219", "REG02")[0] is not None


def test_qp2015_territories(con):
    rows = dict((r[0], r[1:]) for r in con.execute("""
        SELECT code, level, name, generation, departement, population, population_source FROM territory
        WHERE code IN ('QP001001', 'QP02A001', 'QP971001')""").fetchall())
    assert rows["QP001001"] == ("qpv", "Grande Reyssouze Terre Des Fleurs", "2015", "01", 6490, "DEMO_2022.csv POP_MUN")
    # DEMO_2022.csv line 261: QP02A001;Pifano;797 ; line 1298: QP971001;Boissard-Morne Flory;3 674
    assert rows["QP02A001"][1:5] == ("Pifano", "2015", "2A", 797)
    assert rows["QP971001"][1:5] == ("Boissard-Morne Flory", "2015", "971", 3674)


def test_every_qp_code_is_a_territory(con, data_dir):
    codes = set()
    for p in _source_files(data_dir)[:21]:
        with open(p, encoding="utf-8-sig", newline="") as f:
            codes |= {r[0] for r in csv.reader(f, delimiter=";") if r and r[0].startswith("QP")}
    stored = {c for (c,) in con.execute(
        "SELECT code FROM territory WHERE level = 'qpv' AND generation = '2015'").fetchall()}
    assert stored == codes and len(codes) == 1400


def _raw_cells(path):
    """(line, code, column, text) of every non-key cell of a named column, read with the csv module."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header = rows[0]
    named = [i for i, h in enumerate(header) if h.strip()]
    for ln, r in enumerate(rows[1:], start=2):
        for i in named[1:]:
            yield ln, r[0], header[i], r[i] if i < len(r) else ""


def _independent_number(text):
    t = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    return float(t) if re.fullmatch(r"-?\d+(\.\d+)?", t) else None


def _code(file, key):
    if key == "Ensemble":
        return "ENSQP2015"
    m = re.match(r"FILO\d{4}_DISP_(EPCI|DEP|REG|METROPOLE)", file)
    if not m:
        return key
    return {"EPCI": key, "DEP": "DEP" + key, "REG": "REG" + key, "METROPOLE": "FRM"}[m.group(1)]


def _source_files(data_dir) -> list:
    """The 21 SIG Ville files and the 24 Filosofi reference files of the data folder (README): an empty or
    partial glob fails here instead of making the tests below pass on nothing."""
    sig = sorted(data_dir.glob("sigville_qp2015/*.csv"))
    refs = sorted(data_dir.glob("insee_filosofi_references/*.csv"))
    assert (len(sig), len(refs)) == (21, 24), [p.name for p in sig + refs]
    return sig + refs


def test_every_cell_is_stored(con, data_dir):
    """One source_value row per non-key cell of every named column, file by file."""
    files = _source_files(data_dir)
    stored = dict(con.execute("SELECT source_file, count(*) FROM source_value GROUP BY 1").fetchall())
    checked = 0
    for p in files:
        n = sum(1 for _ in _raw_cells(p))
        assert n > 0 and stored.get(p.name) == n, p.name
        checked += n
    assert checked > 1_000_000


def test_sampled_published_cells_match(con, data_dir):
    """Property: 4,000 random published numeric cells, parsed here independently, are found with the same
    number, raw text and line."""
    rnd = random.Random(20150)
    files = _source_files(data_dir)
    sample = []
    for p in files:
        cells = [c for c in _raw_cells(p) if _independent_number(c[3]) is not None]
        sample += [(p.name, *c) for c in rnd.sample(cells, min(len(cells), 90))]
    assert len(sample) > 3500
    con.execute("CREATE OR REPLACE TEMP TABLE _sample (f VARCHAR, line INTEGER, k VARCHAR, v VARCHAR, raw VARCHAR)")
    con.executemany("INSERT INTO _sample VALUES (?, ?, ?, ?, ?)",
                    [(f, ln, _code(f, k), var, raw) for f, ln, k, var, raw in sample])
    found = {(r[0], r[1], r[2]): r[3:] for r in con.execute("""
        SELECT s.f, s.k, s.v, sv.value, sv.raw, sv.status, sv.line FROM _sample s
        JOIN source_value sv ON sv.source_file = s.f AND sv.territory_code = s.k AND sv.source_variable = s.v
    """).fetchall()}
    for f, ln, k, var, raw in sample:
        value, sraw, status, sline = found[(f, _code(f, k), var)]
        assert (sraw, status, sline) == (raw, "ok", ln), (f, k, var)
        assert value == pytest.approx(_independent_number(raw), rel=1e-12), (f, k, var, raw)


def test_empty_published_cells_are_secret(con):
    """Every empty cell of a quartier row in a numeric column is 'secret'; of the Ensemble row 'non_disponible'."""
    rows = dict(con.execute("""
        SELECT status, count(*) FROM source_value WHERE raw = '' GROUP BY 1""").fetchall())
    assert set(rows) <= {"secret", "non_disponible", "text"}
    assert con.execute("""
        SELECT count(*) FROM source_value
        WHERE raw = '' AND status = 'non_disponible' AND territory_code <> 'ENSQP2015'""").fetchone()[0] == 0


def test_load_log_has_every_file(con, data_dir):
    logged = {r[0] for r in con.execute(
        "SELECT source_file FROM load_log WHERE step IN ('sigville', 'filosofi_refs')").fetchall()}
    files = {p.name for p in _source_files(data_dir)}
    assert logged == files and len(files) == 45
    size, sha = con.execute("SELECT size_bytes, sha256 FROM load_log WHERE source_file = 'REVN_2022.csv'").fetchone()
    assert size == 1607379 and len(sha) == 64
