#!/bin/sh
# Notifies when the newest Parquet file in ~/server/parquet is more than a day old (the data
# stopped arriving), or when there is none. Any executable works as a notification script: it
# prints one JSON object (see README.md).
set -u
parquet="$HOME/server/parquet"
newest=$(find -L "$parquet" -name '*.parquet' -type f -printf '%T@\n' 2>/dev/null | sort -n | tail -n 1)
if [ -z "$newest" ]; then
  printf '{"notify": true, "title": "No data", "message": "%s holds no Parquet files", "cooldown": "6h"}\n' "$parquet"
  exit 0
fi
age_hours=$(( ($(date +%s) - ${newest%.*}) / 3600 ))
if [ "$age_hours" -ge 24 ]; then
  printf '{"notify": true, "title": "Stale data", "message": "The newest table file is %s hours old", "cooldown": "6h", "data": {"age_hours": %s}}\n' "$age_hours" "$age_hours"
else
  printf '{"notify": false, "data": {"age_hours": %s}}\n' "$age_hours"
fi
