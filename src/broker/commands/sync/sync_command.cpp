// da sync [TABLE ...]: sync the catalog's tables from the configured source.
#include <cerrno>
#include <cstring>
#include <fstream>

#include "sync_job.hpp"
#include "sync_report_output.hpp"
#include <nlohmann/json.hpp>

#include "da/catalog/data_description.hpp"
#include "da/cli/command_context.hpp"
#include "da/cli/termination_signals.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/catalog_bundle/catalog_bundle.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/module/module_registry.hpp"
#include "da/profiler/profiler.hpp"
#include "da/store/state_store.hpp"
#include "da/sync/data_source_registry.hpp"
#include "da/sync/sync_runner.hpp"

namespace da::commands::sync {

namespace {

// Tables whose published data this run changed: they get new profiles.
std::vector<std::string> changed_tables(const da::sync::SyncReport& report) {
  std::vector<std::string> changed;
  for (const da::sync::TableOutcome& table : report.tables) {
    if (table.succeeded && (table.result.rows_read > 0 || table.result.partitions_written > 0)) {
      changed.push_back(table.table_id);
    }
  }
  return changed;
}

// Everything a sync needs, tried without syncing anything: the catalog reads, the state store
// opens (and migrates), DuckDB runs, the data folder takes files and the source answers. A
// deployment runs it as its health check.
int check_sync(cli::CommandContext& context, const config::InstanceConfig& config,
               const catalog::DataDescription& catalog, da::sync::DataSource& source) {
  std::vector<std::string> lines;
  lines.push_back(std::to_string(catalog.tables.size()) + " tables in the catalog");
  store::StateStore store(config.paths.state_db);
  lines.push_back("state store " + config.paths.state_db.string() + " opens");
  duck::Database database;
  duck::Connection(database).execute("SELECT 1");
  lines.push_back("DuckDB " + duck::Database::library_version() + " runs");
  std::filesystem::create_directories(config.paths.data_dir);
  std::filesystem::path probe = config.paths.data_dir / ".da-sync-check.tmp";
  if (!(std::ofstream(probe) << "check\n"))
    throw Error(ErrorKind::kInternal, "cannot write in the data folder " +
                                          config.paths.data_dir.string() + ": " +
                                          std::strerror(errno));
  std::filesystem::remove(probe);
  lines.push_back("data folder " + config.paths.data_dir.string() + " is writable");
  lines.push_back("source: " + source.check_connection());
  if (context.json()) {
    context.print(nlohmann::json{{"ok", true}, {"checks", lines}}.dump() + "\n");
  } else {
    std::string text;
    for (const std::string& line : lines)
      text += "ok: " + line + "\n";
    context.print(text);
  }
  return cli::ExitCode::kSuccess;
}

int run_sync(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  catalog::DataDescription catalog = catalog::load_data_description_or_throw(config.paths.docs_dir);
  std::unique_ptr<da::sync::DataSource> source = context.modules().data_sources.create(config);
  if (arguments.flag("check")) return check_sync(context, config, catalog, *source);
  da::sync::SyncRunner runner(config, catalog, *source);
  da::sync::SyncOptions options;
  options.table_ids = arguments.values("table");
  options.show_progress = !context.json() && log::level() <= log::Level::kInfo;
  da::sync::SyncReport report;
  {
    // SIGINT and SIGTERM cancel the run: queries stop, nothing is half-published.
    cli::OnTerminationSignal cancel_on_signal([&runner](int signal) {
      log::warn("signal {} received: stopping the sync", signal);
      runner.cancel();
    });
    report = runner.run(options);
  }
  std::optional<profiler::ProfileReport> profile;
  std::vector<std::string> changed = changed_tables(report);
  if (!changed.empty() && !report.interrupted && !arguments.flag("no-profile")) {
    profile = profiler::Profiler(config, catalog).run(changed);
    for (const std::string& error : profile->errors)
      log::warn("profile: {}", error);
  }
  if (!report.interrupted) {
    try {
      catalog_bundle::build_catalog_bundle(config, catalog);
    } catch (const Error& e) {
      log::warn("the documentation bundle was not rebuilt: {}", e.what());
    }
  }
  context.print(context.json() ? format_report_json(report, profile)
                               : format_report_text(report, profile));
  return report.succeeded() ? cli::ExitCode::kSuccess : cli::ExitCode::kFailure;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.commands.add({
      "sync",
      "Sync tables from the data source into Parquet (all, or the TABLE ids or names given)",
      {cli::positional_list("TABLE",
                            "Table ids (or names) to sync; default: every table of the catalog"),
       cli::flag("--no-profile", "Do not profile the tables the run changed"),
       cli::flag("--check",
                 "Sync nothing: check that the catalog, state store, DuckDB, data folder and "
                 "source all work (a deployment's health check)")},
      run_sync,
  });
  register_sync_job(registry);
}

}  // namespace da::commands::sync
