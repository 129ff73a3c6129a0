#!/usr/bin/env bash
# One entry point for a fresh machine:
#   ./observatoire.sh app     install what is missing, build the warehouse if needed, start the dashboard
#   ./observatoire.sh tests   install what is missing, then run the whole test suite
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
    exec "$PY" -m pytest "$@"
    ;;
  *)
    echo "usage: ./observatoire.sh [app|tests] [args...]" >&2; exit 2;;
esac
