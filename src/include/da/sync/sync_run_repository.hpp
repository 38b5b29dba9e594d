// Sync runs and their per-table results: what `da sync` did, when, and why a table failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "da/store/sqlite_database.hpp"

namespace da::sync {

enum class RunStatus { kRunning, kSucceeded, kFailed, kInterrupted };
enum class TableRunStatus { kRunning, kSucceeded, kFailed };
const char* to_string(RunStatus status);
const char* to_string(TableRunStatus status);

struct SyncRun {
  int64_t id = 0;
  std::string started_at;
  std::optional<std::string> finished_at;
  RunStatus status = RunStatus::kRunning;
  std::string trigger;  // cli, schedule, web, ...
  std::string host;
  int64_t pid = 0;
  int tables_requested = 0;
  int tables_succeeded = 0;
  int tables_failed = 0;
  std::optional<std::string> error;
};

struct TableRunResult {
  int64_t run_id = 0;
  std::string table_id;
  std::string table_name;
  std::string strategy;
  TableRunStatus status = TableRunStatus::kRunning;
  std::string started_at;
  std::optional<std::string> finished_at;
  int64_t rows_read = 0;   // rows the source delivered this run
  int64_t rows_total = 0;  // rows in the published table afterwards
  int64_t bytes_total = 0;
  int64_t added = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t bad_values = 0;
  int64_t null_partition_rows = 0;
  int64_t partitions_written = 0;
  int64_t duration_ms = 0;
  std::optional<std::string> error;
};

class SyncRunRepository {
 public:
  explicit SyncRunRepository(store::SqliteDatabase& database) : database_(database) {}

  // Records a new running run for this host and process; returns its id.
  int64_t start_run(const std::string& trigger, int tables_requested);
  // Inserts or replaces the result of one table in a run.
  void record_table(const TableRunResult& result);
  // Ends a run; the succeeded/failed counts are taken from its table results.
  void finish_run(int64_t run_id, RunStatus status, const std::optional<std::string>& error);
  // Runs still marked running whose process on this host is gone become interrupted, and
  // their running tables failed. Returns how many runs were closed.
  int close_abandoned_runs();

  std::optional<SyncRun> find_run(int64_t run_id);
  // Newest first.
  std::vector<SyncRun> recent_runs(int limit);
  std::vector<TableRunResult> table_results(int64_t run_id);

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::sync
