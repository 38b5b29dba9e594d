#!/usr/bin/env bash
# Profiling benchmark, in one run:
#   (a) DuckDB's own SUMMARIZE of the 10-million-row orders Parquet of the sync benchmark (baseline),
#   (b) `da profile` of the same table (a 500k-row reservoir sample above 1M rows; exact row,
#       null and min/max counts from the Parquet metadata),
#   (c) `da metrics run` of every query of every sample metric on sample data of size m.
# Prints wall time, peak RSS and the ratio b/a against the targets. Needs bench/sync.sh's data
# (it runs it first when missing). BENCH_DIR as in bench/sync.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/${1:-build}"
DA="$BUILD/da"
TOOL="$BUILD/bench/da_bench"
WORK="${BENCH_DIR:-$ROOT/bench/out/sync}"
THREADS="$(nproc)"
measure() { "$TOOL" measure -- "$@" | tail -n 1; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

PARQUET="$WORK/data/parquet/bench/orders_full.parquet"
[[ -f "$PARQUET" ]] || "$ROOT/bench/sync.sh" "${1:-build}" >/dev/null
MEMORY=$(sed -n 's/^  memory_limit: //p' "$WORK/config/instance.yaml")
cat "$PARQUET" >/dev/null

A=$(measure "$TOOL" summarize --parquet "$PARQUET" --threads "$THREADS" --memory-limit "$MEMORY")
B=$(measure "$DA" --config "$WORK/config" profile bench.orders_full)
a=$(field wall_seconds "$A"); b=$(field wall_seconds "$B"); rss_b=$(field peak_rss_mb "$B")
limit_mb=$(( $(numfmt --from=si "${MEMORY%B}") / 1000000 ))

# Metrics on size m.
M="$WORK/metrics-m"
rm -rf "$M" && mkdir -p "$M/config" "$M/docs"
"$DA" sample-data --size m --out "$M/incoming" >/dev/null
cp "$M/incoming/data_description.md" "$M/docs/" && cp -r "$ROOT/docs/metrics" "$M/docs/metrics"
printf 'data_source:\n  type: csv\n  csv:\n    base_dir: ./incoming\npaths:\n  data_dir: ./data\n  docs_dir: ./docs\nlogging:\n  level: warn\n' >"$M/config/instance.yaml"
"$DA" --config "$M/config" sync >/dev/null
slowest=0; slowest_name=""
while read -r name variant; do
  t=$(field wall_seconds "$(measure "$DA" --config "$M/config" metrics run "$name" --variant "$variant")")
  if awk -v t="$t" -v s="$slowest" 'BEGIN { exit !(t > s) }'; then slowest=$t; slowest_name="$name $variant"; fi
done < <("$DA" --config "$M/config" --json metrics list | sed -n 's/.*"name": "\([a-z_]*\)".*/\1/p' | while read -r metric; do
  "$DA" --config "$M/config" metrics show "$metric" | sed -n "s/^-- \(sql[a-z_]*\) .*/$metric \1/p"
done)

printf '\n%-52s %9s %12s\n' "step" "wall (s)" "peak RSS (MB)"
printf '%-52s %9.2f %12.0f\n' "(a) DuckDB SUMMARIZE of orders_full.parquet (baseline)" "$a" "$(field peak_rss_mb "$A")"
printf '%-52s %9.2f %12.0f\n' "(b) da profile bench.orders_full (10M rows)" "$b" "$rss_b"
printf '%-52s %9.2f\n' "(c) slowest da metrics run on size m: $slowest_name" "$slowest"
awk -v a="$a" -v b="$b" -v rb="$rss_b" -v lim="$limit_mb" -v c="$slowest" 'BEGIN {
  printf "\nb/a = %.3f (target <= 2.0): %s\n", b / a, (b / a <= 2.0 ? "met" : "MISSED")
  printf "profile peak RSS %.0f MB vs memory_limit %d MB: %s\n", rb, lim, (rb <= lim ? "met" : "MISSED")
  printf "slowest metric %.2f s (target < 1 s each): %s\n", c, (c < 1.0 ? "met" : "MISSED")
}'
