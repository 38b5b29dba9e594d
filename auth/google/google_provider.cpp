#include "google_provider.hpp"

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/identity/jwt.hpp"
#include "da/identity/token_store.hpp"
#include "da/net/http_client.hpp"
#include "da/plugin/plugin_registry.hpp"

namespace da::auth::google {

using Json = nlohmann::json;

namespace {

constexpr const char* kPurpose = "oidc_state";
constexpr std::chrono::seconds kStateLifetime{10 * 60};
constexpr identity::RateLimit kStartsPerIp{30, std::chrono::seconds(60)};

Json fetch_json(const std::string& url, const std::string& what) {
  net::HttpRequest request;
  request.url = url;
  request.total_timeout = std::chrono::seconds(10);
  net::HttpResponse response = net::HttpClient().send(request);
  Json body = Json::parse(response.body, nullptr, false);
  if (response.status != 200 || !body.is_object())
    throw Error(ErrorKind::kSource,
                what + " at " + url + " answered HTTP " + std::to_string(response.status));
  return body;
}

std::string redirect_uri(const web::PortalContext& portal) {
  return portal.base_url() + "/authorize";
}

}  // namespace

bool GoogleProvider::available(const config::InstanceConfig& config) const {
  return !config.auth.google_client_id.empty() && !config.auth.google_client_secret.empty();
}

web::LoginButton GoogleProvider::login_button(const config::InstanceConfig&) const {
  web::LoginButton button;
  button.text = "Sign in with Google";
  button.url = "/login/google";
  button.css_class = "btn-google";
  button.order = 10;
  return button;
}

GoogleProvider::Endpoints GoogleProvider::endpoints(const config::InstanceConfig& config) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (endpoints_ && now - endpoints_at_ < std::chrono::hours(1)) return *endpoints_;
  Json document = fetch_json(config.auth.google_discovery_url, "the OpenID discovery document");
  Endpoints found{document.value("issuer", ""), document.value("authorization_endpoint", ""),
                  document.value("token_endpoint", ""), document.value("jwks_uri", "")};
  if (found.issuer.empty() || found.authorization.empty() || found.token.empty() ||
      found.jwks_uri.empty())
    throw Error(ErrorKind::kSource, "the OpenID discovery document at " +
                                        config.auth.google_discovery_url + " lacks an endpoint");
  endpoints_ = found;
  endpoints_at_ = now;
  return found;
}

Json GoogleProvider::jwks(const std::string& uri, bool refresh) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  bool stale = jwks_.is_null() || now - jwks_at_ > std::chrono::hours(1);
  if (stale || (refresh && now - jwks_at_ > std::chrono::minutes(1))) {
    jwks_ = fetch_json(uri, "the provider's signing keys (JWKS)");
    jwks_at_ = now;
  }
  return jwks_;
}

web::Response GoogleProvider::start(web::PortalContext& portal, web::Request& request) {
  const auto& config = portal.config();
  // Each start stores a state token: bound the rows a client can make.
  if (!portal.rate_limit("google-start:" + request.client_ip(), kStartsPerIp).allowed)
    return portal.login_error(request, "Too many sign-in attempts. Wait a minute and try again.",
                              429);
  Endpoints found = endpoints(config);
  web::Response response;
  std::string binding = portal.browser_binding(request, response);
  std::string nonce = random_token(), verifier = random_token(48);
  std::string state =
      identity::TokenStore(portal.db())
          .issue(kPurpose, "google", kStateLifetime, binding,
                 {{"nonce", nonce},
                  {"verifier", verifier},
                  {"next", web::safe_local_path(request.query_param("next").value_or(""))}});
  std::string url = found.authorization +
                    (found.authorization.find('?') == std::string::npos ? "?" : "&") +
                    net::form_encode({{"response_type", "code"},
                                      {"client_id", config.auth.google_client_id},
                                      {"redirect_uri", redirect_uri(portal)},
                                      {"scope", "openid email profile"},
                                      {"state", state},
                                      {"nonce", nonce},
                                      {"code_challenge", base64url_encode(sha256_raw(verifier))},
                                      {"code_challenge_method", "S256"},
                                      {"prompt", "select_account"}});
  web::Response redirect = web::Response::redirect(url, 302);
  for (auto& [name, value] : response.headers)
    redirect.add_header(name, value);
  return redirect;
}

