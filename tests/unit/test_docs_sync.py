"""The docs say what the declarations say (fast tier, no warehouse): docs/INDICATEURS.md and every generated
block of docs/*.md (secret thresholds, the year rule of reference levels) are what `python -m
catalogue.make_docs` writes from the catalogue and the vocabulary; and no threshold is typed elsewhere."""
from __future__ import annotations

from catalogue import make_docs
from observatoire import catalogue, sourceline


def test_generated_docs_are_up_to_date():
    assert make_docs.outdated() == [], "lancez `python -m catalogue.make_docs`"


def test_the_sync_check_sees_a_stale_block(tmp_path, monkeypatch):
    # guard: a hand-edited block (the thresholds re-typed) is reported, and rewritten by make_docs
    doc = tmp_path / "X.md"
    doc.write_text("a\n<!-- généré:secret -->\nmoins de 12 ménages\n<!-- fin:secret -->\nb\n", encoding="utf-8")
    monkeypatch.setattr(make_docs, "DOCS", tmp_path)
    assert doc in make_docs.outdated()
    assert make_docs.with_blocks(doc.read_text(encoding="utf-8")) == (
        f"a\n<!-- généré:secret -->\n{sourceline.secret_note()}\n<!-- fin:secret -->\nb\n")


def test_secret_note_comes_from_the_secret_rules():
    note = sourceline.secret_note()
    for rule in catalogue.secret_rules().values():
        assert f"moins de {rule['min_units']} {rule['unit']}" in note
    assert note.startswith("Secret statistique : ") and "« secret statistique »" in note
