// ${VAR} and ${VAR:-default} in configuration strings.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "da/config/diagnostics.hpp"
#include "da/config/yaml_node.hpp"

namespace da::config {

// Looks up an environment variable; nullopt when it is unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

struct Interpolated {
  std::string value;
  std::vector<std::string> unset;  // variables referenced without a default and not set
};

// Replaces ${NAME} by the variable's value ("" if unset, and NAME is listed in `unset`),
// ${NAME:-fallback} by the value or, if unset or empty, the fallback; "$$" is a literal "$".
// Throws Error(kConfig) on "${" without "}" or an invalid name.
Interpolated interpolate(std::string_view text, const EnvLookup& env);

// `text` as a YAML double-quoted scalar that interpolate() leaves as it is ("$" doubled), for
// code that writes configuration.
std::string yaml_quote(std::string_view text);

// Interpolates every scalar of the tree in place (YamlNode::raw keeps the original text).
// Malformed references are errors; unset variables are warnings here, because only the
// reader of a key knows whether an empty value is acceptable.
void interpolate_tree(YamlNode& root, const EnvLookup& env, const std::string& file,
                      Diagnostics& diagnostics);

}  // namespace da::config
