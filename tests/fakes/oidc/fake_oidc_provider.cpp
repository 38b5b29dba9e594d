#include "fakes/oidc/fake_oidc_provider.hpp"

#include <ctime>

#include "da/common/crypto.hpp"
#include "da/net/http_client.hpp"
#include "da/web/http_server.hpp"
#include "da/web/router.hpp"

namespace da::fakes {

using Json = nlohmann::json;

namespace {

std::string param(const std::vector<std::pair<std::string, std::string>>& fields,
                  const std::string& name) {
  for (const auto& [key, value] : fields)
    if (key == name) return value;
  return {};
}

web::Response oauth_error(const std::string& error) {
  return web::Response::json(400, {{"error", error}});
}

}  // namespace

FakeOidcProvider::FakeOidcProvider(std::string client_id, std::string client_secret)
    : client_id_(std::move(client_id)), client_secret_(std::move(client_secret)) {
  auto router = std::make_shared<web::Router>();
  router->get("/.well-known/openid-configuration", [this](web::Request&) {
    return web::Response::json(200, {{"issuer", issuer()},
                                     {"authorization_endpoint", issuer() + "/auth"},
                                     {"token_endpoint", issuer() + "/token"},
                                     {"jwks_uri", issuer() + "/jwks"},
                                     {"id_token_signing_alg_values_supported", {"RS256"}}});
  });
  router->get("/jwks", [this](web::Request&) {
    return web::Response::json(200, {{"keys", Json::array({key_.public_jwk()})}});
  });
  router->get("/auth", [this](web::Request& request) {
    auto q = [&](const char* name) { return request.query_param(name).value_or(""); };
    if (q("client_id") != client_id_ || q("response_type") != "code" ||
        q("code_challenge_method") != "S256" || q("code_challenge").empty() ||
        q("redirect_uri").empty())
      return oauth_error("invalid_request");
    std::string code = random_token();
    {
      std::lock_guard lock(mutex_);
      grants_[code] = {q("nonce"), q("code_challenge"), q("redirect_uri")};
    }
    return web::Response::redirect(
        q("redirect_uri") + "?" + net::form_encode({{"code", code}, {"state", q("state")}}), 302);
  });
  router->post("/token", [this](web::Request& request) {
    auto fields = web::parse_query_string(request.body);
    Grant grant;
    {
      std::lock_guard lock(mutex_);
      auto found = grants_.find(param(fields, "code"));
      bool ok =
          found != grants_.end() && param(fields, "grant_type") == "authorization_code" &&
          param(fields, "client_id") == client_id_ &&
          param(fields, "client_secret") == client_secret_ &&
          param(fields, "redirect_uri") == found->second.redirect_uri &&
          base64url_encode(sha256_raw(param(fields, "code_verifier"))) == found->second.challenge;
      if (!ok) {
        ++refused_;
        return oauth_error("invalid_grant");
      }
      grant = found->second;
      grants_.erase(found);
    }
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    Json claims = identity_;
    claims["iss"] = issuer();
    claims["aud"] = client_id_;
    claims["iat"] = now;
    claims["exp"] = now + 3600;
    claims["nonce"] = grant.nonce;
    Json header = {{"kid", key_.kid()}};
    std::string token;
    if (tamper_) tamper_(claims, header, token);
    if (token.empty()) token = key_.sign(claims, header);
    return web::Response::json(200, {{"access_token", "fake-access"},
                                     {"token_type", "Bearer"},
                                     {"expires_in", 3600},
                                     {"id_token", token}});
  });
  web::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.threads = 1;
  options.access_log = false;
  server_ = std::make_unique<web::HttpServer>(options, [router](web::Request& request) {
    auto match = router->match(request);
    if (match.outcome != web::Router::Outcome::kMatched) return web::Response::text(404, "");
    return (*match.handler)(request);
  });
  server_->start();
}

FakeOidcProvider::~FakeOidcProvider() {
  server_->stop();
}

std::string FakeOidcProvider::issuer() const {
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

}  // namespace da::fakes
