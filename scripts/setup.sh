#!/usr/bin/env bash
# Idempotent set-up: Debian packages (Chromium for static chart export and browser tests,
# poppler for PDF checks, DejaVu fonts for PDFs), then a project-local venv with pinned packages.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[setup] apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# LibreOffice (Impress, Writer) renders the COPIL deck and the annual report to PDF in the overflow and
# broken-word tests (≈55 s to install, no recommends).
if ! command -v soffice >/dev/null 2>&1 || [ ! -e /usr/lib/libreoffice/program/swriter ]; then
  echo "[setup] apt-get install libreoffice-impress libreoffice-writer"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libreoffice-impress \
    libreoffice-writer >/dev/null
fi
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=data/.setup-stamp
want=$(sha256sum requirements.txt | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] pip install -r requirements.txt"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import duckdb, streamlit, geopandas, kaleido, pptx, docx, fpdf, openpyxl" 
  mkdir -p data && echo "$want" > "$stamp"
fi
