#include "da/ops/instance_locations.hpp"

namespace da::ops {

InstanceLocations InstanceLocations::of(const config::InstanceConfig& config) {
  return {config.config_dir, config.paths.docs_dir, config.paths.data_dir, config.paths.state_db};
}

}  // namespace da::ops
