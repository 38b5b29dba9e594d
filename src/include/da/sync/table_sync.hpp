// Syncs one table: extract from the source, stage typed Parquet, merge or replace, publish.
//
//   full_refresh   the published table becomes exactly the source
//   incremental    changed rows (by incremental_column, changed source files, or the source's
//                  own change tracking) are merged on the primary key, the last row of a key in
//                  source order winning; with partition_by only touched partitions are rewritten
//                  and a row whose partition changed leaves its old partition
//   partitioned    the partitions present in the export replace their published versions
//
// Nothing is published unless the whole table succeeded; every file appears by rename.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "da/catalog/table_config.hpp"
#include "da/common/time.hpp"
#include "da/duck/connection.hpp"
#include "da/sync/batch_stager.hpp"
#include "da/sync/data_source.hpp"
#include "da/sync/sync_state_repository.hpp"
#include "da/sync/table_schema.hpp"

namespace da::sync {

struct TableSyncInput {
  const catalog::TableConfig& table;
  std::string folder;                             // Parquet folder of the table
  std::optional<TableSyncState> previous;         // state after the last run, if any
  Timestamp now{};
  std::filesystem::path staging_dir;  // private to this table and run; removed by the caller
  std::filesystem::path resume_dir;   // survives runs: an unfinished initial load
  // Called after each published chunk of an initial load, so that a later run can resume.
  std::function<void(const TableSyncState&)> save_progress;
};

struct TableSyncResult {
  int64_t rows_read = 0;   // rows the source delivered (after filters)
  int64_t rows_total = 0;  // rows in the published table
  int64_t bytes_total = 0;
  int64_t uncompressed_bytes = 0;
  int64_t columns = 0;
  int64_t added = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t duplicates = 0;  // rows of the batch superseded by a later row with the same key
  int64_t bad_values = 0;
  int64_t null_partition_rows = 0;
  int64_t partitions_written = 0;
  std::vector<std::string> warnings;
  TableSyncState state;  // the table's new state, to store
  TableSchema schema;
};

struct TableSyncSettings {
  std::filesystem::path data_dir;
  ParquetOptions parquet;
};

class TableSync {
 public:
  TableSync(DataSource& source, duck::Connection& connection, TableSyncSettings settings)
      : source_(source), connection_(connection), settings_(std::move(settings)) {}

  // Throws da::Error (naming the table) on failure; the published data is then unchanged.
  TableSyncResult run(const TableSyncInput& input);

 private:
  DataSource& source_;
  duck::Connection& connection_;
  TableSyncSettings settings_;
};

}  // namespace da::sync
