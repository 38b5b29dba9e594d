#include "da/published/partition_keys.hpp"

#include "da/common/error.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::published {

std::string partition_key_sql(const std::string& column_sql, const std::string& column_type,
                              catalog::PartitionGranularity granularity) {
  const char* format = granularity == catalog::PartitionGranularity::kDay     ? "%Y-%m-%d"
                       : granularity == catalog::PartitionGranularity::kMonth ? "%Y-%m"
                                                                              : "%Y";
  std::string value;
  if (column_type == "DATE" || column_type.rfind("TIMESTAMP", 0) == 0) {
    value = column_type == "TIMESTAMP WITH TIME ZONE" ? "timezone('UTC', " + column_sql + ")"
                                                      : column_sql;
  } else if (column_type == "VARCHAR") {
    value = "TRY_CAST(" + column_sql + " AS TIMESTAMP)";
  } else {
    throw Error(ErrorKind::kConfig, "partition_by column " + column_sql + " has type " +
                                        column_type +
                                        "; it must be a DATE, a TIMESTAMP or text holding one");
  }
  return "coalesce(strftime(" + value + ", " + duck::quote_literal(format) + "), " +
         duck::quote_literal(kNullPartition) + ")";
}

}  // namespace da::published
