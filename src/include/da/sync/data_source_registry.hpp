// Connectors by name. Each connector folder registers a factory in its register_module(), and
// with it what `da init` asks and writes to set the connector up.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "da/config/diagnostics.hpp"
#include "da/config/instance_config.hpp"
#include "da/config/node_reader.hpp"
#include "da/sync/data_source.hpp"
#include "da/sync/source_setup.hpp"

namespace da::sync {

// What a factory gets: the whole configuration and a reader of its own section
// (data_source.<type>), whose problems it reports through the reader.
struct SourceContext {
  const config::InstanceConfig& config;
  const config::NodeReader& settings;
};

using DataSourceFactory = std::function<std::unique_ptr<DataSource>(const SourceContext&)>;

class DataSourceRegistry {
 public:
  // A connector without a setup is not offered by `da init`.
  void add(std::string type, DataSourceFactory factory,
           std::optional<SourceSetup> setup = std::nullopt);

  // The connector named by data_source.type, with its settings validated. Throws
  // Error(kConfig) "Unknown data source: 'x'. Available connectors: csv, ..." or listing
  // every problem of the connector's settings.
  std::unique_ptr<DataSource> create(const config::InstanceConfig& config) const;
  // Validates data_source.<type> without keeping the connector; problems go to `diagnostics`.
  void check(const config::InstanceConfig& config, config::Diagnostics& diagnostics) const;

  std::vector<std::string> types() const;
  // The connectors `da init` can set up, in registration order.
  std::vector<std::pair<std::string, const SourceSetup*>> setups() const;
  // The setup of `type`, or nullptr.
  const SourceSetup* setup(const std::string& type) const;

 private:
  struct Entry {
    std::string type;
    DataSourceFactory factory;
    std::optional<SourceSetup> setup;
  };
  std::unique_ptr<DataSource> build(const config::InstanceConfig& config,
                                    config::Diagnostics& diagnostics) const;
  std::vector<Entry> entries_;
};

}  // namespace da::sync
