// da docs build: regenerate the documentation bundle analysts receive with the data.
#include "da/catalog/data_description.hpp"
#include "da/cli/command_context.hpp"
#include "da/docs/docs_bundle.hpp"
#include "da/plugin/plugin_registry.hpp"

namespace da::commands::docs {

namespace {

int build(cli::CommandContext& context, const cli::Arguments&) {
  const config::InstanceConfig& config = context.config();
  catalog::DataDescription catalog = catalog::load_data_description_or_throw(config.paths.docs_dir);
  da::docs::BundleReport report = da::docs::build_docs_bundle(config, catalog);
  std::string text;
  for (const auto& file : report.written)
    text += "wrote " + file.string() + "\n";
  context.print(text);
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_plugin(PluginRegistry& registry) {
  registry.commands.describe_group("docs",
                                   "The documentation bundle analysts receive with the data");
  registry.commands.add(
      {"docs build",
       "Regenerate CLAUDE.md, data_profile.md and metrics/index.md in the docs folder",
       {},
       build});
}

}  // namespace da::commands::docs
