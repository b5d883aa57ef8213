#!/usr/bin/env bash
# One step from a fresh checkout to the tour: installs the missing Debian
# packages, configures ./build (release) if needed and compiles only what
# `build/demo/folio tour` runs, the `folio` CLI and the library under it,
# with one compiler per core (ninja's own default, cores + 2, makes a 2-core
# machine swap between compilers). `meson test -C build` builds the suites
# and the benchmark it runs; `ninja -C build` builds everything.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build -j "$(nproc)" demo/folio >/dev/null
echo "built: build/demo/folio (meson test -C build builds the suites and build/bench/folio-bench)"
