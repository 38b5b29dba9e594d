#!/usr/bin/env bash
# Runs every test: the GoogleTest suites (unit and integration, through ctest), then the
# browser tests (node --test tests/e2e, screenshots in <build>/e2e-artifacts).
set -euo pipefail
BUILD_DIR="${1:-build}"
cd "$(dirname "$0")/.."
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 600
BUILD_PATH="$(cd "$BUILD_DIR" && pwd)"
DA_BINARY="$BUILD_PATH/da" E2E_ARTIFACTS="$BUILD_PATH/e2e-artifacts" node --test tests/e2e/
