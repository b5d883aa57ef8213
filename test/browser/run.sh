#!/usr/bin/env bash
# run.sh: the browser test as a meson test. Fills a blog with `folio
# gen-data` + the imports, starts `folio serve --panel` on a free loopback
# port, runs list_page.mjs in headless Chromium, stops the server.
# Exit 77 (meson: SKIP, printed) only when node or chromium is missing;
# a missing playwright-core is a failure (`npm ci --prefix test/browser`).
# Usage: run.sh FOLIO_BIN OUT_DIR
set -euo pipefail
folio=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null; then echo "SKIP: node is not installed (apt-get install nodejs npm)"; exit 77; fi
if [ ! -x "$chromium" ]; then echo "SKIP: $chromium is not installed (apt-get install chromium)"; exit 77; fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "FAIL: playwright-core is missing: run 'npm ci --prefix test/browser' (tools/install-deps.sh does)"; exit 1
fi

work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$folio" gen-data --authors 30 --articles 400 --content-bytes 600 --seed 12 --out "$work/data" >/dev/null
"$folio" --db "$work/blog.sqlite3" import-authors "$work/data/old_authors.json" >/dev/null
"$folio" --db "$work/blog.sqlite3" import-articles "$work/data/old_articles.json" >/dev/null

"$folio" --db "$work/blog.sqlite3" serve --port 0 --panel --threads 4 >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 100); do
  grep -q 'listening on' "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.out" || true)
if [ -z "$url" ]; then echo "folio serve did not start:"; cat "$work/serve.log"; exit 1; fi

mkdir -p "$out"
CHROMIUM=$chromium timeout 180 node "$here/list_page.mjs" "$url" "$out/list-page.png"

kill -TERM "$server"
status=0
wait "$server" || status=$?
server=
if [ "$status" -ne 0 ]; then echo "folio serve exited with $status on SIGTERM"; exit 1; fi
echo "ok - folio serve stopped cleanly on SIGTERM; $(grep -c '" 200 ' "$work/serve.log") requests answered 200"