web::Response GoogleProvider::finish(web::PortalContext& portal, web::Request& request) {
  const auto& config = portal.config();
  auto refuse = [&](const std::string& why) {
    log::warn("portal: Google sign-in refused: {}", why);
    return portal.login_error(request, "Google sign-in failed: " + why, 403);
  };
  if (auto error = request.query_param("error")) return refuse("the provider answered " + *error);
  std::string binding = request.cookie("da_bind").value_or("");
  std::optional<identity::OneTimeToken> state;
  if (!binding.empty())
    state = identity::TokenStore(portal.db())
                .consume(kPurpose, request.query_param("state").value_or(""), binding);
  if (!state)
    return refuse("the sign-in request expired or came from another browser; start again");
  std::string code = request.query_param("code").value_or("");
  if (code.empty()) return refuse("no authorization code");

  Endpoints found = endpoints(config);
  net::HttpRequest exchange;
  exchange.method = "POST";
  exchange.url = found.token;
  exchange.total_timeout = std::chrono::seconds(15);
  exchange.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                      {"Accept", "application/json"}};
  exchange.body = net::form_encode({{"grant_type", "authorization_code"},
                                    {"code", code},
                                    {"redirect_uri", redirect_uri(portal)},
                                    {"client_id", config.auth.google_client_id},
                                    {"client_secret", config.auth.google_client_secret},
                                    {"code_verifier", state->data.value("verifier", "")}});
  net::HttpResponse answer = net::HttpClient().send(exchange);
  Json tokens = Json::parse(answer.body, nullptr, false);
  if (answer.status != 200 || !tokens.is_object() || !tokens.contains("id_token"))
    return refuse("the token endpoint answered HTTP " + std::to_string(answer.status));
  std::string id_token = tokens.value("id_token", "");

  identity::JwtCheck check;
  check.issuer = found.issuer;
  check.audience = config.auth.google_client_id;
  check.leeway_seconds = 60;
  Json claims;
  try {
    claims = identity::jwt_verify_rs256(id_token, jwks(found.jwks_uri, false), check);
  } catch (const Error& first) {
    // Keys rotate: a token signed by a key we have not seen yet gets one refetch.
    if (std::string(first.what()).find("unknown key") == std::string::npos)
      return refuse(first.what());
    try {
      claims = identity::jwt_verify_rs256(id_token, jwks(found.jwks_uri, true), check);
    } catch (const Error& second) {
      return refuse(second.what());
    }
  }
  if (!constant_time_equal(claims.value("nonce", ""), state->data.value("nonce", "")))
    return refuse("the id_token's nonce does not match the request");
  if (!claims.value("email_verified", false)) return refuse("Google has not verified this email");
  std::string email = claims.value("email", "");
  if (email.empty()) return refuse("the id_token carries no email");
  return portal.sign_in(request, {email, claims.value("name", ""), claims.value("picture", "")},
                        "google", state->data.value("next", ""));
}

void GoogleProvider::add_routes(web::PortalContext& portal) {
  portal.route(
      "GET", "/login/google", web::Access::kPublic,
      [this, &portal](web::Request& request, web::Visitor&) { return start(portal, request); });
  portal.route(
      "GET", "/authorize", web::Access::kPublic,
      [this, &portal](web::Request& request, web::Visitor&) { return finish(portal, request); });
}

void register_plugin(PluginRegistry& registry) {
  registry.auth_providers.add("google", [] { return std::make_unique<GoogleProvider>(); });
}

}  // namespace da::auth::google
