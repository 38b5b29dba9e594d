#!/usr/bin/env python3
"""Notifies when the newest Parquet file under ~/server/parquet is over a day old.

A notification script prints one JSON object: {"notify": bool, "title", "message",
"image_path", "cooldown", "data"}. Standard library only.
"""
import json
import os
import time

parquet = os.path.join(os.path.expanduser("~"), "server", "parquet")
newest = 0.0
for folder, _, files in os.walk(parquet, followlinks=True):
    for name in files:
        if name.endswith(".parquet"):
            newest = max(newest, os.path.getmtime(os.path.join(folder, name)))

if newest == 0.0:
    print(json.dumps({"notify": True, "title": "No data",
                      "message": f"{parquet} holds no Parquet files", "cooldown": "6h"}))
else:
    hours = (time.time() - newest) / 3600
    if hours >= 24:
        print(json.dumps({"notify": True, "title": "Stale data",
                          "message": f"The newest table file is {hours:.0f} hours old",
                          "cooldown": "6h", "data": {"age_hours": round(hours, 1)}}))
    else:
        print(json.dumps({"notify": False, "data": {"age_hours": round(hours, 1)}}))
