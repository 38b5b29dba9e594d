#include "da/sync/sync_state_repository.hpp"

#include "da/common/time.hpp"

namespace da::sync {

namespace {

constexpr const char* kSelect =
    "SELECT table_id, table_name, strategy, status, error, last_sync, last_export_started_at, "
    "watermark, rows, columns, file_size_bytes, uncompressed_bytes, schema_json, "
    "source_files_json, "
    "resume_json, updated_at FROM sync_state";

TableSyncState read_state(const store::SqliteStatement& row) {
  TableSyncState state;
  state.table_id = row.column_text(0);
  state.table_name = row.column_text(1);
  state.strategy = row.column_text(2);
  state.status = row.column_text(3);
  state.error = row.column_optional_text(4);
  state.last_sync = row.column_optional_text(5);
  state.last_export_started_at = row.column_optional_text(6);
  state.watermark = row.column_optional_text(7);
  state.rows = row.column_int(8);
  state.columns = row.column_int(9);
  state.file_size_bytes = row.column_int(10);
  state.uncompressed_bytes = row.column_int(11);
  state.schema_json = row.column_optional_text(12);
  state.source_files_json = row.column_optional_text(13);
  state.resume_json = row.column_optional_text(14);
  state.updated_at = row.column_text(15);
  return state;
}

}  // namespace

std::optional<TableSyncState> SyncStateRepository::get(const std::string& table_id) {
  store::SqliteStatement statement =
      database_.prepare(std::string(kSelect) + " WHERE table_id = ?");
  statement.bind(1, table_id);
  if (!statement.step()) return std::nullopt;
  return read_state(statement);
}

std::vector<TableSyncState> SyncStateRepository::all() {
  store::SqliteStatement statement = database_.prepare(std::string(kSelect) + " ORDER BY table_id");
  std::vector<TableSyncState> states;
  while (statement.step())
    states.push_back(read_state(statement));
  return states;
}

void SyncStateRepository::put(TableSyncState s) {
  s.updated_at = format_iso8601(now_utc());
  database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT OR REPLACE INTO sync_state (table_id, table_name, strategy, status, error, "
            "last_sync, last_export_started_at, watermark, rows, columns, file_size_bytes, "
            "uncompressed_bytes, schema_json, source_files_json, resume_json, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind_all(s.table_id, s.table_name, s.strategy, s.status, s.error, s.last_sync,
                  s.last_export_started_at, s.watermark, s.rows, s.columns, s.file_size_bytes,
                  s.uncompressed_bytes, s.schema_json, s.source_files_json, s.resume_json,
                  s.updated_at)
        .run();
  });
}

void SyncStateRepository::remove(const std::string& table_id) {
  database_.write_transaction([&] {
    database_.prepare("DELETE FROM sync_state WHERE table_id = ?").bind(1, table_id).run();
  });
}

std::string SyncStateRepository::change_stamp() {
  auto statement =
      database_.prepare("SELECT COUNT(*), COALESCE(MAX(updated_at), '') FROM sync_state");
  statement.step();
  return std::to_string(statement.column_int(0)) + "@" + statement.column_text(1);
}

}  // namespace da::sync
