#include "oidc_settings.hpp"

#include "da/common/log.hpp"
#include "da/config/node_reader.hpp"

namespace da::auth::oidc {

namespace {

constexpr const char* kGoogleDiscovery =
    "https://accounts.google.com/.well-known/openid-configuration";

void apply_preset(OidcSettings& settings) {
  if (settings.preset != "google") return;
  settings.discovery_url = kGoogleDiscovery;
  settings.prompt = "select_account";
  settings.name = "Google";
}

OidcSettings read_legacy(const config::NodeReader& auth) {
  OidcSettings settings;
  settings.preset = "google";
  apply_preset(settings);
  settings.client_id = auth.string("google_client_id");
  settings.client_secret = auth.string("google_client_secret");
  auth.require("google_client_secret", "because auth.google_client_id is set (Google sign-in)");
  settings.discovery_url = auth.string("google_discovery_url", settings.discovery_url);
  // The old keys pointed at another provider are no Google sign-in: no Google name, and no
  // prompt=select_account, which standard providers refuse.
  if (settings.discovery_url != kGoogleDiscovery) {
    settings.preset.clear();
    settings.prompt.clear();
    settings.name = OidcSettings{}.name;
  }
  return settings;
}

OidcSettings read_section(const config::NodeReader& section) {
  section.warn_unknown_keys(
      {"preset", "client_id", "client_secret", "discovery_url", "prompt", "name"});
  OidcSettings settings;
  settings.preset = section.string("preset");
  if (!settings.preset.empty() && settings.preset != "google")
    section.child("preset").error("must be 'google' or absent, found '" + settings.preset + "'");
  apply_preset(settings);
  settings.client_id = section.string("client_id");
  settings.client_secret = section.string("client_secret");
  section.require("client_secret", "because auth.oidc.client_id is set");
  settings.discovery_url = section.string("discovery_url", settings.discovery_url);
  if (settings.preset.empty())
    section.require("discovery_url", "because auth.oidc has no preset (e.g. preset: google)");
  settings.prompt = section.string("prompt", settings.prompt);
  settings.name = section.string("name", settings.name);
  return settings;
}

}  // namespace

std::optional<OidcSettings> read_oidc_settings(const config::AuthConfig& auth,
                                               config::Diagnostics& diagnostics) {
  config::NodeReader reader(&auth.section, "auth", auth.file, diagnostics);
  config::NodeReader section = reader.child("oidc");
  bool legacy = !reader.string("google_client_id").empty();
  bool modern = !section.string("client_id").empty();
  if (legacy && modern) {
    section.error("set either auth.oidc or auth.google_client_id, not both");
    return std::nullopt;
  }
  if (!legacy && !modern) return std::nullopt;
  OidcSettings settings = legacy ? read_legacy(reader) : read_section(section);
  log::add_secret(settings.client_secret);
  return settings;
}

}  // namespace da::auth::oidc
