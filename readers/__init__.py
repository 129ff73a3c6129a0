"""Generic readers of the files users and producers bring: French CSV (encodings, separators, decimal
commas, line/column errors), spreadsheets (XLSX/CSV with declared fields) and the error types that name
file, line and column. Shared by loaders/ (warehouse) and contract/ (contract-life imports); imports
nothing from either.
"""
