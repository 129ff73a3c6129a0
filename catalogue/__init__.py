"""Declarations read by every part of the observatory: sources.yaml, indicators.yaml (and make_docs.py,
which turns them into docs/INDICATEURS.md)."""
