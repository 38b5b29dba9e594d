#!/usr/bin/env bash
# Runs every test: the GoogleTest suites (unit and integration, through ctest).
set -euo pipefail
BUILD_DIR="${1:-build}"
cd "$(dirname "$0")/.."
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 600
