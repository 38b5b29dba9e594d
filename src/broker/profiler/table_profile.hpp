// Private to src/broker/profiler: the profile of one table.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "da/catalog/data_description.hpp"
#include "da/config/instance_config.hpp"
#include "da/duck/connection.hpp"
#include "da/sync/sync_state_repository.hpp"

namespace da::profiler {

struct MetricUse {
  std::string name;
  std::string file;
};

struct TableInput {
  const catalog::TableConfig* table = nullptr;
  std::vector<std::filesystem::path> files;  // the table's Parquet files
  std::optional<sync::TableSyncState> state;
  std::vector<MetricUse> metrics;  // metrics that use this table
};

// The profile JSON of one table. Throws da::Error on failure.
nlohmann::ordered_json profile_table(duck::Connection& connection, const TableInput& input,
                                     const catalog::DataDescription& catalog,
                                     const config::ProfilerConfig& settings);

// "1.5K", "2.3M", "12.00": the label of a histogram bin edge.
std::string format_bin_edge(double value);
// NUMERIC, STRING, DATE, TIMESTAMP or BOOLEAN for a DuckDB type name.
std::string type_category(const std::string& duckdb_type);

}  // namespace da::profiler
