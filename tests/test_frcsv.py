"""French CSV reading (loaders/frcsv.py): the real files' quirks and the user-file errors.

Small files are written by the tests themselves; real files come from ../shared/data.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from readers import frcsv
from readers.errors import InputError

NNBSP, NBSP = "\u202f", "\u00a0"


def write(tmp_path, name, text, encoding="utf-8", bom=False):
    p = tmp_path / name
    data = text.encode(encoding)
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return p


def read_error(tmp_path, name, text, **kwargs):
    """Write `text` and read it: the InputError raised (pytest's ExceptionInfo)."""
    p = write(tmp_path, name, text)
    with pytest.raises(InputError) as e:
        frcsv.read(p, **kwargs)
    return e


# ------------------------------------------------------------------------------------------ numbers

@pytest.mark.parametrize("text, expected", [
    ("6 490", 6490.0), (f"6{NNBSP}490", 6490.0), (f"1{NBSP}234,5", 1234.5), ("55,3", 55.3), ("-0,3", -0.3),
    ("−3,5", -3.5), ("12", 12.0), ("0,245", 0.245), ("5019573", 5019573.0), ("1.5", 1.5), ("", None), ("  ", None),
])
def test_parse_number(text, expected):
    assert frcsv.parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "1e5", "inf", "nan", "1.234.567", "-", "1_000", "12 %", "s"])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        frcsv.parse_number(text)


def test_sql_arrow_and_python_agree():
    """parse_numbers_arrow (used for the 1.4 million source cells), fr_num (SQL) and parse_number (Python)
    follow one rule."""
    samples = ["6 490", f"6{NNBSP}490", f"1{NBSP}234,5", "55,3", "-0,3", "−3,5", "12", "0,245", "1.5", "+5", ".5",
               "5.", "abc", "1e5", "1E5", "inf", "nan", "Infinity", "1.234.567", "-", "1_000", "12 %", "s", "1+2"]
    con = duckdb.connect()
    frcsv.install_macros(con)
    arrow = frcsv.parse_numbers_arrow(pa.array(samples, pa.string())).to_pylist()
    for s, arr in zip(samples, arrow):
        sql = con.execute("SELECT fr_num(?)", [s]).fetchone()[0]
        try:
            py = frcsv.parse_number(s)
        except ValueError:
            py = None
        assert sql == py == arr, s


# ------------------------------------------------------------------------------------------ real files

def test_revn_2022_trailing_columns_and_nnbsp(data_dir):
    t = frcsv.read(data_dir / "sigville_qp2015/REVN_2022.csv", key="CODGEO")
    # Header: 32 named columns then 992 empty ones (1,024 fields per line).
    assert len(t.columns) == 32 and t.dropped_columns == 992
    assert t.encoding == "utf-8-sig" and t.columns[0] == "CODGEO"
    # Line 2: QP001001;Grande Reyssouze Terre Des Fleurs;23,6;11 240;... (U+202F thousands separator)
    assert t.lines[0] == 2
    row = dict(zip(t.columns, t.rows[0]))
    assert row["CODGEO"] == "QP001001" and row["DISP_Q2"] == f"14{NNBSP}180" and row["TP60"] == "41,4"
    assert frcsv.parse_number(row["DISP_Q2"]) == 14180.0
    # QP001002 (line 3) has an empty PMIMP: not published
    assert dict(zip(t.columns, t.rows[1]))["PMIMP"] == ""


def test_column_name_with_trailing_space_kept(data_dir):
    t = frcsv.read(data_dir / "sigville_qp2015/IPRO_2019.csv", key="CODGEO")
    assert "EVOL_CA_N_E " in t.columns and "EVOL_CA_N_E" not in t.columns
    # IPRO_2019.csv line 3: QP001001 ... EVOL_CA_N_E = -80,4
    assert t.values("EVOL_CA_N_E ")[1] == "-80,4"


def test_no_bom_lower_case_key(data_dir):
    t = frcsv.read(data_dir / "sigville_qp2015/data_filo16_qp_revdis.csv", key=("CODGEO", "codgeo"))
    assert t.key == "codgeo" and t.encoding == "utf-8"
    # line 2 is the national aggregate, line 3 QP001001 disp_q2_a16 = 13690
    assert t.values("codgeo")[:2] == ["Ensemble", "QP001001"]
    assert t.values("disp_q2_a16")[1] == "13690"


def test_quoted_labels_with_doubled_quotes(data_dir):
    t = frcsv.read(data_dir / "insee_filosofi_references/FILO2016_DISP_EPCI.csv", key="CODGEO")
    # FILO2016_DISP_EPCI.csv line 452: 200068625;"CC Alpes-Provence-Verdon ""sources de Lumière""";5113;...
    i = t.lines.index(452)
    assert t.values("CODGEO")[i] == "200068625"
    assert t.values("LIBGEO")[i] == 'CC Alpes-Provence-Verdon "sources de Lumière"'
    assert t.values("NBMEN16")[i] == "5113"


def test_text_columns_detected(data_dir):
    t = frcsv.read(data_dir / "sigville_qp2015/DEMO_2022.csv", key="CODGEO")
    assert t.text_columns() == {"CODGEO", "LIBGEO", "LIB_COM"}


