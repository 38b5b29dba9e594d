#include "csv_setup.hpp"
#include "csv_source.hpp"

#include "da/module/module_registry.hpp"
#include "da/sync/data_source_registry.hpp"

namespace da::connectors::csv {

void register_module(ModuleRegistry& registry) {
  registry.data_sources.add(
      "csv",
      [](const sync::SourceContext& context) -> std::unique_ptr<sync::DataSource> {
        return std::make_unique<CsvSource>(read_csv_settings(context.config, context.settings));
      },
      csv_setup());
}

}  // namespace da::connectors::csv
