"""Streamlit helpers shared by the pages: cached warehouse access, URL state, downloads, French tables.

Only pages and app.py import this package; indicators/ and charts/ stay free of Streamlit.
"""
