// An OpenID provider on 127.0.0.1 for sign-in tests, following Google's documented behaviour:
// discovery document, JWKS, an authorization endpoint that consents at once for the configured
// person, and a token endpoint that checks the client, the redirect URI, the single-use code
// and the PKCE (S256) verifier before it returns an RS256-signed id_token.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

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

  // The person who "consents" at the authorization endpoint.
  void set_identity(nlohmann::json claims) { identity_ = std::move(claims); }
  // Changes the next id_tokens: claims and header can be edited, or the whole token replaced.
  using Tamper =
      std::function<void(nlohmann::json& claims, nlohmann::json& header, std::string& token)>;
  void set_tamper(Tamper tamper) { tamper_ = std::move(tamper); }
  // Token requests that failed the checks, with the reason (for asserting the client's side).
  int refused_token_requests() const { return refused_; }

 private:
  struct Grant {
    std::string nonce, challenge, redirect_uri;
  };
  RsaKey key_{"fake-key-1"};
  std::string client_id_, client_secret_;
  nlohmann::json identity_;
  Tamper tamper_;
  std::mutex mutex_;
  std::map<std::string, Grant> grants_;
  int refused_ = 0;
  std::unique_ptr<web::HttpServer> server_;
};

}  // namespace da::fakes
