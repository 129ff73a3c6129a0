"""Presentation layer, between indicators/ (numbers and statuses) and the renderers (pages, PPTX, PDF,
XLSX, DOCX): view models that return display-ready rows — each with its value text, status, source line and
approximation flag — and `text.value_text`, the one function deciding « value or status label ».

Renderers only lay these rows out; they neither query the databases nor format values themselves.
"""
