"""Loaders: raw files -> DuckDB warehouse. They parse and validate; they never draw."""
