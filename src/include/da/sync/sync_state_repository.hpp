// Per-table sync state: the last success, the watermark an incremental run continues from,
// the published table's size and schema, and the progress of a resumable initial load.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "da/store/sqlite_database.hpp"

namespace da::sync {

struct TableSyncState {
  std::string table_id;
  std::string table_name;
  std::string strategy;
  std::string status = "succeeded";                   // succeeded | failed (the last attempt)
  std::optional<std::string> error;                   // why the last attempt failed
  std::optional<std::string> last_sync;               // end of the last success (ISO UTC)
  std::optional<std::string> last_export_started_at;  // start of the last successful export
  std::optional<std::string> watermark;               // max incremental value read
  int64_t rows = 0;
  int64_t columns = 0;
  int64_t file_size_bytes = 0;
  int64_t uncompressed_bytes = 0;
  std::optional<std::string> schema_json;        // the published columns and types
  std::optional<std::string> source_files_json;  // the source files read (file-based sources)
  std::optional<std::string> resume_json;        // an unfinished initial load
  std::string updated_at;
};

class SyncStateRepository {
 public:
  explicit SyncStateRepository(store::SqliteDatabase& database) : database_(database) {}

  std::optional<TableSyncState> get(const std::string& table_id);
  // Every table's state, ordered by table id.
  std::vector<TableSyncState> all();
  // Inserts or replaces the state of `state.table_id`; sets updated_at.
  void put(TableSyncState state);
  void remove(const std::string& table_id);
  // Changes whenever a table's state is put or removed: "<count>@<newest updated_at>".
  std::string change_stamp();

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::sync
