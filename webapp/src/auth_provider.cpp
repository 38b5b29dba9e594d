#include "da/web/auth_provider.hpp"

#include "da/common/error.hpp"

namespace da::web {

void AuthProviderRegistry::add(std::string name, AuthProviderFactory factory) {
  for (const auto& [existing, unused] : factories_)
    if (existing == name)
      throw Error(ErrorKind::kInternal, "auth provider registered twice: " + name);
  factories_.emplace_back(std::move(name), std::move(factory));
}

std::vector<std::unique_ptr<AuthProvider>> AuthProviderRegistry::create_all() const {
  std::vector<std::unique_ptr<AuthProvider>> providers;
  for (const auto& [name, factory] : factories_)
    providers.push_back(factory());
  return providers;
}

std::vector<std::string> AuthProviderRegistry::names() const {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories_)
    names.push_back(name);
  return names;
}

void AuthProviderRegistry::check(const config::InstanceConfig& config,
                                 config::Diagnostics& diagnostics) const {
  for (const auto& provider : create_all())
    provider->check(config, diagnostics);
}

}  // namespace da::web
