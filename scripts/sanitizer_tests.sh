#!/usr/bin/env bash
# Builds the tests of the concurrent parts with a sanitizer, in their own folder, and runs them:
#   scripts/sanitizer_tests.sh <build dir> <cmake option>...    (make asan, make tsan)
# Only these test binaries and the libraries they link are compiled. A finding fails the test.
set -euo pipefail
BUILD_DIR="$1"
shift
# sync runner, sync engine and publication (unit_sync), portal and HTTP server (unit_web), WebSocket gateway,
# notification outbox and API (unit_notify).
TESTS=(unit_sync unit_web unit_notify)
cd "$(dirname "$0")/.."
SUPPRESSIONS="$(pwd)/tests/sanitizers"

# -O1: the instrumented tests run faster than at -O0, and compiling costs about the same;
# -g1 keeps the line tables, so reports still name file and line. Warnings are the normal
# build's business (make test builds it with -Werror): a warning only GCC's instrumentation at
# this level produces must not stop the run.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
  -DDA_BUILD_BENCH=OFF -DDA_WERROR=OFF "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target "${TESTS[@]}"

labels="$(IFS='|'; echo "${TESTS[*]}")"
export UBSAN_OPTIONS="print_stacktrace=1"
# ignore_noninstrumented_modules: what libduckdb.so (and the other prebuilt libraries) do inside
# is not checked, only what our code does (tests/sanitizers/tsan.supp says why).
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:suppressions=$SUPPRESSIONS/tsan.supp"
# Tests that measure time are left out: a sanitizer makes every step several times slower, so
# their limits (the portal answers a probe within 1 s and a sign-in request within 2 s while the
# mail relay stalls; the gateway's queue for a client fills within 2 s) fail although nothing is
# wrong. They run in the normal build.
TIMED='^(PortalConcurrencyTest\.ATarpitMailRelayDelaysNoOne|WsGatewayTest\.AClientThatStopsReadingIsCutOff)$'
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 600 -L "^($labels)\$" -E "$TIMED"
