// Merging a delta into published rows on the primary key: which rows are new, changed or
// unchanged, and which published files can hold a key of the delta.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "da/duck/connection.hpp"
#include "da/sync/table_schema.hpp"
#include "da/sync/table_sync.hpp"

namespace da::sync::table_sync {

struct ChangeCounts {
  int64_t added = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
};

// The rows being merged: the delta (`relation`, with `schema`) into the published rows of
// `published_relation` (with `published_schema`), both conformed to `target`.
struct MergeInput {
  const std::vector<std::string>& primary_key;
  const std::string& relation;
  const TableSchema& schema;
  const std::string& published_relation;
  const TableSchema& published_schema;
  const TableSchema& target;
};

// How many delta rows are new, differ from their published row, or equal it.
ChangeCounts count_changes(duck::Connection& connection, const MergeInput& merge);
void add_counts(TableSyncResult& result, const ChangeCounts& counts);

// The merged rows: the published rows whose key is not in the delta, then the delta.
std::string merged_rows_sql(const MergeInput& merge);

// For a one-column key, " WHERE key BETWEEN <min> AND <max>" of the delta: Parquet statistics
// then skip the row groups (often whole partitions) that cannot hold a key of the delta.
std::string key_range_filter(duck::Connection& connection,
                             const std::vector<std::string>& primary_key,
                             const std::string& delta_relation);

}  // namespace da::sync::table_sync
