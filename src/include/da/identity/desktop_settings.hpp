// instance.yaml's `desktop` section: how the desktop app's tokens are signed and the URL
// scheme it registers. Read by the desktop sign-in (auth/desktop) and the WebSocket gateway
// (services/ws_gateway), which both claim it.
#pragma once

#include <string>

#include "da/config/diagnostics.hpp"
#include "da/config/instance_config.hpp"
#include "da/config/section_owners.hpp"

namespace da::identity {

struct DesktopSettings {
  std::string jwt_issuer = "data-analyst";
  std::string url_scheme = "data-analyst";
  std::string jwt_secret;  // desktop sign-in and the gateway are offered when set

  // Reads the section, reporting every problem to `diagnostics`; registers the secret to redact.
  static DesktopSettings read(const config::InstanceConfig& config,
                              config::Diagnostics& diagnostics);
  // read(), or Error(kConfig) listing the problems.
  static DesktopSettings from(const config::InstanceConfig& config);
  // Claims `desktop` for read(), for the modules that use desktop tokens.
  static void claim_section(config::SectionOwners& owners);
};

}  // namespace da::identity
