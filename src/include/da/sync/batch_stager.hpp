// Reads what a connector delivered into one typed staging Parquet file (the batch), in one
// streaming pass through DuckDB: declared column types are applied exactly, other columns are
// sniffed (a value later in the file that contradicts the sniffed type widens it), changed rows
// are selected with the table's incremental_column, and where_filters apply.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "da/catalog/table_config.hpp"
#include "da/common/time.hpp"
#include "da/duck/connection.hpp"
#include "da/sync/data_source.hpp"
#include "da/sync/table_schema.hpp"

namespace da::sync {

struct ParquetOptions {
  std::string compression = "zstd";
  int64_t row_group_size = 1'000'000;
  // ", COMPRESSION zstd, ROW_GROUP_SIZE 1000000" for a COPY ... (FORMAT parquet<this>).
  std::string copy_options() const;
};

struct StageRequest {
  const catalog::TableConfig& table;
  const Extract& extract;
  const TableSchema* published = nullptr;  // types of the published columns, for filters on them
  std::optional<std::string> watermark;    // last max of incremental_column (text)
  std::optional<Timestamp> history_start;  // rows older than this are not loaded
  std::chrono::sys_days today{};           // resolves where_filters placeholders
  std::filesystem::path output;            // the batch file to write
  // Keep the source's row order in the batch (needed when duplicates are resolved by it);
  // otherwise DuckDB may write rows in any order, which is faster.
  bool keep_source_order = true;
};

struct StagedBatch {
  std::filesystem::path path;  // empty when there was nothing to read
  int64_t rows = 0;
  TableSchema schema;
  int64_t bad_values = 0;  // values set to NULL under on_bad_value: null
  std::vector<std::string> warnings;
};

class BatchStager {
 public:
  BatchStager(duck::Connection& connection, ParquetOptions options)
      : connection_(connection), options_(std::move(options)) {}

  // Throws Error(kData) naming the table, file, line, column and value when a value does not
  // fit its declared type (on_bad_value: fail), and Error(kData)/Error(kSource) for unreadable
  // input.
  StagedBatch stage(const StageRequest& request);

 private:
  duck::Connection& connection_;
  ParquetOptions options_;
};

}  // namespace da::sync
