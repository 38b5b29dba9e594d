// da catalog build (formerly da docs build): regenerate the catalog bundle analysts receive
// with the data.
#include "da/catalog/data_description.hpp"
#include "da/cli/command_context.hpp"
#include "da/catalog_bundle/catalog_bundle.hpp"
#include "da/module/module_registry.hpp"

namespace da::commands::catalog {

namespace {

int build(cli::CommandContext& context, const cli::Arguments&) {
  const config::InstanceConfig& config = context.config();
  da::catalog::DataDescription catalog = da::catalog::load_data_description_or_throw(config.paths.docs_dir);
  da::catalog_bundle::BundleReport report = da::catalog_bundle::build_catalog_bundle(config, catalog);
  std::string text;
  for (const auto& file : report.written)
    text += "wrote " + file.string() + "\n";
  context.print(text);
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.commands.describe_group("catalog",
                                   "The catalog bundle analysts receive with the data");
  registry.commands.add(
      {"catalog build",
       "Regenerate CLAUDE.md, data_profile.md and metrics/index.md in the catalog folder",
       {},
       build});
  // Its name until 0.1: `da docs build`.
  registry.commands.add_alias("docs", "catalog");
}

}  // namespace da::commands::catalog
