#!/usr/bin/env bash
# Installs the built folio into a temporary prefix and builds and runs a
# consumer project against it through pkg-config (meson's dependency()).
# Usage: run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --no-rebuild --destdir "$tmp/root" >"$tmp/install.log"
option() {  # the value of a build option of the folio build
  meson introspect "$build" --buildoptions |
    python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]==sys.argv[1]][0])' "$1"
}
prefix=$(option prefix)
# A sanitizer build of the static library needs the consumer built the same way.
sanitize=$(option b_sanitize)
pc=$(dirname "$(find "$tmp/root$prefix" -name folio.pc | head -n 1)")
[ -f "$pc/folio.pc" ] || { echo "folio.pc was not installed"; exit 1; }
[ -f "$tmp/root$prefix/include/folio/folio.hpp" ] || { echo "headers were not installed"; exit 1; }
# The .pc file names the configured prefix; point it at the temporary tree,
# as a relocated install would.
mkdir -p "$tmp/pc"
sed "s|^prefix=.*|prefix=$tmp/root$prefix|" "$pc/folio.pc" >"$tmp/pc/folio.pc"
export PKG_CONFIG_PATH="$tmp/pc"
meson setup "$tmp/consumer-build" "$src/consumer" -Db_sanitize="$sanitize" -Db_lundef=false >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; exit 1; }
ninja -C "$tmp/consumer-build" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
"$tmp/consumer-build/consumer"
