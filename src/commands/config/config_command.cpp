// da config check: every problem of instance.yaml and the table catalog, at once.
// da config is-set / get: single keys of instance.yaml, for scripts (setup.sh enables the
// systemd units whose X-DA-Enable-When= key is set).
#include <nlohmann/json.hpp>

#include "da/catalog/data_description.hpp"
#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/config/instance_config_loader.hpp"
#include "da/metrics/metric_catalog.hpp"
#include "da/module/module_registry.hpp"
#include "da/sync/data_source_registry.hpp"
#include "da/web/auth_provider.hpp"

namespace da::commands::config {

namespace {

using da::config::Diagnostic;
using da::config::Diagnostics;
using da::config::YamlNode;

nlohmann::json to_json(const std::vector<Diagnostic>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const Diagnostic& item : items) {
    list.push_back(
        {{"file", item.file}, {"line", item.line}, {"path", item.path}, {"message", item.message}});
  }
  return list;
}

void print_text(cli::CommandContext& context, const Diagnostics& diagnostics, size_t tables) {
  std::string text;
  for (const Diagnostic& item : diagnostics.all()) {
    text += (item.severity == Diagnostic::Severity::kError ? "error: " : "warning: ") +
            item.format() + "\n";
  }
  size_t errors = diagnostics.errors().size();
  size_t warnings = diagnostics.warnings().size();
  text += errors == 0 ? "configuration OK"
                      : "configuration has " + std::to_string(errors) + " error(s)";
  text += " (" + std::to_string(warnings) + " warning(s), " + std::to_string(tables) + " tables)\n";
  context.print(text);
}

int check(cli::CommandContext& context, const cli::Arguments& arguments) {
  std::string scope = arguments.value("for");
  Diagnostics diagnostics;
  size_t tables = 0;
  std::string config_file = (context.config_dir() / "instance.yaml").string();
  try {
    da::config::ConfigLoadResult loaded = da::config::load_instance_config(
        context.config_dir(), context.env(), &context.modules().config_sections);
    diagnostics.append(loaded.diagnostics);
    if (scope == "all" || scope == "portal") {
      da::config::check_web_portal_requirements(loaded.config, diagnostics);
      context.modules().auth_providers.check(loaded.config, diagnostics);
    }
    if (scope == "all" || scope == "engine") {
      context.modules().data_sources.check(loaded.config, diagnostics);
      catalog::DataDescriptionLoad catalog =
          catalog::load_data_description(loaded.config.paths.docs_dir);
      diagnostics.append(catalog.diagnostics);
      tables = catalog.description.tables.size();
      diagnostics.append(
          da::metrics::load_metrics(loaded.config.paths.docs_dir / "metrics").diagnostics);
    }
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kConfig && e.kind() != ErrorKind::kNotFound) throw;
    diagnostics.error("", 0, "", e.what());
  }
  if (context.json()) {
    nlohmann::json report = {{"ok", !diagnostics.has_errors()},
                             {"config_file", config_file},
                             {"tables", tables},
                             {"errors", to_json(diagnostics.errors())},
                             {"warnings", to_json(diagnostics.warnings())}};
    context.print(report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  } else {
    print_text(context, diagnostics, tables);
  }
  return diagnostics.has_errors() ? cli::ExitCode::kUsage : cli::ExitCode::kSuccess;
}

// instance.yaml, read and checked; a missing or invalid file is Error(kConfig) (exit 2).
da::config::ConfigLoadResult load_checked(cli::CommandContext& context) {
  try {
    da::config::ConfigLoadResult loaded = da::config::load_instance_config(
        context.config_dir(), context.env(), &context.modules().config_sections);
    loaded.diagnostics.throw_if_errors("invalid configuration " +
                                       loaded.config.source_file.string());
    return loaded;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotFound) throw Error(ErrorKind::kConfig, e.what());
    throw;
  }
}

// Set means something to act on: not absent, empty, null, false/no/off or an empty list.
bool holds_value(const YamlNode* node) {
  if (!node) return false;
  switch (node->kind) {
    case YamlNode::Kind::kNull:
      return false;
    case YamlNode::Kind::kScalar: {
      std::string value = to_lower(trim(node->scalar));
      return !value.empty() && value != "false" && value != "no" && value != "off";
    }
    case YamlNode::Kind::kSequence:
      return !node->items.empty();
    case YamlNode::Kind::kMap:
      return !node->entries.empty();
  }
  return false;
}

int is_set(cli::CommandContext& context, const cli::Arguments& arguments) {
  if (arguments.values("key").empty())
    throw Error(ErrorKind::kConfig,
                "name at least one KEY, e.g. da config is-set telegram.bot_token");
  da::config::ConfigLoadResult loaded = load_checked(context);
  for (const std::string& argument : arguments.values("key"))
    for (const std::string& key : split_trimmed(argument, ' '))
      if (holds_value(da::config::find_path(loaded.document, key))) return cli::ExitCode::kSuccess;
  return cli::ExitCode::kFailure;
}

int get(cli::CommandContext& context, const cli::Arguments& arguments) {
  da::config::ConfigLoadResult loaded = load_checked(context);
  std::string key = arguments.value("key");
  const YamlNode* node = da::config::find_path(loaded.document, key);
  std::string file = loaded.config.source_file.string();
  if (!node || node->is_null()) throw Error(ErrorKind::kNotFound, key + " is not set in " + file);
  if (node->is_map()) {
    std::vector<std::string> keys;
    for (const auto& [name, value] : node->entries)
      keys.push_back(key + "." + name);
    throw Error(ErrorKind::kConfig,
                key + " in " + file + " is a mapping: ask for one of " + join(keys, ", "));
  }
  std::string text;
  if (node->is_scalar()) text = node->scalar + "\n";
  for (size_t i = 0; i < node->items.size(); ++i) {
    const YamlNode& item = node->items[i];
    if (!item.is_scalar() && !item.is_null())
      throw Error(ErrorKind::kConfig, key + "." + std::to_string(i) + " (" + file + ":" +
                                          std::to_string(item.line) + ") is a " +
                                          da::config::kind_name(item.kind) + ", not a value");
    text += item.scalar + "\n";
  }
  context.print(text);
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.commands.describe_group("config", "Check and read the instance configuration");
  registry.commands.add({
      "config check",
      "Report every problem in instance.yaml, the table catalog and the metric files (exit 2 if "
      "any is an error)",
      {cli::value_option("--for", "What to check: all, engine (sync) or portal (web)", "all",
                         {"all", "engine", "portal"})},
      check,
  });
  registry.commands.add({
      "config is-set",
      "Exit 0 if any KEY (dotted, e.g. telegram.bot_token) holds a value in instance.yaml after "
      "${VAR} interpolation and .env: not empty, false, no or off; 1 if none does; 2 if the "
      "configuration is missing or invalid",
      {cli::positional_list("KEY",
                            "Dotted keys; an argument may hold several, separated by "
                            "spaces (X-DA-Enable-When= lines of the systemd units)")},
      is_set,
  });
  registry.commands.add({
      "config get",
      "Print KEY's value from instance.yaml after interpolation (a list one item per line; "
      "defaults are not filled in and secrets print as ***); exit 1 if it is not set",
      {cli::positional("KEY", "Dotted key, e.g. server.listen", true)},
      get,
  });
}

}  // namespace da::commands::config
