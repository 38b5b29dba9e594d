#include "da/sync/published_views.hpp"

#include <map>

#include "da/duck/sql_quote.hpp"
#include "da/sync/table_layout.hpp"

namespace da::sync {

namespace fs = std::filesystem;
using duck::quote_identifier;

std::vector<std::string> create_published_views(duck::Connection& connection,
                                                const fs::path& data_dir,
                                                const catalog::DataDescription& catalog) {
  std::map<std::string, int> name_uses;
  for (const catalog::TableConfig& table : catalog.tables)
    ++name_uses[table.name];
  std::vector<std::string> views;
  for (const catalog::TableConfig& table : catalog.tables) {
    TableLayout layout = table_layout(data_dir, catalog.folder_of(table), table);
    std::string source;
    if (table.is_partitioned() && fs::is_directory(layout.partition_dir)) {
      source = duck::quote_path(layout.partition_dir / "*.parquet");
    } else if (fs::is_regular_file(layout.single_file)) {
      source = duck::quote_path(layout.single_file);
    } else {
      continue;
    }
    std::string relation = "SELECT * FROM read_parquet(" + source + ", union_by_name = true)";
    std::string folder = catalog.folder_of(table);
    connection.execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(folder));
    connection.execute("CREATE OR REPLACE VIEW " + quote_identifier(folder) + "." +
                       quote_identifier(table.name) + " AS " + relation);
    views.push_back(folder + "." + table.name);
    if (name_uses[table.name] == 1) {
      connection.execute("CREATE OR REPLACE VIEW main." + quote_identifier(table.name) + " AS " +
                         relation);
      views.push_back(table.name);
    }
  }
  return views;
}

namespace {

duck::DatabaseOptions analysis_options(const config::InstanceConfig& config) {
  duck::DatabaseOptions options;
  options.memory_limit = config.sync.memory_limit;
  options.threads = config.sync.threads;
  return options;
}

}  // namespace

PublishedTables::PublishedTables(const config::InstanceConfig& config,
                                 const catalog::DataDescription& catalog)
    : database_(analysis_options(config)), connection_(database_) {
  create_published_views(connection_, config.paths.data_dir, catalog);
}

}  // namespace da::sync
