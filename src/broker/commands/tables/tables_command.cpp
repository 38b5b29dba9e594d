// da tables ...: the table registry, which generates data_description.md.
#include <cstdlib>
#include <iostream>
#include <iterator>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/catalog/data_description.hpp"
#include "da/accounts/sync_filters.hpp"
#include "da/cli/command_context.hpp"
#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/module/module_registry.hpp"
#include "da/registry/table_registry.hpp"
#include "da/store/state_store.hpp"
#include "da/sync/data_source_registry.hpp"

namespace da::commands::tables {

namespace {

using Json = nlohmann::ordered_json;
using registry::TableRegistry;

// The state store and the registry in it, for one command.
class Session {
 public:
  explicit Session(cli::CommandContext& context)
      : context_(context), store_(context.config().paths.state_db), registry_(store_.database()) {}
  TableRegistry& registry() { return registry_; }
  // data_description.md follows every change.
  void regenerate() {
    registry::write_data_description(registry_.snapshot(), context_.config().paths.docs_dir);
    accounts::refresh_sync_filters(context_.config());
  }

 private:
  cli::CommandContext& context_;
  store::StateStore store_;
  TableRegistry registry_;
};

std::string actor(const cli::Arguments& arguments) {
  if (arguments.has("by")) return arguments.value("by");
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr ? user : "unknown");
}

std::optional<int64_t> expected_version(const cli::Arguments& arguments) {
  if (!arguments.has("expect-version")) return std::nullopt;
  return arguments.integer("expect-version");
}

void report_change(cli::CommandContext& context, const std::string& what, int64_t version) {
  if (context.json()) {
    context.print(Json{{"ok", true}, {"version", version}}.dump() + "\n");
  } else {
    context.print(fmt::format("{} (registry version {}); {} regenerated\n", what, version,
                              (context.config().paths.docs_dir / "data_description.md").string()));
  }
}

std::vector<cli::OptionSpec> change_options(std::vector<cli::OptionSpec> options) {
  options.push_back(
      cli::value_option("--by", "Who makes the change, for the audit trail (default: cli:$USER)"));
  options.push_back(
      cli::value_option("--expect-version", "Fail if the registry is not at this version"));
  return options;
}

int list(cli::CommandContext& context, const cli::Arguments&) {
  Session session(context);
  registry::RegistrySnapshot snapshot = session.registry().snapshot();
  catalog::DataDescription description = snapshot.description();
  if (context.json()) {
    Json tables = Json::array();
    for (const auto& entry : snapshot.tables) {
      tables.push_back({{"id", entry.table.id},
                        {"name", entry.table.name},
                        {"folder", description.folder_of(entry.table)},
                        {"sync_strategy", catalog::to_string(entry.table.strategy)},
                        {"description", entry.table.description},
                        {"registered_by", entry.registered_by}});
    }
    context.print(Json{{"version", snapshot.version},
                       {"tables", tables},
                       {"folder_mapping", snapshot.folder_mapping}}
                      .dump(2) +
                  "\n");
    return cli::ExitCode::kSuccess;
  }
  if (snapshot.version == 0) {
    context.print(
        "The registry is empty: tables come from the hand-written data_description.md. "
        "'da tables import <file>' brings them under the registry.\n");
    return cli::ExitCode::kSuccess;
  }
  std::string text;
  for (const auto& entry : snapshot.tables) {
    text += fmt::format("{:<36} {:<24} {:<14} {}\n", entry.table.id,
                        description.folder_of(entry.table) + "/" + entry.table.name,
                        catalog::to_string(entry.table.strategy), entry.table.description);
  }
  text +=
      fmt::format("{} table(s), registry version {}\n", snapshot.tables.size(), snapshot.version);
  context.print(text);
  return cli::ExitCode::kSuccess;
}

int show(cli::CommandContext& context, const cli::Arguments& arguments) {
  Session session(context);
  registry::RegistrySnapshot snapshot = session.registry().snapshot();
  const registry::RegisteredTable* entry = snapshot.find(arguments.value("id"));
  if (entry == nullptr)
    throw Error(ErrorKind::kNotFound, "table '" + arguments.value("id") + "' is not registered");
  if (context.json()) {
    context.print(Json{{"id", entry->table.id},
                       {"definition", entry->definition},
                       {"registered_at", entry->registered_at},
                       {"registered_by", entry->registered_by},
                       {"updated_at", entry->updated_at ? Json(*entry->updated_at) : Json()},
                       {"updated_by", entry->updated_by ? Json(*entry->updated_by) : Json()},
                       {"version", snapshot.version}}
                      .dump(2) +
                  "\n");
    return cli::ExitCode::kSuccess;
  }
  context.print(
      fmt::format("# registered {} by {}{}\n{}", entry->registered_at, entry->registered_by,
                  entry->updated_at
                      ? ", updated " + *entry->updated_at + " by " + entry->updated_by.value_or("")
                      : "",
                  entry->definition));
  return cli::ExitCode::kSuccess;
}

std::string read_input(const std::string& file) {
  if (file == "-")
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  return read_file(file);
}

int register_table(cli::CommandContext& context, const cli::Arguments& arguments) {
  std::string file = arguments.value("file");
  Session session(context);
  int64_t version =
      session.registry().register_table(read_input(file), file == "-" ? "stdin" : file,
                                        actor(arguments), expected_version(arguments));
  session.regenerate();
  report_change(context, "registered", version);
  return cli::ExitCode::kSuccess;
}

int update(cli::CommandContext& context, const cli::Arguments& arguments) {
  std::vector<registry::FieldChange> changes;
  for (const std::string& assignment : arguments.values("set")) {
    size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw Error(ErrorKind::kConfig, "--set " + assignment + ": expected FIELD=VALUE");
    }
    changes.push_back({assignment.substr(0, equals), assignment.substr(equals + 1)});
  }
  for (const std::string& field : arguments.values("unset"))
    changes.push_back({field, std::nullopt});
  Session session(context);
  int64_t version = session.registry().update_table(arguments.value("id"), changes,
                                                    actor(arguments), expected_version(arguments));
  session.regenerate();
  report_change(context, "updated " + arguments.value("id"), version);
  return cli::ExitCode::kSuccess;
}

