"""Exports for COPIL and bilan: COPIL deck (PPTX), fiche quartier (PDF), classeur (XLSX), annual report
skeleton (DOCX) and single charts (PNG/SVG), built from the indicator library and rendered offline
(`python -m exports`, ui/export_buttons.py). See docs/EXPORTS.md."""
