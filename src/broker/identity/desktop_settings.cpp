#include "da/identity/desktop_settings.hpp"

#include "da/common/log.hpp"

namespace da::identity {

namespace {

void check(const config::InstanceConfig& config, config::Diagnostics& diagnostics) {
  DesktopSettings::read(config, diagnostics);
}

}  // namespace

DesktopSettings DesktopSettings::read(const config::InstanceConfig& config,
                                      config::Diagnostics& diagnostics) {
  config::NodeReader node = config.section_reader("desktop", diagnostics);
  node.warn_unknown_keys({"jwt_issuer", "url_scheme", "jwt_secret"});
  DesktopSettings out;
  out.jwt_issuer = node.string("jwt_issuer", out.jwt_issuer);
  out.url_scheme = node.string("url_scheme", out.url_scheme);
  out.jwt_secret = node.string("jwt_secret");
  log::add_secret(out.jwt_secret);
  return out;
}

DesktopSettings DesktopSettings::from(const config::InstanceConfig& config) {
  return config::read_settings_or_throw(config, &DesktopSettings::read);
}

void DesktopSettings::claim_section(config::SectionOwners& owners) {
  owners.claim("desktop", check);
}

}  // namespace da::identity
