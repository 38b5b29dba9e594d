#!/usr/bin/env bash
# Portal benchmark with wrk on 127.0.0.1, against an instance with 200 registered tables and the
# 10 sample metrics, authenticated with a personal access token:
#   (a) GET /static/app.css  — the server's floor: no session, no page (the baseline)
#   (b) GET /api/catalog     — target >= 5,000 req/s, p99 < 20 ms, no errors, 200 connections
#   (c) GET /catalog         — the same target
#   (d) a sign-in flood: 1,000 wrong passwords for one account while (c) runs again; the flood
#       must be refused (429) and the catalog must keep its throughput.
# Prints requests/s, p99 and errors, and the ratios b/a and c/a. Requests say
# "Accept-Encoding: gzip" as browsers do (BENCH_ENCODING=identity measures uncompressed answers).
#   BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 200), BENCH_PORT (default 18080)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DA="$ROOT/${1:-build}/da"
SECONDS_EACH="${BENCH_SECONDS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-200}"
PORT="${BENCH_PORT:-18080}"
ENCODING="${BENCH_ENCODING:-gzip}"
WORK="$(mktemp -d)"
command -v wrk >/dev/null || { echo "portal bench: wrk is missing (scripts/bootstrap.sh installs it)" >&2; exit 1; }

cleanup() { [[ -n "${SERVER:-}" ]] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

mkdir -p "$WORK/config" "$WORK/docs"
cp -r "$ROOT/docs/metrics" "$WORK/docs/metrics"
{
  echo '# Benchmark catalog'
  echo '```yaml'
  echo 'tables:'
  for i in $(seq 1 200); do
    printf '  - id: bench.c%02d.table_%03d\n    name: table_%03d\n' $((i % 10)) "$i" "$i"
    printf '    description: "Table %d of the benchmark, with a description of typical length"\n' "$i"
    printf '    primary_key: [id]\n    sync_strategy: full_refresh\n'
  done
  echo '```'
} >"$WORK/docs/data_description.md"
cat >"$WORK/config/instance.yaml" <<YAML
instance: {name: "Portal benchmark"}
server:
  hostname: 127.0.0.1
  base_url: http://127.0.0.1:$PORT
  listen: 127.0.0.1:$PORT
  access_log: false
  max_connections_per_address: 0   # wrk's 200 connections all come from 127.0.0.1
auth:
  allowed_domain: example.com
  webapp_secret_key: $(openssl rand -hex 32)
  password: {enabled: true}
  email: {dev_mode: true}
paths: {data_dir: ./data, docs_dir: ./docs}
logging: {level: warn}
YAML
"$DA" --config "$WORK/config" users grant-role bench@example.com analyst >/dev/null
TOKEN="$("$DA" --config "$WORK/config" users token create bench@example.com --name bench 2>/dev/null)"
"$DA" --config "$WORK/config" serve &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
if [[ -n "${BENCH_PROBE:-}" ]]; then eval "$BENCH_PROBE"; exit 0; fi

# run PATH: prints "<req/s> <p99 ms> <errors>" (errors: non-2xx answers plus socket errors)
run() {
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -H "Authorization: Bearer $TOKEN" \
      -H "Accept-Encoding: $ENCODING" \
      "http://127.0.0.1:$PORT$1" 2>&1 | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    END { printf "%s %.2f %d\n", rps, p99, errors }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v p="$2" -v e="$3" 'BEGIN { print (r >= 5000 && p < 20 && e == 0) ? "met" : "MISSED" }'; }

size() { curl -sf -o /dev/null -w '%{size_download}' -H "Accept-Encoding: $ENCODING" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1"; }
echo "response sizes: /static/app.css $(size /static/app.css) B, /api/catalog $(size /api/catalog) B, /catalog $(size /catalog) B"
read -r A_RPS A_P99 A_ERR <<<"$(run /static/app.css)"
read -r B_RPS B_P99 B_ERR <<<"$(run /api/catalog)"
read -r C_RPS C_P99 C_ERR <<<"$(run /catalog)"

# The flood: 1,000 wrong passwords for one account, 50 at a time, while the catalog is measured
# again. The form's CSRF token is fetched once, as an attacker's script would.
JAR="$WORK/jar"
CSRF=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login/password" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
flood() {
  seq 1000 | xargs -P 50 -I{} curl -s -o /dev/null -w '%{http_code}\n' -b "$JAR" \
    --data-urlencode "email=bench@example.com" --data-urlencode "password=Wrong-password-{}" \
    --data-urlencode "csrf_token=$CSRF" "http://127.0.0.1:$PORT/login/password" | sort | uniq -c | tr -s ' \n' ' '
}
flood >"$WORK/flood" &
FLOOD=$!
read -r D_RPS D_P99 D_ERR <<<"$(run /catalog)"
wait "$FLOOD"

printf '\n%-34s %10s %9s %7s %8s\n' "portal (wrk -c$CONNECTIONS, ${SECONDS_EACH}s, $ENCODING)" "req/s" "p99 ms" "errors" "vs (a)"
printf '%-34s %10.0f %9s %7s %8s\n' "(a) GET /static/app.css baseline" "$A_RPS" "$A_P99" "$A_ERR" "1.00"
printf '%-34s %10.0f %9s %7s %8s  target %s\n' "(b) GET /api/catalog" "$B_RPS" "$B_P99" "$B_ERR" "$(ratio "$B_RPS" "$A_RPS")" "$(verdict "$B_RPS" "$B_P99" "$B_ERR")"
printf '%-34s %10.0f %9s %7s %8s  target %s\n' "(c) GET /catalog" "$C_RPS" "$C_P99" "$C_ERR" "$(ratio "$C_RPS" "$A_RPS")" "$(verdict "$C_RPS" "$C_P99" "$C_ERR")"
printf '%-34s %10.0f %9s %7s %8s  (c under the flood: %s of c)\n' "(d) GET /catalog during the flood" "$D_RPS" "$D_P99" "$D_ERR" "$(ratio "$D_RPS" "$A_RPS")" "$(ratio "$D_RPS" "$C_RPS")"
echo "sign-in flood answers (count status): $(cat "$WORK/flood")"
