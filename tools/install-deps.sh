#!/usr/bin/env bash
# Installs the Debian packages folio needs that are missing (and only those),
# then the browser test's npm package (playwright-core, pinned by
# test/browser/package-lock.json) when it is not there yet. The browser is
# Debian's chromium: playwright never downloads one.
# Runs apt-get as root, or through sudo for a normal user.
set -euo pipefail
packages=(meson ninja-build g++ pkg-config cmake libsqlitecpp-dev libsqlite3-dev nlohmann-json3-dev
          libboost-test-dev libcli11-dev libfmt-dev libcpp-httplib-dev chromium
          clang-14 libclang-rt-14-dev libcsv-dev  # fuzzing (fuzz/): libFuzzer, and libcsv as the CSV oracle
          libpq-dev postgresql)  # the PostgreSQL backend: libpq, and a server for tools/with-postgres.sh
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# Node.js is asked for by command, not by package: a machine whose node comes
# from another Debian repository (NodeSource's nodejs bundles npm) cannot take
# Debian's npm package, which conflicts with it.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
install_npm() {
  local dir
  dir="$(dirname "$0")/../test/browser"
  [ -d "$dir/node_modules/playwright-core" ] && return 0
  echo "installing: playwright-core (npm ci in test/browser)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" --no-audit --no-fund >/dev/null
}
if [ ${#missing[@]} -eq 0 ]; then install_npm; exit 0; fi
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
install_npm
