// A sign-in method (auth/<name>/). Providers are modules: each folder registers a factory,
// the portal asks every provider whether the instance configures it, shows the visible ones'
// buttons on the login page in `order`, and lets them add routes. Every provider ends a
// successful sign-in with PortalContext::sign_in(), which creates the same server-side session.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "da/config/diagnostics.hpp"
#include "da/config/instance_config.hpp"

namespace da::web {

class PortalContext;

struct LoginButton {
  std::string text;      // "Sign in with Google"
  std::string url;       // where the button leads (a GET page of the provider)
  std::string subtitle;  // plain text under the button ("for @acme.com addresses")
  std::string css_class;
  int order = 50;
  bool visible = true;  // false: API-only (desktop)
};

class AuthProvider {
 public:
  virtual ~AuthProvider() = default;
  virtual std::string name() const = 0;
  // Whether `config` turns this method on (its settings and secrets are present).
  virtual bool available(const config::InstanceConfig& config) const = 0;
  virtual LoginButton login_button(const config::InstanceConfig& config) const = 0;
  // Adds the problems of the provider's own settings to `diagnostics` (`da config check`).
  virtual void check(const config::InstanceConfig&, config::Diagnostics&) const {}
  // Adds the provider's routes; called once, only when available().
  virtual void add_routes(PortalContext& portal) = 0;
};

using AuthProviderFactory = std::function<std::unique_ptr<AuthProvider>()>;

class AuthProviderRegistry {
 public:
  void add(std::string name, AuthProviderFactory factory);
  // A new instance of every provider, in registration (folder name) order.
  std::vector<std::unique_ptr<AuthProvider>> create_all() const;
  std::vector<std::string> names() const;
  // Every provider's check() of `config`.
  void check(const config::InstanceConfig& config, config::Diagnostics& diagnostics) const;

 private:
  std::vector<std::pair<std::string, AuthProviderFactory>> factories_;
};

}  // namespace da::web
