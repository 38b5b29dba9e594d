#include "parquet_sql.hpp"

#include "da/common/strings.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sync::table_sync {

namespace fs = std::filesystem;

std::string identifiers(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const std::string& name : names)
    quoted.push_back(duck::quote_identifier(name));
  return join(quoted, ", ");
}

std::string files_list(const std::vector<fs::path>& files) {
  std::vector<std::string> quoted;
  for (const fs::path& file : files)
    quoted.push_back(duck::quote_path(file));
  return "[" + join(quoted, ", ") + "]";
}

std::string parquet_sql(const std::vector<fs::path>& files) {
  return "read_parquet(" + files_list(files) + ", union_by_name = true)";
}

std::string parquet_sql(const fs::path& file) {
  return parquet_sql(std::vector<fs::path>{file});
}

std::string copy_to_parquet_sql(const std::string& select, const fs::path& output,
                                const std::string& copy_options) {
  return "COPY (" + select + ") TO " + duck::quote_path(output) + " (FORMAT parquet" +
         copy_options + ")";
}

TableSchema describe(duck::Connection& connection, const std::string& relation) {
  TableSchema schema;
  for (const auto& row : connection.query("DESCRIBE SELECT * FROM " + relation).fetch_all()) {
    schema.columns.push_back({row[0].text(), row[1].text()});
  }
  return schema;
}

std::set<std::string> distinct_strings(duck::Connection& connection, const std::string& sql) {
  std::set<std::string> values;
  for (const auto& row : connection.query(sql).fetch_all())
    values.insert(row[0].text());
  return values;
}

}  // namespace da::sync::table_sync
