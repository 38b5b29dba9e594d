// Sign-in with Google (OpenID Connect, authorization-code flow). The request carries state,
// nonce and a PKCE challenge; state is single-use and bound to the browser. The id_token's RS256
// signature is checked against the provider's JWKS, then iss, aud, exp, nonce and
// email_verified. Endpoints come from auth.google_discovery_url, so tests point it at a fake.
#pragma once

#include <chrono>
#include <mutex>

#include <nlohmann/json.hpp>

#include "da/web/auth_provider.hpp"
#include "da/web/portal_context.hpp"

namespace da::auth::google {

class GoogleProvider : public web::AuthProvider {
 public:
  std::string name() const override { return "google"; }
  bool available(const config::InstanceConfig& config) const override;
  web::LoginButton login_button(const config::InstanceConfig& config) const override;
  void add_routes(web::PortalContext& portal) override;

 private:
  struct Endpoints {
    std::string issuer, authorization, token, jwks_uri;
  };
  // The discovery document, fetched once an hour at most.
  Endpoints endpoints(const config::InstanceConfig& config);
  // The JWKS, refetched when a token names a key it lacks (at most once a minute).
  nlohmann::json jwks(const std::string& uri, bool refresh);

  web::Response start(web::PortalContext& portal, web::Request& request);
  web::Response finish(web::PortalContext& portal, web::Request& request);

  std::mutex mutex_;
  std::optional<Endpoints> endpoints_;
  std::chrono::steady_clock::time_point endpoints_at_{};
  nlohmann::json jwks_;
  std::chrono::steady_clock::time_point jwks_at_{};
};

}  // namespace da::auth::google
