#include "da/sync/table_layout.hpp"

#include <cctype>

#include "da/common/error.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sync {

namespace fs = std::filesystem;

fs::path TableLayout::journal() const {
  return folder / (".da-publish-" + single_file.stem().string() + ".json");
}

TableLayout table_layout(const fs::path& data_dir, const std::string& folder,
                         const catalog::TableConfig& table) {
  TableLayout layout;
  layout.folder = data_dir / "parquet" / folder;
  layout.single_file = layout.folder / (table.name + ".parquet");
  layout.partition_dir = layout.folder / table.name;
  layout.partitioned = table.is_partitioned();
  return layout;
}

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

std::string table_key(const std::string& table_id) {
  std::string key;
  for (char c : table_id) {
    bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    key += safe ? c : '_';
  }
  return key;
}

}  // namespace da::sync
