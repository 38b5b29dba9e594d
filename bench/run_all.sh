#!/usr/bin/env bash
# make bench: runs every benchmark script in bench/ against the build in $1.
set -euo pipefail
BUILD_DIR="${1:-build}"
cd "$(dirname "$0")/.."
found=0
for script in bench/*.sh; do
  [[ "$(basename "$script")" == "run_all.sh" ]] && continue
  found=1
  echo "== $script"
  "$script" "$BUILD_DIR"
done
[[ $found -eq 1 ]] || echo "no benchmarks yet"
