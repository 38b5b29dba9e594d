// da query SQL: SQL over the published Parquet, tables named as in the catalog. On the broker
// it reads the instance's data; in an analyst's workspace (--workspace, or found from the
// current folder when there is no instance configuration) it reads user/duckdb/analytics.duckdb.
#include <filesystem>

#include "da/catalog/data_description.hpp"
#include "da/cli/command_context.hpp"
#include "da/cli/result_table.hpp"
#include "da/common/error.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/module/module_registry.hpp"
#include "da/published/published_views.hpp"
#include "da/workspace/workspace.hpp"

namespace da::commands::query {

namespace {

namespace fs = std::filesystem;

std::string format(cli::CommandContext& context, const cli::Arguments& arguments,
                   duck::Result& result) {
  int64_t limit = arguments.integer("limit");
  size_t rows = limit <= 0 ? SIZE_MAX : static_cast<size_t>(limit);
  std::string style = context.json() ? "json" : arguments.value("format");
  if (style == "json") return cli::format_json(result, rows);
  if (style == "csv") return cli::format_csv(result, rows);
  return cli::format_text_table(result, rows);
}

// The workspace to query: --workspace, else one found from the current folder when this is not
// a broker instance (no instance.yaml). Empty: query the instance.
fs::path workspace_to_query(cli::CommandContext& context, const cli::Arguments& arguments) {
  if (arguments.has("workspace")) return arguments.value("workspace");
  if (fs::exists(context.config_dir() / "instance.yaml")) return {};
  return da::workspace::find_workspace(fs::current_path());
}

int run_query(cli::CommandContext& context, const cli::Arguments& arguments) {
  fs::path workspace = workspace_to_query(context, arguments);
  if (!workspace.empty()) {
    da::workspace::Layout layout = da::workspace::layout_of(workspace);
    if (!fs::exists(layout.database()))
      throw Error(ErrorKind::kConfig, layout.database().string() +
                                          " does not exist: run `da workspace refresh` (or "
                                          "`da pull`) in " +
                                          layout.root.string());
    duck::DatabaseOptions options;
    options.path = layout.database().string();
    options.read_only = true;
    duck::Database database(options);
    duck::Connection connection(database);
    duck::Result result = connection.query(arguments.value("sql"));
    context.print(format(context, arguments, result));
    return cli::ExitCode::kSuccess;
  }
  const config::InstanceConfig& config = context.config();
  catalog::DataDescription catalog = catalog::load_data_description_or_throw(config.paths.docs_dir);
  published::PublishedTables published(config, catalog);
  duck::Result result = published.connection().query(arguments.value("sql"));
  context.print(format(context, arguments, result));
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.commands.add({
      "query",
      "Run SQL over the published tables (views named like the catalog's tables, or folder.table)",
      {cli::positional("SQL", "The query", true),
       cli::value_option("--limit", "Rows to print at most (0: all)", "100"),
       cli::value_option("--format", "Output: an aligned table, CSV or JSON", "table",
                         {"table", "csv", "json"}),
       cli::value_option("--workspace", "Query this analyst workspace's DuckDB instead")},
      run_query,
  });
}

}  // namespace da::commands::query
