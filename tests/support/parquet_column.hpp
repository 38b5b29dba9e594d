// Reading back what a test published: one column of every Parquet file in a folder (a
// partitioned table's folder), through DuckDB, for row-by-row comparisons.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::testing {

// The values of `column` (as text, NULL as "NULL") over every *.parquet file of `folder`, sorted,
// duplicates kept unless `distinct`; empty when the folder does not exist.
inline std::vector<std::string> parquet_column(const std::filesystem::path& folder,
                                               const std::string& column, bool distinct = false) {
  if (!std::filesystem::exists(folder)) return {};
  duck::Database database;
  duck::Connection connection(database);
  std::vector<std::string> values;
  for (const auto& row :
       connection
           .query(std::string("SELECT ") + (distinct ? "DISTINCT " : "") +
                  duck::quote_identifier(column) + "::VARCHAR FROM read_parquet(" +
                  duck::quote_path(folder / "*.parquet") + ") ORDER BY 1")
           .fetch_all())
    values.push_back(row[0].to_string());
  return values;
}

}  // namespace da::testing
