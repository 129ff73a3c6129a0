#!/usr/bin/env bash
# One entry point for a fresh machine:
#   ./observatoire.sh app     install what is missing, build the warehouse if needed, start the dashboard
#   ./observatoire.sh tests   install what is missing, then run the whole test suite: the fast tier
#                             (tests/unit, small warehouse, seconds) first, then the real-warehouse tier
#   ./observatoire.sh tests --fast   only the fast tier
# Everything the project needs (Python packages in .venv, Debian packages) is installed here.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
PY=.venv/bin/python
case "${1:-app}" in
  app)
    shift || true
    "$PY" -m loaders ensure
    exec "$PY" -m streamlit run app.py --server.headless=true --browser.gatherUsageStats=false "$@"
    ;;
  tests)
    shift || true
    if [ "${1:-}" = "--fast" ]; then
      shift
      exec "$PY" -m pytest tests/unit "$@"
    fi
    for arg in "$@"; do  # explicit test files or folders: one run of exactly those
      case "$arg" in -*) ;; *) if [ -e "${arg%%::*}" ]; then exec "$PY" -m pytest "$@"; fi ;; esac
    done
    # Both tiers, the fast one first; exit status: the first failure. A tier left empty by -k/-m (pytest
    # status 5, "no tests collected") is not a failure when the other tier ran.
    fast=0 real=0
    "$PY" -m pytest tests/unit "$@" || fast=$?
    "$PY" -m pytest --ignore=tests/unit "$@" || real=$?
    for rc in "$fast" "$real"; do
      if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then exit "$rc"; fi
    done
    if [ "$fast" -eq 5 ] && [ "$real" -eq 5 ]; then exit 5; fi
    exit 0
    ;;
  *)
    echo "usage: ./observatoire.sh [app|tests] [args...]" >&2; exit 2;;
esac
