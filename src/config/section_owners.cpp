#include "da/config/section_owners.hpp"

#include <algorithm>

#include "da/common/error.hpp"
#include "da/common/log.hpp"

namespace da::config {

namespace {

// A section nobody reads may still hold a secret (a token for a module not built yet): it is
// redacted like every other, so that `da config get` and the logs never show it.
void redact_secret_values(const YamlNode& node, std::string_view key) {
  if (node.is_scalar() && log::is_secret_name(key)) log::add_secret(node.scalar);
  for (const YamlNode& item : node.items)
    redact_secret_values(item, key);
  for (const auto& [child_key, child] : node.entries)
    redact_secret_values(child, child_key);
}

}  // namespace

void SectionOwners::claim(std::string name, SectionCheck check) {
  const auto& core = core_sections();
  if (std::find(core.begin(), core.end(), name) != core.end())
    throw Error(ErrorKind::kInternal,
                "a module claims the configuration section '" + name + "', which the core reads");
  for (const auto& [owned, owner_check] : owners_) {
    if (owned != name) continue;
    if (owner_check == check) return;
    throw Error(ErrorKind::kInternal, "two modules claim the configuration section '" + name +
                                          "' with different readers");
  }
  owners_.emplace_back(std::move(name), check);
}

bool SectionOwners::claims(std::string_view name) const {
  return std::any_of(owners_.begin(), owners_.end(),
                     [&](const auto& owner) { return owner.first == name; });
}

void SectionOwners::warn_unclaimed(const InstanceConfig& config, Diagnostics& diagnostics) const {
  std::vector<std::pair<int, std::string_view>> unclaimed;  // in file order, as a reader scans
  for (const auto& [name, held] : config.sections) {
    if (claims(name)) continue;
    redact_secret_values(held.node, name);
    unclaimed.emplace_back(held.line, name);
  }
  std::sort(unclaimed.begin(), unclaimed.end());
  for (const auto& [line, name] : unclaimed)
    diagnostics.warning(config.source_file.string(), line, std::string(name),
                        "unknown key (ignored)");
}

void SectionOwners::check(const InstanceConfig& config, Diagnostics& diagnostics) const {
  for (const auto& [name, check] : owners_)
    check(config, diagnostics);
}

}  // namespace da::config
