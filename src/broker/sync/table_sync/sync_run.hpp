// What every step of one table's sync shares: the source, the DuckDB connection, the table's
// layout and previous state, and the result being built.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "da/published/partition_keys.hpp"
#include "da/published/partition_manifest.hpp"
#include "da/published/table_location.hpp"
#include "da/sync/table_sync.hpp"

namespace da::sync::table_sync {

using published::kNullPartition;
using published::partition_key_sql;
using published::PartitionEntry;
using published::PartitionManifest;

struct SyncRun {
  SyncRun(DataSource& source, duck::Connection& connection, const TableSyncSettings& settings,
          const TableSyncInput& input)
      : source(source),
        connection(connection),
        settings(settings),
        input(input),
        layout(published::table_location(settings.data_dir, input.folder, input.table)) {}

  DataSource& source;
  duck::Connection& connection;
  const TableSyncSettings& settings;
  const TableSyncInput& input;
  published::TableLocation layout;
  TableSyncResult result;
  Timestamp extract_started_at{};       // of the export this run publishes
  std::vector<SourceFile> fingerprint;  // the source files it read, remembered after success

  const catalog::TableConfig& table() const { return input.table; }
  const std::optional<TableSyncState>& previous() const { return input.previous; }
  // Whether the table was synced successfully before (then incremental runs continue from it).
  bool had_success() const { return previous() && previous()->last_sync.has_value(); }
  // Throws Error(kData) naming the table.
  [[noreturn]] void fail(const std::string& message) const;
};

}  // namespace da::sync::table_sync
