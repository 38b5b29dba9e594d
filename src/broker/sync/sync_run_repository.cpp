#include "da/sync/sync_run_repository.hpp"

#include <array>
#include <cerrno>

#include <signal.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/common/time.hpp"

namespace da::sync {

namespace {

constexpr std::array<const char*, 4> kRunStatuses = {"running", "succeeded", "failed",
                                                     "interrupted"};
constexpr std::array<const char*, 3> kTableStatuses = {"running", "succeeded", "failed"};

template <typename Enum, size_t N>
Enum parse_status(const std::array<const char*, N>& names, const std::string& text) {
  for (size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<Enum>(i);
  }
  throw Error(ErrorKind::kInternal, "unknown status '" + text + "' in the state database");
}

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof(buffer) - 1) != 0) return "unknown";
  return buffer;
}

bool process_exists(int64_t pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

constexpr const char* kRunColumns =
    "id, started_at, finished_at, status, trigger, host, pid, tables_requested, "
    "tables_succeeded, tables_failed, error";

SyncRun read_run(const store::SqliteStatement& row) {
  SyncRun run;
  run.id = row.column_int(0);
  run.started_at = row.column_text(1);
  run.finished_at = row.column_optional_text(2);
  run.status = parse_status<RunStatus>(kRunStatuses, row.column_text(3));
  run.trigger = row.column_text(4);
  run.host = row.column_text(5);
  run.pid = row.column_int(6);
  run.tables_requested = static_cast<int>(row.column_int(7));
  run.tables_succeeded = static_cast<int>(row.column_int(8));
  run.tables_failed = static_cast<int>(row.column_int(9));
  run.error = row.column_optional_text(10);
  return run;
}

}  // namespace

const char* to_string(RunStatus status) {
  return kRunStatuses[static_cast<size_t>(status)];
}
const char* to_string(TableRunStatus status) {
  return kTableStatuses[static_cast<size_t>(status)];
}

int64_t SyncRunRepository::start_run(const std::string& trigger, int tables_requested) {
  return database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT INTO sync_runs (started_at, status, trigger, host, pid, tables_requested) "
            "VALUES (?, 'running', ?, ?, ?, ?)")
        .bind_all(format_iso8601(now_utc()), trigger, host_name(), static_cast<int64_t>(::getpid()),
                  tables_requested)
        .run();
    return database_.last_insert_rowid();
  });
}

void SyncRunRepository::record_table(const TableRunResult& r) {
  database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT OR REPLACE INTO sync_table_results (run_id, table_id, table_name, strategy, "
            "status, started_at, finished_at, rows_read, rows_total, bytes_total, added, updated, "
            "unchanged, bad_values, null_partition_rows, partitions_written, duration_ms, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind_all(r.run_id, r.table_id, r.table_name, r.strategy, to_string(r.status), r.started_at,
                  r.finished_at, r.rows_read, r.rows_total, r.bytes_total, r.added, r.updated,
                  r.unchanged, r.bad_values, r.null_partition_rows, r.partitions_written,
                  r.duration_ms, r.error)
        .run();
  });
}

void SyncRunRepository::finish_run(int64_t run_id, RunStatus status,
                                   const std::optional<std::string>& error) {
  database_.write_transaction([&] {
    database_
        .prepare(
            "UPDATE sync_runs SET finished_at = ?, status = ?, error = ?, "
            "tables_succeeded = (SELECT COUNT(*) FROM sync_table_results WHERE run_id = "
            "sync_runs.id "
            "AND status = 'succeeded'), "
            "tables_failed = (SELECT COUNT(*) FROM sync_table_results WHERE run_id = sync_runs.id "
            "AND status = 'failed') WHERE id = ?")
        .bind_all(format_iso8601(now_utc()), to_string(status), error, run_id)
        .run();
  });
}

int SyncRunRepository::close_abandoned_runs() {
  return database_.write_transaction([&] {
    std::vector<int64_t> abandoned;
    store::SqliteStatement running =
        database_.prepare("SELECT id, pid FROM sync_runs WHERE status = 'running' AND host = ?");
    running.bind(1, host_name());
    while (running.step()) {
      if (!process_exists(running.column_int(1))) abandoned.push_back(running.column_int(0));
    }
    std::string now = format_iso8601(now_utc());
    for (int64_t id : abandoned) {
      database_
          .prepare(
              "UPDATE sync_table_results SET status = 'failed', finished_at = ?, "
              "error = 'the sync process ended before this table finished' "
              "WHERE run_id = ? AND status = 'running'")
          .bind_all(now, id)
          .run();
      database_
          .prepare(
              "UPDATE sync_runs SET status = 'interrupted', finished_at = ?, "
              "error = 'the sync process ended unexpectedly' WHERE id = ?")
          .bind_all(now, id)
          .run();
    }
    return static_cast<int>(abandoned.size());
  });
}

std::optional<SyncRun> SyncRunRepository::find_run(int64_t run_id) {
  store::SqliteStatement statement =
      database_.prepare(std::string("SELECT ") + kRunColumns + " FROM sync_runs WHERE id = ?");
  statement.bind(1, run_id);
  if (!statement.step()) return std::nullopt;
  return read_run(statement);
}

std::vector<SyncRun> SyncRunRepository::recent_runs(int limit) {
  store::SqliteStatement statement = database_.prepare(std::string("SELECT ") + kRunColumns +
                                                       " FROM sync_runs ORDER BY id DESC LIMIT ?");
  statement.bind(1, limit);
  std::vector<SyncRun> runs;
  while (statement.step())
    runs.push_back(read_run(statement));
  return runs;
}

std::vector<TableRunResult> SyncRunRepository::table_results(int64_t run_id) {
  store::SqliteStatement statement = database_.prepare(
      "SELECT run_id, table_id, table_name, strategy, status, started_at, finished_at, rows_read, "
      "rows_total, bytes_total, added, updated, unchanged, bad_values, null_partition_rows, "
      "partitions_written, duration_ms, error FROM sync_table_results WHERE run_id = ? "
      "ORDER BY started_at, table_id");
  statement.bind(1, run_id);
  std::vector<TableRunResult> results;
  while (statement.step()) {
    TableRunResult r;
    r.run_id = statement.column_int(0);
    r.table_id = statement.column_text(1);
    r.table_name = statement.column_text(2);
    r.strategy = statement.column_text(3);
    r.status = parse_status<TableRunStatus>(kTableStatuses, statement.column_text(4));
    r.started_at = statement.column_text(5);
    r.finished_at = statement.column_optional_text(6);
    r.rows_read = statement.column_int(7);
    r.rows_total = statement.column_int(8);
    r.bytes_total = statement.column_int(9);
    r.added = statement.column_int(10);
    r.updated = statement.column_int(11);
    r.unchanged = statement.column_int(12);
    r.bad_values = statement.column_int(13);
    r.null_partition_rows = statement.column_int(14);
    r.partitions_written = statement.column_int(15);
    r.duration_ms = statement.column_int(16);
    r.error = statement.column_optional_text(17);
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace da::sync
