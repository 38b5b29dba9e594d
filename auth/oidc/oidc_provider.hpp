// Sign-in with any OpenID Connect provider (authorization-code flow with PKCE S256); Google
// is a preset of it (see oidc_settings.hpp). The request carries state, nonce and the PKCE
// challenge; state is single-use and bound to the browser. The id_token's RS256 signature is
// checked against the provider's JWKS, then iss, aud, exp and nonce. The email must be
// verified: it comes from the id_token, or from the userinfo endpoint when the id_token lacks
// email or email_verified. A provider's error (and its error_description) is shown on the
// login page.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "jwks_cache.hpp"
#include "oidc_settings.hpp"
#include <nlohmann/json.hpp>

#include "da/web/auth_provider.hpp"
#include "da/web/portal_context.hpp"

namespace da::auth::oidc {

class OidcProvider : public web::AuthProvider {
 public:
  std::string name() const override { return "oidc"; }
  // Throws Error(kConfig) listing the problems of invalid settings.
  bool available(const config::InstanceConfig& config) const override;
  web::LoginButton login_button(const config::InstanceConfig& config) const override;
  void check(const config::InstanceConfig& config, config::Diagnostics& diagnostics) const override;
  void add_routes(web::PortalContext& portal) override;

 private:
  struct Endpoints {
    std::string issuer, authorization, token, jwks_uri, userinfo;
  };
  // The discovery document, fetched once an hour at most.
  Endpoints endpoints();
  // The tokens for the authorization `code`; throws Error(kAuth) with the provider's reason.
  nlohmann::json exchange(const Endpoints& found, const std::string& code,
                          const std::string& verifier, const std::string& redirect_uri);
  // The id_token's claims after checking its signature, iss, aud, exp and nonce.
  nlohmann::json verified_claims(const Endpoints& found, const std::string& id_token,
                                 const std::string& nonce);
  // The user's verified email and profile, from the id_token or else from userinfo.
  identity::SignInProfile profile(const Endpoints& found, const nlohmann::json& claims,
                                  const std::string& access_token);

  web::Response start(web::PortalContext& portal, web::Request& request);
  web::Response finish(web::PortalContext& portal, web::Request& request);

  OidcSettings settings_;
  std::mutex mutex_;
  std::optional<Endpoints> endpoints_;
  std::chrono::steady_clock::time_point endpoints_at_{};
  JwksCache jwks_;
};

}  // namespace da::auth::oidc
