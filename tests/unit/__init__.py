"""Fast test tier (seconds): pure unit tests and indicator tests on a small warehouse built from a few real
rows (see conftest.py and minidata.py). A package, so that its test files may share names with the
second tier's (tests/*.py) without clashing."""
