// da profile [TABLE ...]: profile the published tables into metadata/profiles.json.
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/catalog/data_description.hpp"
#include "da/cli/command_context.hpp"
#include "da/common/strings.hpp"
#include "da/module/module_registry.hpp"
#include "da/profiler/profiler.hpp"

namespace da::commands::profile {

namespace {

int run(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  catalog::DataDescription catalog = catalog::load_data_description_or_throw(config.paths.docs_dir);
  profiler::ProfileReport report =
      profiler::Profiler(config, catalog).run(arguments.values("table"));
  if (context.json()) {
    context.print(nlohmann::ordered_json{{"profiled", report.profiled},
                                         {"skipped", report.skipped},
                                         {"errors", report.errors},
                                         {"seconds", report.seconds}}
                      .dump(2) +
                  "\n");
  } else {
    std::string text;
    for (const std::string& error : report.errors)
      text += "FAILED  " + error + "\n";
    if (!report.skipped.empty())
      text += "skipped (no data or not in the catalog): " + join(report.skipped, ", ") + "\n";
    text += fmt::format("{} table(s) profiled, {} failed, {} skipped in {:.1f}s -> {}\n",
                        report.profiled.size(), report.errors.size(), report.skipped.size(),
                        report.seconds,
                        (config.paths.data_dir / "metadata" / "profiles.json").string());
    context.print(text);
  }
  return report.errors.empty() ? cli::ExitCode::kSuccess : cli::ExitCode::kFailure;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.commands.add(
      {"profile",
       "Profile the published tables (all, or the TABLE ids or names given) into "
       "metadata/profiles.json",
       {cli::positional_list("TABLE", "Table ids or names; default: every table of the catalog")},
       run});
}

}  // namespace da::commands::profile
