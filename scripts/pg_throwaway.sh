#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks (Debian's postgresql package, no service).
#
#   scripts/pg_throwaway.sh start DIR [PORT]   initdb in DIR (if new), start on 127.0.0.1:PORT (default 54329),
#                                              print the URL to use as OBSERVATOIRE_TEST_PG_URL / _SAISIE_URL
#   scripts/pg_throwaway.sh stop DIR           stop it (the data in DIR stays until you delete DIR)
#
# PostgreSQL refuses to run as root: when called as root (CI), the cluster belongs to the `postgres` system
# user created by the Debian package. Authentication is `trust` on 127.0.0.1 only: never use this for data.
set -euo pipefail
cmd=${1:?usage: pg_throwaway.sh start|stop DIR [PORT]}
dir=${2:?usage: pg_throwaway.sh start|stop DIR [PORT]}
port=${3:-54329}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "PostgreSQL introuvable (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
case "$cmd" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      log=$(mktemp)
      as_owner "$bindir/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$log" 2>&1 \
        || { cat "$log" >&2; rm -f "$log"; exit 1; }
      rm -f "$log"
    fi
    as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=on" >/dev/null
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    ;;
  *)
    echo "usage: pg_throwaway.sh start|stop DIR [PORT]" >&2; exit 2;;
esac
