// da query SQL: SQL over the published Parquet, tables named as in the catalog.
#include "da/catalog/data_description.hpp"
#include "da/cli/command_context.hpp"
#include "da/cli/result_table.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/plugin/plugin_registry.hpp"
#include "da/sync/published_views.hpp"

namespace da::commands::query {

namespace {

int run_query(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  catalog::DataDescription catalog = catalog::load_data_description_or_throw(config.paths.docs_dir);
  sync::PublishedTables published(config, catalog);
  size_t limit = static_cast<size_t>(arguments.integer("limit"));
  duck::Result result = published.connection().query(arguments.value("sql"));
  context.print(context.json() ? cli::format_json(result, limit)
                               : cli::format_text_table(result, limit));
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_plugin(PluginRegistry& registry) {
  registry.commands.add({
      "query",
      "Run SQL over the published tables (views named like the catalog's tables, or folder.table)",
      {cli::positional("SQL", "The query", true),
       cli::value_option("--limit", "Rows to print at most", "100")},
      run_query,
  });
}

}  // namespace da::commands::query
