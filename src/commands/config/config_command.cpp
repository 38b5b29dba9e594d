// da config check: every problem of instance.yaml and the table catalog, at once.
#include <nlohmann/json.hpp>

#include "da/catalog/data_description.hpp"
#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/config/instance_config_loader.hpp"
#include "da/metrics/metric_catalog.hpp"
#include "da/plugin/plugin_registry.hpp"

namespace da::commands::config {

namespace {

using da::config::Diagnostic;
using da::config::Diagnostics;

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
    da::config::ConfigLoadResult loaded =
        da::config::load_instance_config(context.config_dir(), context.env());
    diagnostics.append(loaded.diagnostics);
    if (scope == "all" || scope == "portal") {
      da::config::check_web_portal_requirements(loaded.config, diagnostics);
      context.plugins().auth_providers.check(loaded.config, diagnostics);
    }
    if (scope == "all" || scope == "engine") {
      context.plugins().data_sources.check(loaded.config, diagnostics);
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

}  // namespace

void register_plugin(PluginRegistry& registry) {
  registry.commands.describe_group("config", "Check the instance configuration");
  registry.commands.add({
      "config check",
      "Report every problem in instance.yaml, the table catalog and the metric files (exit 2 if "
      "any is an error)",
      {cli::value_option("--for", "What to check: all, engine (sync) or portal (web)", "all",
                         {"all", "engine", "portal"})},
      check,
  });
}

}  // namespace da::commands::config
