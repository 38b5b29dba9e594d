// The keys that name a partitioned table's files (<key>.parquet): YYYY, YYYY-MM or YYYY-MM-DD
// by the table's granularity, and "__null__" for rows whose partition value is NULL or not a
// date.
#pragma once

#include <string>

#include "da/catalog/table_config.hpp"

namespace da::published {

inline constexpr const char* kNullPartition = "__null__";

// An SQL expression giving the partition key of `column_sql` (an already quoted column of
// DuckDB type `column_type`). Throws Error(kConfig) if the type cannot hold a date.
std::string partition_key_sql(const std::string& column_sql, const std::string& column_type,
                              catalog::PartitionGranularity granularity);

}  // namespace da::published
