#include "sample_parquet.hpp"

#include "da/catalog/data_description.hpp"
#include "da/common/strings.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sample_data {

void write_sample_parquet(const SampleResult& result, const std::filesystem::path& csv_folder,
                          const std::filesystem::path& folder) {
  catalog::DataDescriptionLoad catalog =
      catalog::parse_data_description({{"data_description.md", sample_data_description()}});
  std::filesystem::create_directories(folder);
  duck::Database database;
  duck::Connection connection(database);
  for (const auto& table : result.tables) {
    std::vector<std::string> types;
    for (const catalog::TableConfig& config : catalog.description.tables) {
      if (config.name != table.name) continue;
      for (const catalog::ColumnSpec& column : config.columns) {
        types.push_back(duck::quote_literal(column.name) + ": " + duck::quote_literal(column.type));
      }
    }
    connection.execute("COPY (SELECT * FROM read_csv(" +
                       duck::quote_path(csv_folder / (table.name + ".csv")) +
                       ", header = true, skip = 0, types = {" + join(types, ", ") + "})) TO " +
                       duck::quote_path(folder / (table.name + ".parquet")) +
                       " (FORMAT parquet, COMPRESSION zstd)");
  }
}

}  // namespace da::sample_data
