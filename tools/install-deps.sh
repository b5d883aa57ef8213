#!/usr/bin/env bash
# Installs the Debian packages folio needs that are missing (and only those).
# Runs apt-get as root, or through sudo for a normal user.
set -euo pipefail
packages=(meson ninja-build g++ pkg-config cmake libsqlitecpp-dev libsqlite3-dev nlohmann-json3-dev
          libboost-test-dev libcli11-dev libfmt-dev
          clang-14 libclang-rt-14-dev libcsv-dev)  # fuzzing (fuzz/): libFuzzer, and libcsv as the CSV oracle
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
