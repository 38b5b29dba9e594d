#include "da/sync/data_source_registry.hpp"

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::sync {

void DataSourceRegistry::add(std::string type, DataSourceFactory factory,
                             std::optional<SourceSetup> setup) {
  for (const Entry& entry : entries_) {
    if (entry.type == type)
      throw Error(ErrorKind::kInternal, "two connectors register the type '" + type + "'");
  }
  entries_.push_back({std::move(type), std::move(factory), std::move(setup)});
}

std::vector<std::string> DataSourceRegistry::types() const {
  std::vector<std::string> names;
  for (const Entry& entry : entries_)
    names.push_back(entry.type);
  return names;
}

std::vector<std::pair<std::string, const SourceSetup*>> DataSourceRegistry::setups() const {
  std::vector<std::pair<std::string, const SourceSetup*>> result;
  for (const Entry& entry : entries_) {
    if (entry.setup) result.emplace_back(entry.type, &*entry.setup);
  }
  return result;
}

const SourceSetup* DataSourceRegistry::setup(const std::string& type) const {
  for (const Entry& entry : entries_) {
    if (entry.type == type && entry.setup) return &*entry.setup;
  }
  return nullptr;
}

std::unique_ptr<DataSource> DataSourceRegistry::build(const config::InstanceConfig& config,
                                                      config::Diagnostics& diagnostics) const {
  const std::string& type = config.data_source.type;
  for (const Entry& entry : entries_) {
    if (entry.type != type) continue;
    config::NodeReader settings(&config.data_source.settings, "data_source." + type,
                                config.data_source.file, diagnostics);
    return entry.factory(SourceContext{config, settings});
  }
  std::string available = entries_.empty() ? "none" : join(types(), ", ");
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
