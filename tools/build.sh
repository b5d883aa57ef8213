#!/usr/bin/env bash
# One step from a fresh checkout to built binaries: installs the missing
# Debian packages, configures ./build (release) if needed and compiles.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
meson compile -C build >/dev/null
echo "built: build/demo/folio, build/bench/folio-bench"