int unregister(cli::CommandContext& context, const cli::Arguments& arguments) {
  Session session(context);
  int64_t version = session.registry().unregister_table(arguments.value("id"), actor(arguments),
                                                        expected_version(arguments));
  session.regenerate();
  report_change(context, "unregistered " + arguments.value("id"), version);
  return cli::ExitCode::kSuccess;
}

int map_folder(cli::CommandContext& context, const cli::Arguments& arguments) {
  Session session(context);
  int64_t version =
      session.registry().map_folder(arguments.value("bucket"), arguments.value("folder"),
                                    actor(arguments), expected_version(arguments));
  session.regenerate();
  report_change(context, "mapped " + arguments.value("bucket") + " to " + arguments.value("folder"),
                version);
  return cli::ExitCode::kSuccess;
}

int unmap_folder(cli::CommandContext& context, const cli::Arguments& arguments) {
  Session session(context);
  int64_t version = session.registry().unmap_folder(arguments.value("bucket"), actor(arguments),
                                                    expected_version(arguments));
  session.regenerate();
  report_change(context, "removed the folder mapping of " + arguments.value("bucket"), version);
  return cli::ExitCode::kSuccess;
}

int import(cli::CommandContext& context, const cli::Arguments& arguments) {
  std::string file = arguments.value("file");
  catalog::DataDescriptionLoad load = catalog::parse_data_description({{file, read_file(file)}});
  load.diagnostics.throw_if_errors("invalid table catalog " + file);
  Session session(context);
  int64_t version = session.registry().import(load.description, file, actor(arguments),
                                              arguments.flag("replace"));
  session.regenerate();
  report_change(context,
                fmt::format("imported {} table(s) from {}", load.description.tables.size(), file),
                version);
  return cli::ExitCode::kSuccess;
}

