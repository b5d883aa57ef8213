#!/usr/bin/env bash
# tools/build.sh, the README's first command, run in a scratch copy of the
# repository with meson, ninja and nproc replaced by recorders (and no package
# installation): it must compile only the `folio` demo, with as many jobs as
# nproc says, and configure ./build once.
set -euo pipefail
src="$1"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/repo/tools" "$scratch/bin"
cp "$src/tools/build.sh" "$scratch/repo/tools/build.sh"
printf '#!/bin/sh\nexit 0\n' > "$scratch/repo/tools/install-deps.sh"
log="$scratch/calls"
# meson setup creates build/build.ninja, as the real one does.
cat > "$scratch/bin/meson" <<STUB
#!/bin/sh
echo "meson \$*" >> "$log"
if [ "\$1" = setup ]; then mkdir -p "\$2" && touch "\$2/build.ninja"; fi
STUB
printf '#!/bin/sh\necho "ninja $*" >> "%s"\n' "$log" > "$scratch/bin/ninja"
printf '#!/bin/sh\necho 3\n' > "$scratch/bin/nproc"
chmod +x "$scratch/bin/"* "$scratch/repo/tools/"*.sh
fail=0
check() {  # expected actual what
  if [ "$1" != "$2" ]; then echo "FAIL: $3: expected '$1', got '$2'"; fail=1; else echo "ok: $3"; fi
}
PATH="$scratch/bin:$PATH" "$scratch/repo/tools/build.sh" > "$scratch/out"
check "meson setup build --buildtype=release
ninja -C build -j 3 demo/folio" "$(cat "$log")" "first run: configure, then only the folio demo, -j nproc"
: > "$log"
PATH="$scratch/bin:$PATH" "$scratch/repo/tools/build.sh" > "$scratch/out"
check "ninja -C build -j 3 demo/folio" "$(cat "$log")" "second run: no second meson setup"
grep -q "build/demo/folio" "$scratch/out" || { echo "FAIL: build.sh does not name build/demo/folio"; fail=1; }
exit $fail
