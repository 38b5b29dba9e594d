// An OpenID provider on 127.0.0.1 for sign-in tests, following the documented behaviour of
// Google and of standard providers: discovery document, JWKS, an authorization endpoint that
// consents at once for the configured person (or answers with a configured error), a token
// endpoint that checks the client, the redirect URI, the single-use code and the PKCE (S256)
// verifier before it returns an RS256-signed id_token, and a userinfo endpoint.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fakes/oidc/rsa_key.hpp"
#include <nlohmann/json.hpp>

namespace da::web {
class HttpServer;
}

namespace da::fakes {

class FakeOidcProvider {
 public:
  FakeOidcProvider(std::string client_id, std::string client_secret);
  ~FakeOidcProvider();

  std::string issuer() const;  // http://127.0.0.1:<port>
  std::string discovery_url() const { return issuer() + "/.well-known/openid-configuration"; }

  // The person who "consents" at the authorization endpoint; userinfo answers with the same
  // claims unless set_userinfo() says otherwise.
  void set_identity(nlohmann::json claims) { identity_ = std::move(claims); }
  // Leaves email and email_verified out of the id_token (standard providers put them only
  // in the userinfo answer of the code flow).
  void set_email_in_id_token(bool included) { email_in_id_token_ = included; }
  void set_userinfo(nlohmann::json claims) { userinfo_ = std::move(claims); }
  // The authorization endpoint redirects back with this error instead of a code.
  void set_authorization_error(std::string error, std::string description) {
    authorization_error_ = {std::move(error), std::move(description)};
  }
  // Changes the next id_tokens: claims and header can be edited, or the whole token replaced.
  using Tamper =
      std::function<void(nlohmann::json& claims, nlohmann::json& header, std::string& token)>;
  void set_tamper(Tamper tamper) { tamper_ = std::move(tamper); }
  // Signs the next id_tokens with a new key under a new kid; the JWKS publishes both.
  void rotate_key();

  // Token requests that failed the checks (for asserting the client's side).
  int refused_token_requests() const { return refused_; }
  int jwks_requests() const { return jwks_requests_; }
  int userinfo_requests() const { return userinfo_requests_; }

 private:
  struct Grant {
    std::string nonce, challenge, redirect_uri;
  };
  nlohmann::json jwks() const;

  std::vector<RsaKey> keys_;  // the last one signs
  std::string client_id_, client_secret_;
  nlohmann::json identity_, userinfo_;
  bool email_in_id_token_ = true;
  std::pair<std::string, std::string> authorization_error_;
  Tamper tamper_;
  mutable std::mutex mutex_;
  std::map<std::string, Grant> grants_;
  std::map<std::string, nlohmann::json> access_tokens_;  // token -> the identity it was issued for
  std::atomic<int> refused_ = 0, jwks_requests_ = 0, userinfo_requests_ = 0;
  std::unique_ptr<web::HttpServer> server_;
};

}  // namespace da::fakes
