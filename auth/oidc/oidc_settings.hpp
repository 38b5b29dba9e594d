// What the instance configures for OpenID Connect sign-in, read from the auth section. Two
// spellings, one provider:
//   auth.oidc: {client_id, client_secret, discovery_url, prompt, name, preset}
//   auth.google_client_id / google_client_secret / google_discovery_url (the `google` preset)
// A preset fills in defaults: `google` brings Google's discovery document, prompt
// select_account and the name "Google"; without a preset the discovery URL is required and
// no prompt is sent unless configured.
#pragma once

#include <optional>
#include <string>

#include "da/config/diagnostics.hpp"
#include "da/config/instance_config.hpp"

namespace da::auth::oidc {

struct OidcSettings {
  std::string preset;  // "google" or empty
  std::string client_id;
  std::string client_secret;
  std::string discovery_url;
  std::string prompt;                   // the authorization request's prompt; empty: none sent
  std::string name = "single sign-on";  // on the button ("Sign in with <name>") and in errors
};

// The settings, or nullopt when no client id is configured (sign-in not offered). Problems go
// to `diagnostics` with file, line and key path; the client secret is registered with the
// log redactor.
std::optional<OidcSettings> read_oidc_settings(const config::AuthConfig& auth,
                                               config::Diagnostics& diagnostics);

}  // namespace da::auth::oidc
