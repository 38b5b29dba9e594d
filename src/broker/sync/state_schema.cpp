// The sync runs, their per-table results and each table's sync state.
#include "da/store/schema_registry.hpp"

namespace da::sync {

namespace {

constexpr const char* kSyncTables = R"sql(
CREATE TABLE sync_runs (
  id               INTEGER PRIMARY KEY,
  started_at       TEXT NOT NULL,
  finished_at      TEXT,
  status           TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
  trigger          TEXT NOT NULL,
  host             TEXT NOT NULL,
  pid              INTEGER NOT NULL,
  tables_requested INTEGER NOT NULL DEFAULT 0,
  tables_succeeded INTEGER NOT NULL DEFAULT 0,
  tables_failed    INTEGER NOT NULL DEFAULT 0,
  error            TEXT
);
CREATE INDEX sync_runs_started ON sync_runs (started_at);

CREATE TABLE sync_table_results (
  run_id       INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  table_id     TEXT NOT NULL,
  table_name   TEXT NOT NULL,
  strategy     TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  rows_read    INTEGER NOT NULL DEFAULT 0,
  rows_total   INTEGER NOT NULL DEFAULT 0,
  bytes_total  INTEGER NOT NULL DEFAULT 0,
  added        INTEGER NOT NULL DEFAULT 0,
  updated      INTEGER NOT NULL DEFAULT 0,
  unchanged    INTEGER NOT NULL DEFAULT 0,
  bad_values   INTEGER NOT NULL DEFAULT 0,
  null_partition_rows INTEGER NOT NULL DEFAULT 0,
  partitions_written  INTEGER NOT NULL DEFAULT 0,
  duration_ms  INTEGER NOT NULL DEFAULT 0,
  error        TEXT,
  PRIMARY KEY (run_id, table_id)
);
CREATE INDEX sync_table_results_table ON sync_table_results (table_id, started_at);

CREATE TABLE sync_state (
  table_id               TEXT PRIMARY KEY,
  table_name             TEXT NOT NULL,
  strategy               TEXT NOT NULL,
  status                 TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
  error                  TEXT,
  last_sync              TEXT,
  last_export_started_at TEXT,
  watermark              TEXT,
  rows                   INTEGER NOT NULL DEFAULT 0,
  columns                INTEGER NOT NULL DEFAULT 0,
  file_size_bytes        INTEGER NOT NULL DEFAULT 0,
  uncompressed_bytes     INTEGER NOT NULL DEFAULT 0,
  schema_json            TEXT,
  source_files_json      TEXT,
  resume_json            TEXT,
  updated_at             TEXT NOT NULL
);
)sql";

}  // namespace

void register_state_schema(store::SchemaRegistry& registry) {
  registry.add({"sync",
                {},
                {
                    {"", 1, "sync runs, per-table results and sync state", kSyncTables, 1},
                }});
}

}  // namespace da::sync
