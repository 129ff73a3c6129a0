"""Plotly figure builders shared by pages and exports (no Streamlit). Every builder takes outputs of
indicators/ and returns a figure that already carries its source line (charts.source)."""
