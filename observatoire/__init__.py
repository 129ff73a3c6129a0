"""Shared core of the observatory: settings, database connections, French formatting, catalogue access.

Everything here is imported by loaders/, indicators/, charts/, exports/ and pages/; it never draws and
never parses source files.
"""