# ------------------------------------------------------------------------------------------ bad input

def test_windows_1252_is_read_and_named(tmp_path):
    p = write(tmp_path, "latin.csv", "code;nom;valeur\r\nQP001001;Bourg;1\r\nQP001002;Orléans;2\r\n", "cp1252")
    t = frcsv.read(p)
    assert t.values("nom") == ["Bourg", "Orléans"]
    assert t.encoding == "cp1252" and t.encoding_label == "Windows-1252 (Latin-1)"


def test_mixed_encodings_name_line_and_column(tmp_path):
    p = tmp_path / "melange.csv"
    p.write_bytes("code;nom;valeur\r\nQP001001;Bourg-en-Bresse é;1\r\n".encode("utf-8")
                  + "QP001002;Orléans;2\r\n".encode("cp1252"))
    with pytest.raises(InputError) as e:
        frcsv.read(p)
    assert e.value.line == 3 and e.value.column == "nom"
    assert "melange.csv" in str(e.value) and "encodage mélangé" in str(e.value)


def test_utf16_with_bom_is_read(tmp_path):
    p = tmp_path / "u16.csv"
    p.write_bytes("code;v\r\nQP001001;1\r\n".encode("utf-16"))
    t = frcsv.read(p)
    assert t.values("v") == ["1"] and t.encoding == "utf-16"


def test_separator_detected_when_not_given(tmp_path):
    p = write(tmp_path, "virgules.csv", "code,valeur\nQP001001,12\n")
    t = frcsv.read(p, sep=None)
    assert t.sep == "," and t.values("valeur") == ["12"]


def test_wrong_separator(tmp_path):
    e = read_error(tmp_path, "virgules.csv", "code,valeur\nQP001001,12\n")
    assert e.value.line == 1 and "« , »" in str(e.value) and "« ; »" in str(e.value)


def test_missing_key_column(tmp_path):
    e = read_error(tmp_path, "sanscle.csv", "nom;valeur\nBourg;12\n", key="CODGEO")
    assert e.value.line == 1 and e.value.column == "CODGEO" and "sanscle.csv" in str(e.value)


def test_duplicated_key(tmp_path):
    p = write(tmp_path, "doublon.csv", "code;valeur\nQP001001;12\nQP001002;3\nQP001001;14\n")
    with pytest.raises(InputError) as e:
        frcsv.read(p, key="code")
    assert e.value.line == 4 and e.value.column == "code" and "ligne 2" in str(e.value)
    # Published files keep their duplicates, with a warning.
    t = frcsv.read(p, key="code", duplicate_keys="warn")
    assert t.warnings and t.warnings[0][0] == 4


def test_duplicated_row(tmp_path):
    e = read_error(tmp_path, "lignes.csv", "code;valeur\nQP001001;12\nQP001001;12\n")
    assert e.value.line == 3 and "identique à la ligne 2" in str(e.value)


def test_duplicated_column_name(tmp_path):
    e = read_error(tmp_path, "colonnes.csv", "code;v;v\nQP001001;1;2\n")
    assert e.value.line == 1 and e.value.column == "v"


def test_non_numeric_cell(tmp_path):
    p = write(tmp_path, "texte.csv", "code;valeur\nQP001001;12,5\nQP001002;douze\n")
    t = frcsv.read(p, key="code")
    with pytest.raises(InputError) as e:
        frcsv.check_numeric(t, ["valeur"])
    assert e.value.line == 3 and e.value.column == "valeur" and "douze" in str(e.value)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"])
def test_empty_file(tmp_path, content):
    p = tmp_path / "vide.csv"
    p.write_bytes(content)
    with pytest.raises(InputError, match="fichier vide"):
        frcsv.read(p)


def test_header_only(tmp_path):
    e = read_error(tmp_path, "entete.csv", "code;valeur\r\n")
    assert e.value.line == 2 and "aucune ligne" in str(e.value)


def test_truncated_file(tmp_path):
    # The copy stopped in the middle of line 3: no final newline, missing columns.
    e = read_error(tmp_path, "tronque.csv", "code;a;b;c\r\nQP001001;1;2;3\r\nQP001002;4")
    assert e.value.line == 3 and e.value.column == "b" and "tronquée" in str(e.value)


def test_short_row_in_the_middle(tmp_path):
    e = read_error(tmp_path, "court.csv", "code;a;b\nQP001001;1;2\nQP001002;4\nQP001003;5;6\n")
    assert e.value.line == 3 and "2 colonne(s) au lieu de 3" in str(e.value)


def test_values_beyond_named_columns(tmp_path):
    e = read_error(tmp_path, "horsentete.csv", "code;a;;\nQP001001;1;;\nQP001002;2;;oups\n")
    assert e.value.line == 3 and "oups" in str(e.value)


def test_blank_lines_keep_line_numbers(tmp_path):
    p = write(tmp_path, "blancs.csv", "code;a\n\nQP001001;1\n\nQP001002;2\n")
    t = frcsv.read(p, key="code")
    assert t.lines == [3, 5] and t.values("a") == ["1", "2"]
