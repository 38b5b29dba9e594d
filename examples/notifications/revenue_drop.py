#!/usr/bin/env python3
"""Notifies when the last day's completed payments are 20 % or more below the 7-day average.

The SQL runs through `da query --format json` on the analyst's workspace, so the script needs
nothing beyond Python's standard library (the runner passes the da binary in DA_BIN).
"""
import json
import os
import subprocess

SQL = """
WITH daily AS (
  SELECT CAST(created_at AS DATE) AS day, SUM(amount) AS revenue
  FROM payments WHERE status = 'completed' GROUP BY 1),
last AS (SELECT max(day) AS day FROM daily)
SELECT
  (SELECT revenue FROM daily, last WHERE daily.day = last.day) AS today,
  (SELECT avg(revenue) FROM daily, last
   WHERE daily.day BETWEEN last.day - 7 AND last.day - 1) AS week_avg
"""


def main():
    da = os.environ.get("DA_BIN", "da")
    try:
        out = subprocess.run([da, "query", "--workspace", os.path.expanduser("~"),
                              "--format", "json", SQL],
                             capture_output=True, text=True, timeout=50, check=True).stdout
        today, week_avg = (float(value) for value in json.loads(out)["rows"][0])
    except Exception:  # no data yet, no payments table: nothing to say
        print(json.dumps({"notify": False}))
        return
    drop = 100 * (week_avg - today) / week_avg if week_avg > 0 else 0
    if drop >= 20:
        print(json.dumps({"notify": True, "title": f"Revenue dropped {drop:.1f} %",
                          "message": f"Last day: {today:,.2f}; 7-day average: {week_avg:,.2f}",
                          "cooldown": "6h",
                          "data": {"today": today, "week_avg": week_avg}}))
    else:
        print(json.dumps({"notify": False, "data": {"drop_percent": round(drop, 1)}}))


main()
