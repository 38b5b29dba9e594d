#!/usr/bin/env bash
# make demo: a working instance under demo/ (git-ignored), built from the shipped examples,
# then everything the product can do so far, run against it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${1:-build}"
DA="$ROOT/$BUILD_DIR/da"
DEMO="$ROOT/demo"

step() { printf '\n== %s\n' "$*"; }

step "Demo instance in $DEMO"
mkdir -p "$DEMO/config" "$DEMO/docs" "$DEMO/data"
cp "$ROOT/config/instance.yaml.example" "$DEMO/config/instance.yaml"
cp "$ROOT/config/data_description.md.example" "$DEMO/docs/data_description.md"
if [[ ! -f "$DEMO/config/.env" ]]; then
  # A fresh random portal key for this demo only; never a default one.
  printf 'WEBAPP_SECRET_KEY=%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >"$DEMO/config/.env"
  chmod 600 "$DEMO/config/.env"
fi
echo "config/instance.yaml, config/.env (generated secret), docs/data_description.md"

step "da --version"
"$DA" --version

step "da config check"
"$DA" --config "$DEMO/config" config check

step "Done"
echo "Try: $DA --config $DEMO/config config check --json"
