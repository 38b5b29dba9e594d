#include "da/sync/data_source_registry.hpp"

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::sync {

void DataSourceRegistry::add(std::string type, DataSourceFactory factory) {
  for (const auto& [existing, unused] : factories_) {
    if (existing == type)
      throw Error(ErrorKind::kInternal, "two connectors register the type '" + type + "'");
  }
  factories_.emplace_back(std::move(type), std::move(factory));
}

std::vector<std::string> DataSourceRegistry::types() const {
  std::vector<std::string> names;
  for (const auto& [type, unused] : factories_)
    names.push_back(type);
  return names;
}

std::unique_ptr<DataSource> DataSourceRegistry::build(const config::InstanceConfig& config,
                                                      config::Diagnostics& diagnostics) const {
  const std::string& type = config.data_source.type;
  for (const auto& [name, factory] : factories_) {
    if (name != type) continue;
    config::NodeReader settings(&config.data_source.settings, "data_source." + type,
                                config.data_source.file, diagnostics);
    return factory(SourceContext{config, settings});
  }
  std::string available = factories_.empty() ? "none" : join(types(), ", ");
  diagnostics.error(config.data_source.file, 0, "data_source.type",
                    "Unknown data source: '" + type + "'. Available connectors: " + available +
                        ". Create connectors/" + type + "/ to add a new one.");
  return nullptr;
}

std::unique_ptr<DataSource> DataSourceRegistry::create(const config::InstanceConfig& config) const {
  config::Diagnostics diagnostics;
  std::unique_ptr<DataSource> source = build(config, diagnostics);
  diagnostics.throw_if_errors("invalid data source configuration");
  return source;
}

void DataSourceRegistry::check(const config::InstanceConfig& config,
                               config::Diagnostics& diagnostics) const {
  build(config, diagnostics);
}

}  // namespace da::sync
