#!/usr/bin/env bash
# Idempotent set-up: Debian packages (Chromium for static chart export and browser tests,
# poppler for PDF checks, DejaVu fonts for PDFs, PostgreSQL for the saisie database of a national
# deployment and its tests — binaries only: no service is started here, see scripts/pg_throwaway.sh and
# docs/DEPLOIEMENT.md), then a project-local venv with pinned packages.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)   # axe-core (accessibility tests of the static site)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[setup] apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # policy-rc.d 101: Debian's postgresql package must not start its own cluster service in a container/CI
  if [[ " ${need_apt[*]} " == *" postgresql "* ]] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
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
  .venv/bin/python -c "import duckdb, streamlit, geopandas, kaleido, pptx, docx, fpdf, openpyxl, psycopg, psycopg_pool"
  mkdir -p data && echo "$want" > "$stamp"
fi
# axe-core, run in Chromium by tests/test_site.py: the exact version of tools/package-lock.json (npm ci), again
# only when the lock file changes.
lock=$(sha256sum tools/package-lock.json | cut -c1-16)
if [ ! -f tools/node_modules/.lock-stamp ] || [ "$(cat tools/node_modules/.lock-stamp)" != "$lock" ]; then
  echo "[setup] npm ci (tools/)"
  (cd tools && npm ci --no-audit --no-fund --loglevel=error) && echo "$lock" > tools/node_modules/.lock-stamp
fi
