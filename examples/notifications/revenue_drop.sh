#!/bin/sh
# Notifies when the last day's completed payments fall 20 % or more below the average of the
# seven days before it. The SQL runs with `da query` on the analyst's workspace (the views of
# ~/user/duckdb/analytics.duckdb); the runner passes the da binary in DA_BIN.
set -u
DA="${DA_BIN:-da}"
sql="WITH daily AS (
  SELECT CAST(created_at AS DATE) AS day, SUM(amount) AS revenue
  FROM payments WHERE status = 'completed' GROUP BY 1),
last AS (SELECT max(day) AS day FROM daily)
SELECT
  (SELECT revenue FROM daily, last WHERE daily.day = last.day) AS today,
  (SELECT avg(revenue) FROM daily, last WHERE daily.day BETWEEN last.day - 7 AND last.day - 1) AS week_avg"
row=$("$DA" query --workspace "$HOME" --format csv "$sql" 2>/dev/null | sed -n 2p) || row=""
today=${row%%,*}
week_avg=${row#*,}
if [ -z "$row" ] || [ -z "$today" ] || [ -z "$week_avg" ]; then
  echo '{"notify": false}'
  exit 0
fi
drop=$(awk -v t="$today" -v a="$week_avg" 'BEGIN { if (a > 0) printf "%.1f", 100 * (a - t) / a; else print "0" }')
if awk -v d="$drop" 'BEGIN { exit !(d >= 20) }'; then
  printf '{"notify": true, "title": "Revenue dropped %s %%", "message": "Last day: %s; 7-day average: %s", "cooldown": "6h", "data": {"today": %s, "week_avg": %s}}\n' \
    "$drop" "$today" "$week_avg" "$today" "$week_avg"
else
  printf '{"notify": false, "data": {"drop_percent": %s}}\n' "$drop"
fi
