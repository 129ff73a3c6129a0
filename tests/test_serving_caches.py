"""What the serving caches of issue 21 must never do: show a contract view older than the saisie database, or
draw a table or a figure other than the one asked for. (Speed itself is printed by bench/pages.py.)"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from contract import roles, service, store
from indicators import engagements as eng
from tests import saisie_targets as st
from tests.pages_apptest import all_tables, run_page

C = "CN00604I"


@pytest.fixture()
def env(demo_pages_env):
    return demo_pages_env


def _cells(at) -> set[str]:
    return {str(v) for df in all_tables(at) for v in df.to_numpy().ravel()}


def test_a_write_made_outside_the_pages_shows_at_the_next_view(env):
    # the command line (or another process) writes straight into the store, not through contract.service:
    # the engagements page, whose view is cached per saisie version, must show it at its next run
    with store.connect(env) as sc:
        first = eng.engagements(sc, C).iloc[0]
    before = run_page("engagements", contrat=C)
    new_title = f"{first['intitule']} — modifié hors de la page"
    assert new_title not in _cells(before)
    store.apply([store.Edit("engagement", "update", int(first["id"]), int(first["row_version"]),
                            {"intitule": new_title})], roles.cli_user(), env)
    after = run_page("engagements", contrat=C)
    assert new_title in _cells(after)


@pytest.mark.parametrize("engine", st.ENGINES)
def test_the_saisie_version_moves_with_every_write_and_only_then(engine, demo_saisie_copy, pg_base_url,
                                                                  monkeypatch):
    if engine == "duckdb":
        target, cleanup = str(demo_saisie_copy), None
    else:
        target, schema = st.new_pg_target(pg_base_url)
        cleanup = (target, schema)
        st.copy_target(demo_saisie_copy, target)
    try:
        v0 = service.version(target)
        with store.connect(target) as sc:                       # a read changes nothing
            rows = eng.engagements(sc, C)
        assert service.version(target) == v0
        row = rows.iloc[0]
        store.apply([store.Edit("engagement", "update", int(row["id"]), int(row["row_version"]),
                                {"referent": "Mme Test"})], roles.cli_user(), target)   # not through the service
        v1 = service.version(target)
        assert v1 != v0
        service.save([store.Edit("engagement", "update", int(row["id"]), int(row["row_version"]) + 1,
                                 {"referent": "M. Test"})], roles.cli_user(), target)
        assert service.version(target) not in (v0, v1)
        if engine == "postgresql":                              # the token another replica reads
            assert store.data_version(target) is not None
    finally:
        if cleanup:
            st.drop_pg_target(pg_base_url, *cleanup)


def test_same_objects_finds_by_identity_and_by_value():
    from ui.common import SameObjects
    cache = SameObjects(size=2)
    a, b = pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1]})          # equal content, two objects
    cache.put((a, "fmt", 2024), "A")
    assert cache.get((a, "fmt", 2024)) == "A"
    assert cache.get((a, "fmt", int("2024"))) == "A"                   # scalars by value
    assert cache.get((b, "fmt", 2024)) is None                          # frames by identity only
    assert cache.get((a, "autre", 2024)) is None
    cache.put((b, "fmt", 2024), "B")
    cache.put((a, "x", 1), "C")                                         # the oldest entry goes
    assert cache.get((a, "fmt", 2024)) is None and cache.get((a, "x", 1)) == "C"


def test_a_drawn_figure_shows_without_its_source_line_and_downloads_with_it():
    from charts.source import add_source, figure_source
    from ui.blocks import drawn
    fig = go.Figure(go.Bar(x=[1, 2], y=[3, 4]))
    fig.add_annotation(text="note du graphique", x=1, y=3)
    add_source(fig, "Source : INSEE, Filosofi 2021")
    d = drawn(fig)
    assert d.source_line == "Source : INSEE, Filosofi 2021" and figure_source(d.figure) == d.source_line
    screen = d.screen.to_dict()
    assert [a["text"] for a in screen["layout"]["annotations"]] == ["note du graphique"]
    assert screen["data"][0]["y"] == (3, 4) or list(screen["data"][0]["y"]) == [3, 4]
    assert d.screen.to_dict() is screen                                 # handed as is: nothing copied per run


def test_a_table_rendered_once_shows_what_a_fresh_styler_shows():
    from ui import common
    df = pd.DataFrame({"Indicateur": ["Taux de pauvreté", None], "Valeur": [49.2, None], "Année": [2021, 2019]})
    once = common._rendered_once(common.fr_styler(df, {"Valeur": (1, "%")}))
    fresh = common.fr_styler(df, {"Valeur": (1, "%")})
    first = once._translate(False, False)
    assert once._translate(False, False) is first                       # rendered once
    fresh._compute()
    shown = [[c["display_value"] for c in row[1:]] for row in first["body"]]
    assert shown == [[c["display_value"] for c in row[1:]] for row in fresh._translate(False, False)["body"]]
    assert shown[0][1] == "49,2 %" and shown[1][0] == "—" and shown[1][1] == "—"
