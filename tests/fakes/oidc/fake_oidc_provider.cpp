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
  keys_.emplace_back("fake-key-1");
  auto router = std::make_shared<web::Router>();
  router->get("/.well-known/openid-configuration", [this](web::Request&) {
    return web::Response::json(200, {{"issuer", issuer()},
                                     {"authorization_endpoint", issuer() + "/auth"},
                                     {"token_endpoint", issuer() + "/token"},
                                     {"jwks_uri", issuer() + "/jwks"},
                                     {"userinfo_endpoint", issuer() + "/userinfo"},
                                     {"id_token_signing_alg_values_supported", {"RS256"}}});
  });
  router->get("/jwks", [this](web::Request&) {
    ++jwks_requests_;
    return web::Response::json(200, jwks());
  });
  router->get("/userinfo", [this](web::Request& request) {
    ++userinfo_requests_;
    std::string authorization(request.header("authorization"));
    const std::string scheme = "Bearer ";
    std::lock_guard lock(mutex_);
    auto found = authorization.rfind(scheme, 0) == 0
                     ? access_tokens_.find(authorization.substr(scheme.size()))
                     : access_tokens_.end();
    if (found == access_tokens_.end())
      return web::Response::json(401, {{"error", "invalid_token"}});
    return web::Response::json(200, userinfo_.is_null() ? found->second : userinfo_);
  });
  router->get("/auth", [this](web::Request& request) {
    auto q = [&](const char* name) { return request.query_param(name).value_or(""); };
    if (q("client_id") != client_id_ || q("response_type") != "code" ||
        q("code_challenge_method") != "S256" || q("code_challenge").empty() ||
        q("redirect_uri").empty())
      return oauth_error("invalid_request");
    if (!authorization_error_.first.empty())
      return web::Response::redirect(
          q("redirect_uri") + "?" +
              net::form_encode({{"error", authorization_error_.first},
                                {"error_description", authorization_error_.second},
                                {"state", q("state")}}),
          302);
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
    if (!email_in_id_token_) {
      claims.erase("email");
      claims.erase("email_verified");
    }
    claims["iss"] = issuer();
    claims["aud"] = client_id_;
    claims["iat"] = now;
    claims["exp"] = now + 3600;
    claims["nonce"] = grant.nonce;
    std::string access_token = random_token();
    std::lock_guard lock(mutex_);
    access_tokens_[access_token] = identity_;
    Json header = {{"kid", keys_.back().kid()}};
    std::string token;
    if (tamper_) tamper_(claims, header, token);
    if (token.empty()) token = keys_.back().sign(claims, header);
    return web::Response::json(200, {{"access_token", access_token},
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

void FakeOidcProvider::rotate_key() {
  RsaKey next("fake-key-" + std::to_string(keys_.size() + 1));
  std::lock_guard lock(mutex_);
  keys_.push_back(std::move(next));
}

Json FakeOidcProvider::jwks() const {
  std::lock_guard lock(mutex_);
  Json keys = Json::array();
  for (const RsaKey& key : keys_)
    keys.push_back(key.public_jwk());
  return {{"keys", keys}};
}

std::string FakeOidcProvider::issuer() const {
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

}  // namespace da::fakes
