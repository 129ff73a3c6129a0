"""Pure pieces of the QPV lookup (issue 15), no warehouse: reading typed coordinates and ragged CSV rows,
neutralising formula-like cells in the result file."""
from __future__ import annotations

import pandas as pd
import pytest

from indicators.localiser import neutralise
from readers import frcsv, points
from readers.errors import InputErrors


def test_typed_points_accept_usual_spellings():
    pf = points.typed_points("43,2965 ; 5,3698\n43.2965, 5.3698\n43.2965\t5.3698\n43.2965 5.3698\n\n43,2965;")
    assert pf.cells["latitude"].tolist() == ["43,2965", "43.2965", "43.2965", "43.2965", "43,2965"]
    assert pf.cells["longitude"].tolist() == ["5,3698", "5.3698", "5.3698", "5.3698", ""]
    assert pf.lines == [1, 2, 3, 4, 5] and pf.mode == "wgs84"


def test_points_file_reads_an_upload_without_writing_it_to_disk(tmp_path):
    data = "nom;Latitude;Longitude;result_score\nA;43,29;5,37;0,9\nB;43,30\n".encode("utf-8")
    pf = points.read_points(tmp_path / "absent.csv", data=data)
    assert pf.columns == {"latitude": "Latitude", "longitude": "Longitude", "result_score": "result_score"}
    assert pf.is_ban and pf.ragged_lines == {3} and pf.cells["Longitude"].tolist() == ["5,37", ""]
    assert not (tmp_path / "absent.csv").exists()


def test_addresses_without_coordinates_say_how_to_geocode(tmp_path):
    with pytest.raises(points.NoCoordinates) as exc:
        points.read_points(tmp_path / "adresses.csv", data="nom;adresse;code postal\nA;1 rue X;13001\n".encode())
    msg = str(exc.value)
    assert "adresses sans coordonnées" in msg and "adresse.data.gouv.fr/csv" in msg and "latitude" in msg


def test_frcsv_pads_ragged_rows_on_demand(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("a;b;c\n1;2;3\n4;5\n6;7;8;9\n", encoding="utf-8")
    t = frcsv.read(path, ragged="pad")
    assert t.rows == [["1", "2", "3"], ["4", "5", ""], ["6", "7", "8"]] and t.ragged_lines == [3, 4]
    with pytest.raises(InputErrors):
        frcsv.read(path)                                          # default unchanged: those rows are errors


def test_neutralise_formula_cells_keeps_numbers():
    s = pd.Series(["=1+2", "+A1", "-1,68", "-2.5", "@SUM(A1)", "-cmd|' /C calc'!A0", "ok", "\tx"])
    assert neutralise(s).tolist() == ["'=1+2", "'+A1", "-1,68", "-2.5", "'@SUM(A1)",
                                      "'-cmd|' /C calc'!A0", "ok", "'\tx"]


