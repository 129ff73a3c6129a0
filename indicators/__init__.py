"""Indicator library: pure functions of the warehouse (DuckDB), no Streamlit. See docs/ARCHITECTURE.md."""
