#include "keboola/adapter/keboola_source.hpp"
#include "keboola/keboola_setup.hpp"

#include "da/common/log.hpp"
#include "da/module/module_registry.hpp"
#include "da/sync/data_source_registry.hpp"

namespace da::connectors::keboola {

void register_module(ModuleRegistry& registry) {
  registry.data_sources.add(
      "keboola",
      [](const sync::SourceContext& context) -> std::unique_ptr<sync::DataSource> {
        KeboolaSettings settings = read_keboola_settings(context.settings);
        log::add_secret(settings.client.token);
        return std::make_unique<KeboolaSource>(std::move(settings), context.config.paths.state_db);
      },
      keboola_setup());
}

}  // namespace da::connectors::keboola
