#include "da/web/portal_feature.hpp"

#include "da/common/error.hpp"

namespace da::web {

void PortalFeatureRegistry::add(std::string name, PortalFeatureFactory factory) {
  for (const auto& [existing, unused] : factories_)
    if (existing == name)
      throw Error(ErrorKind::kInternal, "portal feature registered twice: " + name);
  factories_.emplace_back(std::move(name), std::move(factory));
}

std::vector<std::unique_ptr<PortalFeature>> PortalFeatureRegistry::create_all() const {
  std::vector<std::unique_ptr<PortalFeature>> features;
  for (const auto& [name, factory] : factories_)
    features.push_back(factory());
  return features;
}

std::vector<std::string> PortalFeatureRegistry::names() const {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories_)
    names.push_back(name);
  return names;
}

}  // namespace da::web
