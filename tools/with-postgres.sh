#!/usr/bin/env bash
# Runs one command against a throwaway PostgreSQL server:
#
#   tools/with-postgres.sh meson test -C build --print-errorlogs
#
# creates a cluster in a new temporary directory (initdb), starts it with its
# Unix socket in that directory and no TCP listener (listen_addresses=''),
# fsync off (the data is thrown away), creates the database folio_test,
# exports FOLIO_TEST_PG (a libpq conninfo for it), runs the command, then
# stops the server and removes the directory, also when the command fails or
# the script is interrupted. Exits with the command's status.
#
# As root, the server runs as the `postgres` user (PostgreSQL refuses to run
# as root); otherwise as the caller. Needs Debian's postgresql package
# (tools/install-deps.sh installs it).
#
# Authentication: the superuser `folio` is trusted on the socket; every other
# role must give its password (scram-sha-256), so tests can check what a
# wrong password does.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]   (runs COMMAND with FOLIO_TEST_PG set to a throwaway server)" >&2
  exit 2
fi

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir 2>/dev/null)/initdb" ]; then
  bindir=$(pg_config --bindir)
else
  # Debian keeps the server's programs out of PATH, one directory per major version.
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "$0: PostgreSQL's initdb/pg_ctl not found (install Debian's postgresql: tools/install-deps.sh)" >&2
  exit 1
fi

as_server=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "$0: running as root needs the 'postgres' user (Debian's postgresql package)" >&2; exit 1; }
  as_server=(runuser -u postgres --)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/folio-pg.XXXXXX")
data="$dir/data"
cleanup() {
  if [ -f "$data/postmaster.pid" ]; then
    "${as_server[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ ${#as_server[@]} -eq 0 ] || chown postgres "$dir"

if ! "${as_server[@]}" "$bindir/initdb" -D "$data" -U folio -E UTF8 --locale=C.UTF-8 --auth=trust \
    >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2; echo "$0: initdb failed" >&2; exit 1
fi
cat >"$data/pg_hba.conf" <<'EOF'
# folio's throwaway test cluster: the superuser is trusted, other roles give a password.
local all folio trust
local all all   scram-sha-256
EOF
# Socket only, in our own directory (no port clash with any other server),
# and no durability: the cluster is deleted afterwards.
if ! "${as_server[@]}" "$bindir/pg_ctl" -D "$data" -w -t 60 -l "$dir/server.log" \
    -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null; then
  cat "$dir/server.log" >&2; echo "$0: the PostgreSQL server did not start" >&2; exit 1
fi
if ! "$bindir/createdb" -h "$dir" -U folio folio_test; then
  cat "$dir/server.log" >&2; echo "$0: createdb folio_test failed" >&2; exit 1
fi

export FOLIO_TEST_PG="host=$dir user=folio dbname=folio_test"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at FOLIO_TEST_PG='$FOLIO_TEST_PG'" >&2
status=0
"$@" || status=$?
exit $status
