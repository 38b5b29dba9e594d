// Finds, reads, interpolates and validates config/instance.yaml.
//
// Lookup: --config DIR, else $DA_CONFIG_DIR, else $CONFIG_DIR, else ./config. Variables come
// from the real environment, then <config_dir>/.env, then <config_dir>/../.env, then
// <real_dir>/.env and <real_dir>/../.env, real_dir being the folder instance.yaml really is
// in, symbolic links resolved (a dual-repo instance links the file, or the folder, from the
// instance's own repository). The first that sets a variable wins, and a .env never overrides
// the environment. Relative paths in the file resolve against the parent of the folder given
// (not of a link's target).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "da/config/diagnostics.hpp"
#include "da/config/instance_config.hpp"
#include "da/config/interpolation.hpp"
#include "da/config/section_owners.hpp"

namespace da::config {

struct ConfigLoadResult {
  InstanceConfig config;    // best effort when diagnostics has errors
  Diagnostics diagnostics;  // every problem found, errors and warnings
  // The whole file with ${VAR} interpolated, modules' sections included (`da config get`).
  YamlNode document;
};

// --config value if given, else $DA_CONFIG_DIR, else $CONFIG_DIR, else ./config.
std::filesystem::path resolve_config_dir(const std::optional<std::filesystem::path>& cli_value,
                                         const EnvLookup& env);

// Reads <config_dir>/instance.yaml with the .env layering described above. Throws
// Error(kNotFound) if the file is missing and Error(kConfig) if it is not YAML; every other
// problem is in the result's diagnostics. The core reads its own sections and holds the others
// for `owners` (the modules' claims: ModuleRegistry::config_sections), which check theirs; a
// section no owner claims is warned about as an unknown key. Without owners, every section
// the core does not read is such an unknown one.
ConfigLoadResult load_instance_config(const std::filesystem::path& config_dir,
                                      const EnvLookup& env = process_environment(),
                                      const SectionOwners* owners = nullptr);

// load_instance_config() that throws Error(kConfig) listing every error.
InstanceConfig load_instance_config_or_throw(const std::filesystem::path& config_dir,
                                             const EnvLookup& env = process_environment(),
                                             const SectionOwners* owners = nullptr);

// Parses instance.yaml text (`file` names it in messages) as if found in `config_dir`.
ConfigLoadResult parse_instance_config(std::string_view yaml, const std::string& file,
                                       const std::filesystem::path& config_dir,
                                       const EnvLookup& env, const SectionOwners* owners = nullptr);

// What the web portal needs beyond the engine: a strong secret key, who may sign in, and
// the public host name. Adds errors to `diagnostics`.
void check_web_portal_requirements(const InstanceConfig& config, Diagnostics& diagnostics);

}  // namespace da::config
