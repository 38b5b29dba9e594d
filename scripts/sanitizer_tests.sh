#!/usr/bin/env bash
# Builds the tests of the concurrent parts with a sanitizer, in their own folder, and runs them:
#   scripts/sanitizer_tests.sh <build dir> <cmake option>...    (make asan, make tsan)
# Only these test binaries and the libraries they link are compiled. A finding fails the test.
set -euo pipefail
BUILD_DIR="$1"
shift
# sync runner and publication (unit_sync), portal and HTTP server (unit_web), WebSocket gateway,
# notification outbox and API (unit_notify).
TESTS=(unit_sync unit_web unit_notify)
cd "$(dirname "$0")/.."
SUPPRESSIONS="$(pwd)/tests/sanitizers"

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDA_BUILD_BENCH=OFF -DDA_WERROR=ON "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target "${TESTS[@]}"

labels="$(IFS='|'; echo "${TESTS[*]}")"
export UBSAN_OPTIONS="print_stacktrace=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$SUPPRESSIONS/tsan.supp"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 600 -L "^($labels)\$"
