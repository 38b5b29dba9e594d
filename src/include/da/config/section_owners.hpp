// Which module reads which top-level section of instance.yaml. The core loader reads only its
// own sections and holds every other one as written (InstanceConfig::sections); a module
// claims its section here and reads and validates it itself, so the core never names it. The
// loader, given the owners, runs both passes below (instance_config_loader.hpp).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "da/config/diagnostics.hpp"
#include "da/config/instance_config.hpp"
#include "da/config/node_reader.hpp"

namespace da::config {

// Reads the claimed section from `config` (config.section_reader(name, diagnostics)) and
// reports every problem it finds to `diagnostics`; reading it also registers its secrets.
using SectionCheck = void (*)(const InstanceConfig& config, Diagnostics& diagnostics);

class SectionOwners {
 public:
  // Claims top-level section `name` for `check`. Several modules that use one component's
  // section each claim it with the component's check: claiming again with the same check does
  // nothing; with another check, or a name the core reads, throws Error(kInternal).
  void claim(std::string name, SectionCheck check);
  bool claims(std::string_view name) const;

  // Warns about each held section of `config` no module claims (an unknown key of the file);
  // the values of such a section's secret-named keys (log::is_secret_name) are still redacted.
  void warn_unclaimed(const InstanceConfig& config, Diagnostics& diagnostics) const;
  // Runs every claimed section's check, also for an absent section (its defaults may be
  // wrong for the rest of the file).
  void check(const InstanceConfig& config, Diagnostics& diagnostics) const;

 private:
  std::vector<std::pair<std::string, SectionCheck>> owners_;
};

// The top-level sections the core loader reads itself; every other one is held for a module.
const std::vector<std::string_view>& core_sections();

// A module's settings read by `read` (which reports to diagnostics), or Error(kConfig) listing
// every problem of the file (for a process that did not load the file with the owners).
template <typename Settings>
Settings read_settings_or_throw(const InstanceConfig& config,
                                Settings (*read)(const InstanceConfig&, Diagnostics&)) {
  Diagnostics diagnostics;
  Settings settings = read(config, diagnostics);
  diagnostics.throw_if_errors("invalid configuration " + config.source_file.string());
  return settings;
}

}  // namespace da::config
