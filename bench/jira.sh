#!/usr/bin/env bash
# Jira connector burst, all on 127.0.0.1: a fake Jira Cloud (tests/tools/fake_jira_main.cpp) holds
# BENCH_JIRA_ISSUES issues (default 2,000) created over 24 months, each with 3 comments and 5
# changelog histories. BENCH_JIRA_EVENTS signed webhook deliveries (default 10,000) for those
# issues are posted to `da serve` while `da jira worker` drains the queue.
#   (a) the webhook answers: events/s and p99 of the portal queueing them;
#   (b) the backlog published: seconds from the first delivery until the queue is empty, and
#       every issue, comment and changelog row checked in the Parquet (target: within 60 s);
#   (c) the baseline: every issue fetched once at the worker's parallelism, the floor any
#       connector pays for the API calls alone; the ratio b/c;
#   and the worker's peak RSS.
#   BENCH_JIRA_ISSUES, BENCH_JIRA_EVENTS, BENCH_JIRA_CONNECTIONS (16), BENCH_PORT (18081)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/${1:-build}"
DA="$BUILD/da"
BURST="$BUILD/bench/jira_burst"
FAKE="$BUILD/tests/fake_jira"
ISSUES="${BENCH_JIRA_ISSUES:-2000}"
EVENTS="${BENCH_JIRA_EVENTS:-10000}"
CONNECTIONS="${BENCH_JIRA_CONNECTIONS:-16}"
PORT="${BENCH_PORT:-18081}"
PARALLEL=4
for tool in "$DA" "$BURST" "$FAKE"; do
  [[ -x "$tool" ]] || { echo "jira bench: $tool is missing (build first)" >&2; exit 1; }
done
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

"$FAKE" --issues "$ISSUES" --months 24 --comments 3 --histories 5 >"$WORK/fake.out" &
PIDS+=($!)
for _ in $(seq 100); do [[ -s "$WORK/fake.out" ]] && break; sleep 0.1; done
read -r JIRA_URL _ <"$WORK/fake.out"

export JIRA_API_TOKEN=jira-token
export JIRA_WEBHOOK_SECRET
JIRA_WEBHOOK_SECRET="$(openssl rand -hex 32)"
mkdir -p "$WORK/config" "$WORK/docs"
printf '# Benchmark catalog\n```yaml\ntables: []\n```\n' >"$WORK/docs/data_description.md"
cat >"$WORK/config/instance.yaml" <<YAML
instance: {name: "Jira benchmark"}
server:
  hostname: 127.0.0.1
  base_url: http://127.0.0.1:$PORT
  listen: 127.0.0.1:$PORT
  access_log: false
  max_connections_per_address: 0
auth:
  allowed_domain: example.com
  webapp_secret_key: $(openssl rand -hex 32)
  email: {dev_mode: true}
paths: {data_dir: ./data, docs_dir: ./docs}
logging: {level: warn}
jira:
  base_url: $JIRA_URL
  email: bot@example.com
  api_token: \${JIRA_API_TOKEN}
  webhook_secret: \${JIRA_WEBHOOK_SECRET}
  requests: {parallel: $PARALLEL}
YAML
"$DA" --config "$WORK/config" serve &
PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
"$DA" --config "$WORK/config" jira worker &
WORKER=$!
PIDS+=("$WORKER")

# queue COUNT: how many events are pending or being applied.
queue() {
  "$DA" --config "$WORK/config" --json jira status |
    python3 -c 'import json,sys; q=json.load(sys.stdin)["queue"]; print(q["pending"]+q["processing"], q["failed"])'
}

start=$(date +%s.%N)
SENT="$("$BURST" send --url "http://127.0.0.1:$PORT/webhooks/jira" --secret "$JIRA_WEBHOOK_SECRET" \
  --project SUPPORT --issues "$ISSUES" --events "$EVENTS" --connections "$CONNECTIONS")"
echo "(a) webhooks: $SENT"
deadline=$(($(date +%s) + 600))
while :; do
  read -r left failed <<<"$(queue)"
  [[ "$left" == 0 ]] && break
  if (($(date +%s) > deadline)); then echo "jira bench: the queue still holds $left event(s) after 600 s" >&2; exit 1; fi
  sleep 0.2
done
published=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
peak_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$WORKER/status")
VERIFY="$("$BURST" verify --parquet "$WORK/data/parquet/jira" --issues "$ISSUES" --comments 3 --histories 5)" || true
echo "(b) published: $EVENTS events over $ISSUES issues in $published s ($(awk -v e="$EVENTS" -v s="$published" 'BEGIN { printf "%.0f", e / s }') events/s), failed events $failed; $VERIFY"
echo "    worker peak RSS: $((peak_kb / 1024)) MiB"
FLOOR="$("$BURST" fetch --url "$JIRA_URL" --email bot@example.com --token "$JIRA_API_TOKEN" \
  --project SUPPORT --issues "$ISSUES" --connections "$PARALLEL")"
floor=$(awk '{ for (i = 1; i < NF; i++) if ($i == "seconds") print $(i + 1) }' <<<"$FLOOR")
echo "(c) baseline: $FLOOR"
verdict=$(awk -v p="$published" 'BEGIN { print (p <= 60) ? "met" : "MISSED" }')
echo "ratio b/c: $(awk -v p="$published" -v f="$floor" 'BEGIN { printf "%.2f", p / f }'); target (published within 60 s, every row correct): $verdict"
[[ "$VERIFY" == *"every row correct"* ]] || { echo "jira bench: the published rows are wrong" >&2; exit 1; }
