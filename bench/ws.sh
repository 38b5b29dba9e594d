#!/usr/bin/env bash
# WebSocket gateway benchmark on loopback, in one run:
#   BENCH_WS_CLIENTS (default 10000) authenticated clients held by one `da ws-gateway`,
#   then one notification written to the outbox for each of them.
#   BENCH_WS_DEFLATE=1: the gateway offers permessage-deflate and every client takes it (each
#   notification then arrives compressed), to see what compression costs per socket.
# Targets: < 100 MB gateway RSS growth for the clients; p99 < 500 ms from outbox write to
# client receipt. Everything listens on 127.0.0.1 and stops by itself.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/${1:-build}"
DA="$BUILD/da"
TOOL="$BUILD/bench/ws_bench"
CLIENTS="${BENCH_WS_CLIENTS:-10000}"
PORT="${BENCH_WS_PORT:-18765}"
WORK="${BENCH_DIR:-$ROOT/bench/out/ws}"
SECRET="$(openssl rand -hex 32)"
DEFLATE="${BENCH_WS_DEFLATE:-0}"
DEFLATE_YAML=false
[[ "$DEFLATE" == 1 ]] && DEFLATE_YAML=true

rm -rf "$WORK"
mkdir -p "$WORK/config" "$WORK/docs" "$WORK/data"
cat >"$WORK/config/instance.yaml" <<YAML
paths:
  data_dir: ./data
  docs_dir: ./docs
logging:
  level: warn
desktop:
  jwt_secret: \${DESKTOP_JWT_SECRET}
server:
  max_connections_per_address: 0   # every client comes from 127.0.0.1
notifications:
  ws_listen: 127.0.0.1:$PORT
  ws_permessage_deflate: $DEFLATE_YAML
YAML
echo "DESKTOP_JWT_SECRET=$SECRET" >"$WORK/config/.env"
"$DA" --config "$WORK/config" notify list >/dev/null  # creates the state store
# Both ends hold one descriptor per client.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$DA" --config "$WORK/config" ws-gateway >"$WORK/gateway.log" 2>&1 &
GATEWAY=$!
trap 'kill "$GATEWAY" 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
echo "holding $CLIENTS clients on one gateway process (permessage-deflate: $DEFLATE_YAML)"
"$TOOL" --state-db "$WORK/data/state.db" --secret "$SECRET" --port "$PORT" \
  --gateway-pid "$GATEWAY" --clients "$CLIENTS" --deflate "$DEFLATE" | tee "$WORK/result.txt"
growth=$(sed -n 's/.*growth_mib=\([0-9.]*\).*/\1/p' "$WORK/result.txt")
p99=$(sed -n 's/.*p99=\([0-9.]*\).*/\1/p' "$WORK/result.txt")
awk -v g="$growth" -v p="$p99" 'BEGIN {
  printf "\nRSS growth for the clients: %.1f MiB (target < 100 MB): %s\n", g, (g * 1.048576 < 100 ? "met" : "MISSED")
  printf "p99 outbox write -> client: %.1f ms (target < 500 ms): %s\n", p, (p < 500 ? "met" : "MISSED")
}'
