// Module sections of an InstanceConfig built in code, as if instance.yaml held them.
#pragma once

#include <string>

#include "da/config/instance_config.hpp"
#include "da/config/yaml_node.hpp"

namespace da::testing {

// Sets section `name` to the YAML mapping `yaml` ("jwt_secret: abc\njwt_issuer: x").
inline void set_section(config::InstanceConfig& config, const std::string& name,
                        const std::string& yaml) {
  config.sections[name] = config::HeldSection{config::parse_yaml(yaml, name + " (test)"), 1};
}

}  // namespace da::testing
