#include "da/published/published_views.hpp"

#include <map>

#include "da/duck/sql_quote.hpp"
#include "da/published/published_files.hpp"
#include "da/published/table_location.hpp"

namespace da::published {

namespace fs = std::filesystem;
using duck::quote_identifier;

std::vector<PublishedView> published_views(const fs::path& data_dir,
                                           const catalog::DataDescription& catalog) {
  std::map<std::string, int> name_uses;
  for (const catalog::TableConfig& table : catalog.tables)
    ++name_uses[table.name];
  std::vector<PublishedView> views;
  for (const catalog::TableConfig& table : catalog.tables) {
    TableLocation location = table_location(data_dir, catalog, table);
    std::string source;
    fs::path path;
    switch (published_form(location)) {
      case PublishedForm::kPartitions:
        path = location.partition_dir;
        source = duck::quote_path(location.partition_dir / "*.parquet");
        break;
      case PublishedForm::kSingleFile:
        path = location.single_file;
        source = duck::quote_path(location.single_file);
        break;
      case PublishedForm::kNone:
        continue;
    }
    std::string relation = "SELECT * FROM read_parquet(" + source + ", union_by_name = true)";
    views.push_back({catalog.folder_of(table), table.name, table.id, source, relation, path});
    if (name_uses[table.name] == 1)
      views.push_back({"main", table.name, table.id, source, relation, path});
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

}  // namespace da::published
