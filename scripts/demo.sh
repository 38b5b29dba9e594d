#!/usr/bin/env bash
# make demo: a working instance under demo/ (git-ignored) on the sample e-commerce data:
# generate it, configure a CSV instance, sync every table, and query the new Parquet.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${1:-build}"
DA="$ROOT/$BUILD_DIR/da"
DEMO="$ROOT/demo"
CONFIG="$DEMO/config"

step() { printf '\n== %s\n' "$*"; }

step "Sample data: da sample-data --size s --out demo/incoming"
mkdir -p "$CONFIG" "$DEMO/docs"
"$DA" sample-data --size s --out "$DEMO/incoming"

step "Instance: demo/config/instance.yaml, demo/docs/{data_description.md,metrics/}"
cp "$DEMO/incoming/data_description.md" "$DEMO/docs/data_description.md"
rm -rf "$DEMO/docs/metrics" && cp -r "$ROOT/docs/metrics" "$DEMO/docs/metrics"
cat >"$CONFIG/instance.yaml" <<YAML
instance:
  name: "AI Data Analyst (demo)"
data_source:
  type: csv
  csv:
    base_dir: ./incoming
paths:
  data_dir: ./data
  catalog_dir: ./docs
sync:
  memory_limit: 1GB
  parallel_tables: 2
logging:
  level: warn
server:
  hostname: 127.0.0.1
  base_url: http://127.0.0.1:\${DEMO_PORT:-8080}
  listen: 127.0.0.1:\${DEMO_PORT:-8080}
  access_log: false
auth:
  allowed_domain: example.com
  webapp_secret_key: \${WEBAPP_SECRET_KEY}
  email:
    dev_mode: true                  # the demo has no mail server: links are shown in the browser
YAML
# The portal refuses to start without a secret; the demo makes one, kept out of git.
[[ -f "$CONFIG/.env" ]] || echo "WEBAPP_SECRET_KEY=$(openssl rand -hex 32)" >"$CONFIG/.env"
"$DA" --config "$CONFIG" config check --for engine

step "da sync (then the changed tables are profiled and the analyst docs rebuilt)"
"$DA" --config "$CONFIG" sync

step "Revenue by month and channel over the synced Parquet (da query)"
"$DA" --config "$CONFIG" query "
  SELECT strftime(created_at, '%Y-%m') AS month, channel, count(*) AS orders,
         sum(total_amount) AS revenue
  FROM orders
  WHERE status NOT IN ('cancelled', 'returned')
  GROUP BY ALL ORDER BY month DESC, revenue DESC" --limit 12

step "A business metric: da metrics run repeat_purchase_rate"
"$DA" --config "$CONFIG" metrics run repeat_purchase_rate --limit 6

step "Portal users: demo@example.com is an administrator"
"$DA" --config "$CONFIG" users grant-role demo@example.com admin

step "Done"
echo "Parquet:      $DEMO/data/parquet/"
echo "Profiles:     $DEMO/data/metadata/profiles.json (summary: $DEMO/docs/data_profile.md)"
echo "For analysts: $DEMO/docs/CLAUDE.md, $DEMO/docs/metrics/index.md"
echo "Sync state:   $DEMO/data/metadata/sync_state.json"
echo "Column types: $DEMO/docs/schema.yml"
echo "Try:          $DA --config $CONFIG query \"SELECT segment, count(*) FROM customers GROUP BY ALL\""

[[ "${DEMO_NO_SERVE:-0}" == 1 ]] && exit 0
PORT="${DEMO_PORT:-8080}"
step "Web portal on http://127.0.0.1:$PORT"
"$DA" --config "$CONFIG" --log-level info serve &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null || true' INT TERM EXIT
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

step "An analyst's workspace, pulled from the portal over HTTP(S): da pull"
TOKEN=$("$DA" --config "$CONFIG" users token create demo@example.com | grep -o 'dap_[A-Za-z0-9_-]*' | head -n 1)
DA_PORTAL_TOKEN="$TOKEN" "$DA" pull --portal "http://127.0.0.1:$PORT" "$DEMO/workspace"
echo "A metric in the workspace (total revenue by month, as docs/metrics/revenue/total_revenue.yml):"
(cd "$DEMO/workspace" && "$DA" query "
  SELECT strftime(created_at, '%Y-%m') AS month, sum(total_amount) AS total_revenue
  FROM orders WHERE status NOT IN ('cancelled', 'returned')
  GROUP BY ALL ORDER BY month DESC" --limit 6)
echo "Workspace:    $DEMO/workspace (server/, user/duckdb/analytics.duckdb, CLAUDE.md)"

step "The portal keeps running on http://127.0.0.1:$PORT (Ctrl-C stops it)"
echo "Sign in: open http://127.0.0.1:$PORT/login, choose 'Sign in with email link' and"
echo "enter demo@example.com (or any @example.com address). Email dev mode shows the link in the"
echo "browser instead of mailing it; never turn dev mode on for a shared server."
wait "$SERVE_PID"
