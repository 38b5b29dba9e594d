#!/usr/bin/env bash
# Installs everything the build needs, and nothing twice.
#
#   scripts/bootstrap.sh            Debian packages + DuckDB into third_party/duckdb
#   scripts/bootstrap.sh --check    only report what is missing (exit 1 if anything is)
#
# Idempotent and quiet when nothing is missing. DuckDB comes from the npm registry
# (libduckdb.so from @duckdb/node-bindings-linux-x64, duckdb.h from duckdb@1.4.4),
# verified against pinned sha256 sums. Set DUCKDB_DIR to an official libduckdb
# release folder (holding duckdb.h and libduckdb.so) to use that instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK_ONLY=0
[[ "${1:-}" == "--check" ]] && CHECK_ONLY=1

# Packages the build and the tests need. Keep one package per line, sorted.
# Never add libboost-dev (Boost 1.74): it conflicts with libboost1.81-dev.
PACKAGES=(
  ca-certificates
  ccache
  chromium
  cmake
  debootstrap
  dpkg-dev
  g++
  libbenchmark-dev
  libboost-url1.81-dev
  libboost1.81-dev
  libcli11-dev
  libcurl4-openssl-dev
  libfmt-dev
  libgmock-dev
  libgtest-dev
  libisal-dev
  libkainjow-mustache-dev
  libseccomp-dev
  libsodium-dev
  libspdlog-dev
  libsqlite3-dev
  libssl-dev
  libsystemd-dev
  libyaml-cpp-dev
  make
  nginx
  ninja-build
  nlohmann-json3-dev
  openssh-server
  pkg-config
  python3-websockets
  rsync
  sudo
  wrk
  zlib1g-dev
)
# Commands that may come from elsewhere (e.g. Node.js from NodeSource ships its own npm,
# which conflicts with Debian's npm package): installed only when the command is absent.
COMMAND_PACKAGES=(
  npm:npm
)

DUCKDB_LIB_PKG="@duckdb/node-bindings-linux-x64@1.5.6-r.1"
DUCKDB_LIB_TGZ="duckdb-node-bindings-linux-x64-1.5.6-r.1.tgz"
DUCKDB_LIB_SHA256="1b9f82478539bb9a1d1df44bd103121a12ae52142c07158dc52b97d2ec1d69ff"
DUCKDB_HDR_PKG="duckdb@1.4.4"
DUCKDB_HDR_TGZ="duckdb-1.4.4.tgz"
DUCKDB_HDR_SHA256="5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed"
DUCKDB_STAMP="lib=${DUCKDB_LIB_PKG} header=${DUCKDB_HDR_PKG}"
DUCKDB_TARGET="${ROOT}/third_party/duckdb"

die() { echo "bootstrap: $*" >&2; exit 1; }
say() { echo "bootstrap: $*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run '$*' (run as root or install sudo)"; fi
}

missing_packages() {
  local p status entry
  for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || echo "$p"
  done
  for entry in "${COMMAND_PACKAGES[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || echo "${entry#*:}"
  done
}

install_packages() {
  command -v dpkg-query >/dev/null 2>&1 || die "this script supports Debian 12 (dpkg-query not found)"
  local missing
  mapfile -t missing < <(missing_packages)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $CHECK_ONLY -eq 1 ]]; then say "missing Debian packages: ${missing[*]}"; return 1; fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local log
  log=$(mktemp)
  if ! { as_root apt-get update -qq && as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    die "apt-get install failed for: ${missing[*]}"
  fi
  rm -f "$log"
}

check_duckdb_dir() {
  [[ -f "$DUCKDB_DIR/duckdb.h" || -f "$DUCKDB_DIR/include/duckdb.h" ]] \
    || die "DUCKDB_DIR=$DUCKDB_DIR holds no duckdb.h (expected an official libduckdb release folder)"
  [[ -f "$DUCKDB_DIR/libduckdb.so" || -f "$DUCKDB_DIR/lib/libduckdb.so" ]] \
    || die "DUCKDB_DIR=$DUCKDB_DIR holds no libduckdb.so"
}

verify_sha256() { # file expected
  local actual
  actual=$(sha256sum "$1" | cut -d' ' -f1)
  [[ "$actual" == "$2" ]] || die "sha256 mismatch for $(basename "$1"): expected $2, got $actual"
}

fetch_duckdb() {
  if [[ -n "${DUCKDB_DIR:-}" ]]; then check_duckdb_dir; return 0; fi
  if [[ -f "$DUCKDB_TARGET/VERSION" && "$(cat "$DUCKDB_TARGET/VERSION")" == "$DUCKDB_STAMP" \
        && -f "$DUCKDB_TARGET/lib/libduckdb.so" && -f "$DUCKDB_TARGET/include/duckdb.h" ]]; then
    return 0
  fi
  if [[ $CHECK_ONLY -eq 1 ]]; then say "DuckDB is not in third_party/duckdb"; return 1; fi
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch DuckDB (apt-get install npm)"
  say "fetching DuckDB ($DUCKDB_LIB_PKG, header from $DUCKDB_HDR_PKG) from the npm registry"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "$DUCKDB_LIB_PKG" "$DUCKDB_HDR_PKG" >/dev/null 2>"$tmp/npm.log") \
    || { cat "$tmp/npm.log" >&2; die "npm pack failed (is the npm registry reachable?)"; }
  verify_sha256 "$tmp/$DUCKDB_LIB_TGZ" "$DUCKDB_LIB_SHA256"
  verify_sha256 "$tmp/$DUCKDB_HDR_TGZ" "$DUCKDB_HDR_SHA256"
  mkdir -p "$tmp/lib" "$tmp/hdr"
  tar -xzf "$tmp/$DUCKDB_LIB_TGZ" -C "$tmp/lib" package/libduckdb.so package/LICENSE
  tar -xzf "$tmp/$DUCKDB_HDR_TGZ" -C "$tmp/hdr" package/src/duckdb/src/include/duckdb.h
  local staging="${DUCKDB_TARGET}.tmp.$$"
  rm -rf "$staging"
  mkdir -p "$staging/lib" "$staging/include"
  mv "$tmp/lib/package/libduckdb.so" "$staging/lib/"
  mv "$tmp/lib/package/LICENSE" "$staging/LICENSE"
  mv "$tmp/hdr/package/src/duckdb/src/include/duckdb.h" "$staging/include/"
  echo "$DUCKDB_STAMP" >"$staging/VERSION"
  rm -rf "$DUCKDB_TARGET"
  mkdir -p "$(dirname "$DUCKDB_TARGET")"
  mv "$staging" "$DUCKDB_TARGET"
}

# The browser tests' packages, pinned by tests/e2e/package-lock.json: playwright-core (it
# drives Debian's chromium; it never downloads a browser) and oidc-provider (a certified
# OpenID provider on loopback). Installed again whenever the lock file changes.
install_e2e() {
  local dir="$ROOT/tests/e2e"
  local stamp="$dir/node_modules/.da-lock-sha256"
  local lock
  lock="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  [[ -f "$stamp" && "$(cat "$stamp")" == "$lock" ]] && return 0
  if [[ $CHECK_ONLY -eq 1 ]]; then say "tests/e2e/node_modules is missing or outdated"; return 1; fi
  command -v npm >/dev/null 2>&1 || die "npm is needed for the browser tests"
  (cd "$dir" && npm ci --no-audit --no-fund --silent >/dev/null 2>&1) \
    || die "npm ci in tests/e2e failed (is the npm registry reachable?)"
  echo "$lock" >"$stamp"
}

status=0
install_packages || status=1
fetch_duckdb || status=1
install_e2e || status=1
exit $status
