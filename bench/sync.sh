#!/usr/bin/env bash
# Sync benchmark: a 10-million-row orders CSV (~1 GB), timed in one run as
#   (a) a raw DuckDB COPY of the file to zstd Parquet through the same library (the baseline),
#   (b) `da sync` full refresh of the same file,
#   (c) `da sync` incremental run with 1 % changed rows into a month-partitioned table
#       (after an untimed initial load),
# printing wall time, peak RSS and the ratios b/a and c/b against the targets.
#   BENCH_ROWS (default 10000000), BENCH_DIR (default bench/out/sync), BENCH_MEMORY (default 2GB)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/${1:-build}"
DA="$BUILD/da"
TOOL="$BUILD/bench/da_bench"
ROWS="${BENCH_ROWS:-10000000}"
MEMORY="${BENCH_MEMORY:-2GB}"
WORK="${BENCH_DIR:-$ROOT/bench/out/sync}"
THREADS="$(nproc)"

measure() { "$TOOL" measure -- "$@" | tail -n 1; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

mkdir -p "$WORK/incoming/inc" "$WORK/config" "$WORK/docs"
CSV="$WORK/incoming/orders.csv"
if [[ ! -f "$CSV" || "$(cat "$WORK/rows" 2>/dev/null)" != "$ROWS" ]]; then
  echo "generating $ROWS orders into $CSV"
  "$TOOL" orders-csv --rows "$ROWS" --out "$CSV"
  echo "$ROWS" >"$WORK/rows"
fi
rm -rf "$WORK/data" "$WORK/baseline.parquet" "$WORK/incoming/inc"/*
ln -sf "$CSV" "$WORK/incoming/inc/part-0.csv"
cat >"$WORK/config/instance.yaml" <<YAML
data_source:
  type: csv
  csv:
    base_dir: ./incoming
paths:
  data_dir: ./data
  docs_dir: ./docs
sync:
  memory_limit: $MEMORY
  threads: $THREADS
  parallel_tables: 1
logging:
  level: warn
YAML
cat >"$WORK/docs/data_description.md" <<'YAML'
```yaml
tables:
  - id: bench.orders_full
    name: orders_full
    description: 10M orders, full refresh
    primary_key: order_id
    sync_strategy: full_refresh
    source: orders.csv
  - id: bench.orders_inc
    name: orders_inc
    description: 10M orders, incremental into month partitions
    primary_key: order_id
    sync_strategy: incremental
    incremental_column: updated_at
    partition_by: created_at
    partition_granularity: month
    initial_load_chunk_days: 365
    source: inc/*.csv
```
YAML
SIZE_MB=$(( $(stat -L -c %s "$CSV") / 1000000 ))
echo "input: $ROWS rows, $SIZE_MB MB CSV; memory_limit $MEMORY, $THREADS threads"

cat "$CSV" >/dev/null  # every step reads the file from the page cache, none from disk
A=$(measure "$TOOL" copy --csv "$CSV" --out "$WORK/baseline.parquet" --threads "$THREADS" --memory-limit "$MEMORY")
# The sync itself: --no-profile leaves out the profiling that follows a sync by default
# (bench/profile.sh measures that; its cost is printed below too).
B=$(measure "$DA" --config "$WORK/config" sync --no-profile bench.orders_full)
"$DA" --config "$WORK/config" sync --no-profile bench.orders_inc >/dev/null
# Three incremental runs, each with a new 1 % delta file; the median is reported.
C_RUNS=()
for run in 1 2 3; do
  "$TOOL" orders-delta --rows "$ROWS" --percent 1 --out "$WORK/incoming/inc/part-$run.csv"
  C_RUNS+=("$(measure "$DA" --config "$WORK/config" sync --no-profile bench.orders_inc)")
done
C=$(for line in "${C_RUNS[@]}"; do echo "$line"; done | sort -t= -k2 -n | sed -n 2p)

P=$(measure "$DA" --config "$WORK/config" profile bench.orders_inc)
a=$(field wall_seconds "$A"); b=$(field wall_seconds "$B"); c=$(field wall_seconds "$C")
rss_b=$(field peak_rss_mb "$B"); rss_c=$(field peak_rss_mb "$C")
limit_mb=$(( $(numfmt --from=si "${MEMORY%B}") / 1000000 ))
printf '\n%-46s %9s %12s\n' "step" "wall (s)" "peak RSS (MB)"
printf '%-46s %9.2f %12.0f\n' "(a) raw DuckDB COPY csv -> parquet (baseline)" "$a" "$(field peak_rss_mb "$A")"
printf '%-46s %9.2f %12.0f\n' "(b) da sync full refresh" "$b" "$rss_b"
printf '%-46s %9.2f %12.0f\n' "(c) da sync incremental, 1% changed, month" "$c" "$rss_c"
printf '    (c) runs: %s\n' "$(for line in "${C_RUNS[@]}"; do field wall_seconds "$line"; done | tr '\n' ' ')"
printf '%-46s %9.2f %12.0f\n' "(d) da profile of the incremental table" "$(field wall_seconds "$P")" "$(field peak_rss_mb "$P")"
printf '    (a sync profiles the tables it changed, unless --no-profile: add (d) to (b) and (c))\n'
awk -v a="$a" -v b="$b" -v c="$c" -v rb="$rss_b" -v rc="$rss_c" -v lim="$limit_mb" 'BEGIN {
  printf "\nb/a = %.3f (target <= 1.15): %s\n", b / a, (b / a <= 1.15 ? "met" : "MISSED")
  printf "c/b = %.3f (target <= 0.10): %s\n", c / b, (c / b <= 0.10 ? "met" : "MISSED")
  peak = rb > rc ? rb : rc
  printf "peak RSS %.0f MB vs memory_limit %d MB + 300 MB: %s\n", peak, lim, (peak <= lim + 300 ? "met" : "MISSED")
}'
