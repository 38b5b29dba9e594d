// SQL text for the Parquet files of a sync, and the small queries every step runs on them.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "da/duck/connection.hpp"
#include "da/sync/table_schema.hpp"

namespace da::sync::table_sync {

// "a", "b": quoted column names separated by commas.
std::string identifiers(const std::vector<std::string>& names);
// ['f1', 'f2']: quoted paths as a DuckDB list.
std::string files_list(const std::vector<std::filesystem::path>& files);
// A relation reading `files` (columns matched by name).
std::string parquet_sql(const std::vector<std::filesystem::path>& files);
std::string parquet_sql(const std::filesystem::path& file);
// COPY (<select>) TO <output> as Parquet with the sync's `copy_options`.
std::string copy_to_parquet_sql(const std::string& select, const std::filesystem::path& output,
                                const std::string& copy_options);

// The columns and types of `relation`.
TableSchema describe(duck::Connection& connection, const std::string& relation);
// The first column of every row `sql` returns, as text.
std::set<std::string> distinct_strings(duck::Connection& connection, const std::string& sql);

}  // namespace da::sync::table_sync