int audit(cli::CommandContext& context, const cli::Arguments& arguments) {
  Session session(context);
  std::optional<std::string> table;
  if (arguments.has("table")) table = arguments.value("table");
  auto entries = session.registry().audit(table, static_cast<int>(arguments.integer("limit")));
  if (context.json()) {
    Json list = Json::array();
    for (const auto& e : entries) {
      list.push_back({{"id", e.id},
                      {"at", e.at},
                      {"actor", e.actor},
                      {"action", e.action},
                      {"table_id", e.table_id ? Json(*e.table_id) : Json()},
                      {"before", e.before ? Json(*e.before) : Json()},
                      {"after", e.after ? Json(*e.after) : Json()},
                      {"version", e.version}});
    }
    context.print(list.dump(2) + "\n");
    return cli::ExitCode::kSuccess;
  }
  std::string text;
  for (const auto& e : entries) {
    text += fmt::format("{}  v{:<4} {:<13} {:<36} by {}\n", e.at, e.version, e.action,
                        e.table_id.value_or("-"), e.actor);
  }
  context.print(text.empty() ? "no changes recorded\n" : text);
  return cli::ExitCode::kSuccess;
}

int discover(cli::CommandContext& context, const cli::Arguments&) {
  const config::InstanceConfig& config = context.config();
  std::unique_ptr<sync::DataSource> source = context.modules().data_sources.create(config);
  Session session(context);
  registry::RegistrySnapshot snapshot = session.registry().snapshot();
  auto registered = [&](const sync::DiscoveredTable& table) {
    return std::any_of(snapshot.tables.begin(), snapshot.tables.end(),
                       [&](const registry::RegisteredTable& entry) {
                         return entry.table.id == table.id || entry.table.name == table.name;
                       });
  };
  std::vector<sync::DiscoveredTable> tables = source->discover_tables();
  if (context.json()) {
    Json list = Json::array();
    for (const auto& table : tables) {
      Json columns = Json::array();
      for (const auto& column : table.columns)
        columns.push_back({{"name", column.name}, {"type", column.type}});
      list.push_back({{"id", table.id},
                      {"name", table.name},
                      {"registered", registered(table)},
                      {"rows", table.row_count},
                      {"bytes", table.size_bytes},
                      {"location", table.location},
                      {"columns", columns}});
    }
    context.print(list.dump(2) + "\n");
    return cli::ExitCode::kSuccess;
  }
  std::string text;
  for (const auto& table : tables) {
    text += fmt::format("{:<12} {:<30} {:>10} rows {:>3} columns  {}\n",
                        registered(table) ? "registered" : "new", table.id, table.row_count,
                        table.columns.size(), table.location);
  }
  text += fmt::format("{} table(s) in {}\n", tables.size(), source->name());
  context.print(text);
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  auto& commands = registry.commands;
  commands.describe_group("tables", "The table registry, which generates data_description.md");
  commands.add({"tables list", "List the registered tables", {}, list});
  commands.add({"tables show",
                "Show a table's definition",
                {cli::positional("ID", "Table id", true)},
                show});
  commands.add({"tables register",
                "Register a table from a YAML mapping (a file, or - for standard input)",
                change_options({cli::positional(
                    "FILE", "YAML file with one table: id, name, sync_strategy, ...", true)}),
                register_table});
  commands.add({"tables update", "Change fields of a table: --set field=YAML value, --unset field",
                change_options({cli::positional("ID", "Table id", true),
                                cli::value_list_option(
                                    "--set", "FIELD=VALUE (VALUE is YAML: 7, [a, b], text)"),
                                cli::value_list_option("--unset", "FIELD to remove")}),
                update});
  commands.add({"tables unregister", "Remove a table from the registry",
                change_options({cli::positional("ID", "Table id", true)}), unregister});
  commands.add({"tables map", "Set the Parquet folder of a source bucket",
                change_options({cli::positional(
                                    "BUCKET", "Bucket id (a table id without its last part)", true),
                                cli::positional("FOLDER", "Folder name", true)}),
                map_folder});
  commands.add({"tables unmap", "Remove the folder mapping of a bucket",
                change_options({cli::positional("BUCKET", "Bucket id", true)}), unmap_folder});
  commands.add({"tables import",
                "Take the tables of a hand-written data_description.md into the registry",
                change_options({cli::positional("FILE", "data_description.md", true),
                                cli::flag("--replace", "Replace the tables already registered")}),
                import});
  commands.add({"tables audit",
                "The change history of the registry, newest first",
                {cli::value_option("--table", "Only this table (or bucket)"),
                 cli::value_option("--limit", "Entries at most", "50")},
                audit});
  commands.add({"tables discover",
                "What the configured source offers, marked registered or new",
                {},
                discover});
}

}  // namespace da::commands::tables
