"""Static chart rendering: PNG at 300 dpi (pixel size and pHYs chunk), SVG, one kaleido server for a
batch, and a project chart with its source line kept inside the image."""
from __future__ import annotations

import struct

import plotly.graph_objects as go

from exports import render


def _phys_dpi(png: bytes) -> float:
    i = png.index(b"pHYs")
    ppm_x, _, unit = struct.unpack(">IIB", png[i + 4:i + 13])
    assert unit == 1
    return ppm_x * 0.0254


def test_png_print_resolution_and_svg():
    fig = go.Figure(go.Bar(x=["Quartier", "EPCI"], y=[40.1, 15.2]))
    with render.session():
        png = render.to_png(fig, 900, 500)
        png2 = render.to_png(fig, 600, 400)        # same server
        svg = render.to_svg(fig, 900, 500)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert render.png_size_px(png) == (round(900 * 300 / 96), round(500 * 300 / 96))
    assert render.png_size_px(png2) == (round(600 * 300 / 96), round(400 * 300 / 96))
    assert round(_phys_dpi(png)) == 300
    assert svg.lstrip().startswith(b"<svg") and b"EPCI" in svg


def test_session_is_shared_and_stopped():
    """A batch's Chrome stops with its session; the one a page export keeps for the process
    (ensure_server) is not stopped by a session run beside it."""
    import kaleido

    if kaleido._global_server.is_running():        # kept by a page export tested earlier in this process
        kaleido.stop_sync_server(silence_warnings=True)
    with render.session():
        assert kaleido._global_server.is_running()
        with render.session():                     # nested blocks reuse the same server
            assert kaleido._global_server.is_running()
        assert kaleido._global_server.is_running()
    assert not kaleido._global_server.is_running()
    render.ensure_server()
    with render.session():
        pass
    assert kaleido._global_server.is_running()


def test_source_line_inside_svg():
    """A project chart (charts.contract) keeps its source line, its labels and its amounts in the exported SVG."""
    import pandas as pd

    from charts import contract

    by_year = pd.DataFrame({"annee": [2024, 2025], "n_actions": [3, 4], "n_financees": [2, 1],
                            "montant_sollicite": [9000.0, 8000.0], "montant_accorde": [5000.0, 3000.0],
                            "montant_accorde_p147": [2000.0, 1000.0]})
    svg = render.to_svg(contract.programmation_by_year(by_year, source_line="Source : saisie du contrat — 2024, 2025"))
    text = svg.decode("utf-8").replace("\u202f", " ").replace("\xa0", " ")
    assert "Source : saisie du contrat" in text and "Accordé – État (P147)" in text
    assert "5 000 €" in text and "1 action" in text and "2 actions" in text


def test_graphique_cli_png_and_svg(con, tmp_path):
    """`python -m exports graphique`: the quartier's chart with its references, at 300 dpi / in SVG."""
    from exports import __main__ as cli

    png = tmp_path / "celleneuve.png"
    assert cli.main(["-q", "graphique", "--quartier", "QP034004", "--type", "references",
                     "--indicateur", "rev_disp_median", "--out", str(png)]) == 0
    data = png.read_bytes()
    assert render.png_size_px(data)[0] == round(render.DEFAULT_WIDTH * 300 / 96)
    svg = tmp_path / "celleneuve.svg"
    assert cli.main(["-q", "graphique", "--quartier", "QP034004", "--type", "references",
                     "--indicateur", "rev_disp_median", "--out", str(svg)]) == 0
    text = svg.read_text(encoding="utf-8")
    # median income of Celleneuve (data_filo19_qp_revdis.csv, DISP_MED_A19 = 14 930) and its source line
    assert "14 930 €" in text.replace("\u202f", " ").replace("\xa0", " ") and "Source : " in text
