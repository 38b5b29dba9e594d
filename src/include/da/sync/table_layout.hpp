// Where a table's Parquet lives:
//   <data_dir>/parquet/<folder>/<name>.parquet          single file
//   <data_dir>/parquet/<folder>/<name>/<key>.parquet     partitioned, with _manifest.json
// and how partition keys are computed (YYYY, YYYY-MM, YYYY-MM-DD; "__null__" for rows whose
// partition value is NULL or not a date).
#pragma once

#include <filesystem>
#include <string>

#include "da/catalog/table_config.hpp"

namespace da::sync {

inline constexpr const char* kNullPartition = "__null__";

// Creates <data_dir>/parquet/private/ if it is missing and keeps it closed to others: mode
// 2750 and, where the group exists, group data-private (new files inherit it). Best effort
// for the group: a process that may not change it leaves it as it is.
void secure_private_folder(const std::filesystem::path& data_dir);

struct TableLayout {
  std::filesystem::path folder;         // <data_dir>/parquet/<folder>
  std::filesystem::path single_file;    // <folder>/<name>.parquet
  std::filesystem::path partition_dir;  // <folder>/<name>
  bool partitioned = false;

  std::filesystem::path manifest() const { return partition_dir / "_manifest.json"; }
  std::filesystem::path partition_file(const std::string& key) const {
    return partition_dir / (key + ".parquet");
  }
  // The journal of an unfinished publication of this table (see publisher.hpp).
  std::filesystem::path journal() const;
};

TableLayout table_layout(const std::filesystem::path& data_dir, const std::string& folder,
                         const catalog::TableConfig& table);

// An SQL expression giving the partition key of `column_sql` (an already quoted column of
// DuckDB type `column_type`). Throws Error(kConfig) if the type cannot hold a date.
std::string partition_key_sql(const std::string& column_sql, const std::string& column_type,
                              catalog::PartitionGranularity granularity);

// A file-system-safe form of a table id, for staging folders.
std::string table_key(const std::string& table_id);

}  // namespace da::sync
