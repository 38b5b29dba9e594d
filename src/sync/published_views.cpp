#include "da/sync/published_views.hpp"

#include <map>

#include "da/duck/sql_quote.hpp"
#include "da/sync/table_layout.hpp"

namespace da::sync {

namespace fs = std::filesystem;
using duck::quote_identifier;

namespace {

// A glob over an empty folder fails when the view is queried, not when it is made.
bool has_parquet_files(const fs::path& folder) {
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".parquet") return true;
  }
  return false;
}

}  // namespace

std::vector<PublishedView> published_views(const fs::path& data_dir,
                                           const catalog::DataDescription& catalog) {
  std::map<std::string, int> name_uses;
  for (const catalog::TableConfig& table : catalog.tables)
    ++name_uses[table.name];
  std::vector<PublishedView> views;
  for (const catalog::TableConfig& table : catalog.tables) {
    TableLayout layout = table_layout(data_dir, catalog.folder_of(table), table);
    std::string source;
    fs::path location;
    if (table.is_partitioned() && has_parquet_files(layout.partition_dir)) {
      location = layout.partition_dir;
      source = duck::quote_path(layout.partition_dir / "*.parquet");
    } else if (fs::is_regular_file(layout.single_file)) {
      location = layout.single_file;
      source = duck::quote_path(layout.single_file);
    } else {
      continue;
    }
    std::string relation = "SELECT * FROM read_parquet(" + source + ", union_by_name = true)";
    views.push_back({catalog.folder_of(table), table.name, table.id, source, relation, location});
    if (name_uses[table.name] == 1)
      views.push_back({"main", table.name, table.id, source, relation, location});
  }
  return views;
}

std::vector<std::string> create_published_views(duck::Connection& connection,
                                                const fs::path& data_dir,
                                                const catalog::DataDescription& catalog) {
  std::vector<std::string> names;
  for (const PublishedView& view : published_views(data_dir, catalog)) {
    connection.execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(view.schema));
    connection.execute("CREATE OR REPLACE VIEW " + quote_identifier(view.schema) + "." +
                       quote_identifier(view.name) + " AS " + view.relation);
    names.push_back(view.schema == "main" ? view.name : view.schema + "." + view.name);
  }
  return names;
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
