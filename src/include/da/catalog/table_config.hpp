// One table of the catalog, as declared in data_description.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace da::catalog {

// Tables in this folder (parquet/private/) reach only privileged analysts; on the broker only
// the members of kPrivateGroup (and the folder's owner) may enter it.
inline constexpr const char* kPrivateFolder = "private";
inline constexpr const char* kPrivateGroup = "data-private";

enum class SyncStrategy { kFullRefresh, kIncremental, kPartitioned };
enum class PartitionGranularity { kDay, kMonth, kYear };
enum class FilterOperator { kEq, kNe, kGt, kGe, kLt, kLe };
enum class BadValuePolicy { kFail, kNull };

const char* to_string(SyncStrategy strategy);
const char* to_string(PartitionGranularity granularity);
const char* to_string(FilterOperator op);
const char* to_string(BadValuePolicy policy);
std::optional<SyncStrategy> parse_sync_strategy(std::string_view text);
std::optional<PartitionGranularity> parse_partition_granularity(std::string_view text);
std::optional<FilterOperator> parse_filter_operator(std::string_view text);
std::optional<BadValuePolicy> parse_bad_value_policy(std::string_view text);

struct ForeignKey {
  std::string column;
  std::string references;  // "<table name>.<column>"
  std::string description;
};

struct WhereFilter {
  std::string column;
  FilterOperator op = FilterOperator::kEq;
  std::vector<std::string>
      values;  // may hold {{today}}-style placeholders, see date_placeholders.hpp
};

// An explicitly typed column; columns not listed are typed by the source or the sniffer.
struct ColumnSpec {
  std::string name;
  std::string type;  // DuckDB type syntax, e.g. BIGINT, DECIMAL(18,2), TIMESTAMP WITH TIME ZONE
  std::string description;
};

struct TableConfig {
  std::string id;    // source id, e.g. in.c-crm.company; key of sync state and the registry
  std::string name;  // Parquet file name, view name, profiles key
  std::string description;
  std::vector<std::string> primary_key;
  SyncStrategy strategy = SyncStrategy::kFullRefresh;
  int incremental_window_days = 7;
  std::optional<std::string> partition_by;
  PartitionGranularity partition_granularity = PartitionGranularity::kMonth;
  std::vector<ForeignKey> foreign_keys;
  std::vector<WhereFilter> where_filters;
  std::optional<std::string> folder;  // overrides folder_mapping
  std::optional<int> max_history_days;
  std::optional<std::string> dataset;
  int initial_load_chunk_days = 30;

  // Read by the connectors and the engine of this port (absent in the original).
  std::optional<std::string> source;              // CSV file or glob
  std::optional<std::string> incremental_column;  // CSV: the change-tracking column
  std::vector<ColumnSpec> columns;
  std::optional<std::vector<std::string>> null_strings;  // extra strings read as NULL
  BadValuePolicy on_bad_value = BadValuePolicy::kFail;
  // A full refresh that delivers 0 rows may replace a non-empty table only with this set:
  // an empty export is more often an outage than an emptied table.
  bool allow_empty = false;

  // Where the table was declared.
  std::string defined_in;
  int line = 0;

  // partitioned, or incremental with partition_by.
  bool is_partitioned() const;
  // The id without its last dot-segment: in.c-crm.company -> in.c-crm.
  std::string bucket() const;
};

}  // namespace da::catalog
