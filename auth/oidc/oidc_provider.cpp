#include "oidc_provider.hpp"

#include "provider_http.hpp"

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/identity/jwt.hpp"
#include "da/identity/token_store.hpp"
#include "da/module/module_registry.hpp"

namespace da::auth::oidc {

using Json = nlohmann::json;

namespace {

constexpr const char* kPurpose = "oidc_state";
constexpr std::chrono::seconds kStateLifetime{10 * 60};
constexpr identity::RateLimit kStartsPerIp{30, std::chrono::seconds(60)};

std::string redirect_uri(const web::PortalContext& portal) {
  return portal.base_url() + "/authorize";
}

std::string string_claim(const Json& claims, const char* name) {
  auto found = claims.find(name);
  return found != claims.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

bool OidcProvider::available(const config::InstanceConfig& config) const {
  config::Diagnostics diagnostics;
  bool configured = read_oidc_settings(config.auth, diagnostics).has_value();
  diagnostics.throw_if_errors("invalid OpenID Connect sign-in settings");
  return configured;
}

void OidcProvider::check(const config::InstanceConfig& config,
                         config::Diagnostics& diagnostics) const {
  read_oidc_settings(config.auth, diagnostics);
}

web::LoginButton OidcProvider::login_button(const config::InstanceConfig& config) const {
  config::Diagnostics ignored;  // available() has refused invalid settings
  auto settings = read_oidc_settings(config.auth, ignored);
  web::LoginButton button;
  button.text = "Sign in with " + settings.value_or(OidcSettings{}).name;
  button.url = "/login/oidc";
  button.css_class = "btn-oidc";
  button.order = 10;
  return button;
}

OidcProvider::Endpoints OidcProvider::endpoints() {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (endpoints_ && now - endpoints_at_ < std::chrono::hours(1)) return *endpoints_;
  Json document = fetch_json(settings_.discovery_url, "the OpenID discovery document");
  Endpoints found{string_claim(document, "issuer"),
                  string_claim(document, "authorization_endpoint"),
                  string_claim(document, "token_endpoint"), string_claim(document, "jwks_uri"),
                  string_claim(document, "userinfo_endpoint")};
  if (found.issuer.empty() || found.authorization.empty() || found.token.empty() ||
      found.jwks_uri.empty())
    throw Error(ErrorKind::kSource, "the OpenID discovery document at " + settings_.discovery_url +
                                        " lacks an endpoint");
  endpoints_ = found;
  endpoints_at_ = now;
  return found;
}

web::Response OidcProvider::start(web::PortalContext& portal, web::Request& request) {
  // Each start stores a state token: bound the rows a client can make.
  if (!portal.rate_limit("oidc-start:" + request.client_ip(), kStartsPerIp).allowed)
    return portal.login_error(request, "Too many sign-in attempts. Wait a minute and try again.",
                              429);
  Endpoints found = endpoints();
  web::Response response;
  std::string binding = portal.browser_binding(request, response);
  std::string nonce = random_token(), verifier = random_token(48);
  std::string state =
      identity::TokenStore(portal.db())
          .issue(kPurpose, name(), kStateLifetime, binding,
                 {{"nonce", nonce},
                  {"verifier", verifier},
                  {"next", web::safe_local_path(request.query_param("next").value_or(""))}});
  std::vector<std::pair<std::string, std::string>> query = {
      {"response_type", "code"},
      {"client_id", settings_.client_id},
      {"redirect_uri", redirect_uri(portal)},
      {"scope", "openid email profile"},
      {"state", state},
      {"nonce", nonce},
      {"code_challenge", base64url_encode(sha256_raw(verifier))},
      {"code_challenge_method", "S256"}};
  if (!settings_.prompt.empty()) query.emplace_back("prompt", settings_.prompt);
  std::string url = found.authorization +
                    (found.authorization.find('?') == std::string::npos ? "?" : "&") +
                    net::form_encode(query);
  web::Response redirect = web::Response::redirect(url, 302);
  for (auto& [header, value] : response.headers)
    redirect.add_header(header, value);
  return redirect;
}

Json OidcProvider::exchange(const Endpoints& found, const std::string& code,
                            const std::string& verifier, const std::string& redirect) {
  net::HttpRequest request = provider_request(found.token);
  request.method = "POST";
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.body = net::form_encode({{"grant_type", "authorization_code"},
                                   {"code", code},
                                   {"redirect_uri", redirect},
                                   {"client_id", settings_.client_id},
                                   {"client_secret", settings_.client_secret},
                                   {"code_verifier", verifier}});
  net::HttpResponse answer = net::HttpClient().send(request);
  Json tokens = Json::parse(answer.body, nullptr, false);
  if (answer.status == 200 && tokens.is_object() && !string_claim(tokens, "id_token").empty())
    return tokens;
  std::string said = tokens.is_object() ? oauth_error_text(tokens) : std::string();
  throw Error(ErrorKind::kAuth, "the token endpoint answered HTTP " +
                                    std::to_string(answer.status) +
                                    (said.empty() ? "" : " (" + said + ")"));
}

Json OidcProvider::verified_claims(const Endpoints& found, const std::string& id_token,
                                   const std::string& nonce) {
  identity::JwtCheck check;
  check.issuer = found.issuer;
  check.audience = settings_.client_id;
  check.leeway_seconds = 60;
  std::string kid = string_claim(identity::jwt_peek_header(id_token), "kid");
  Json claims = identity::jwt_verify_rs256(id_token, jwks_.keys_for(found.jwks_uri, kid), check);
  if (!constant_time_equal(string_claim(claims, "nonce"), nonce))
    throw Error(ErrorKind::kAuth, "the id_token's nonce does not match the request");
  return claims;
}

identity::SignInProfile OidcProvider::profile(const Endpoints& found, const Json& claims,
                                              const std::string& access_token) {
  Json source = claims;
  if (!claims.contains("email") || !claims.contains("email_verified")) {
    if (found.userinfo.empty())
      throw Error(ErrorKind::kAuth,
                  "the id_token carries no verified email and the provider has no userinfo "
                  "endpoint");
    source = fetch_json(found.userinfo, "the provider's userinfo endpoint", access_token);
    // The userinfo response must be about the person the id_token names (OpenID Connect 5.3.2).
    if (string_claim(source, "sub").empty() ||
        string_claim(source, "sub") != string_claim(claims, "sub"))
      throw Error(ErrorKind::kAuth, "the userinfo answer is about another subject");
  }
  auto verified = source.find("email_verified");
  if (verified == source.end() || *verified != true)
    throw Error(ErrorKind::kAuth, settings_.name + " has not verified this email");
  std::string email = string_claim(source, "email");
  if (email.empty()) throw Error(ErrorKind::kAuth, "the provider sent no email");
  auto either = [&](const char* claim) {
    std::string value = string_claim(claims, claim);
    return value.empty() ? string_claim(source, claim) : value;
  };
  return {email, either("name"), either("picture")};
}

web::Response OidcProvider::finish(web::PortalContext& portal, web::Request& request) {
  auto refuse = [&](const std::string& why, int status) {
    log::warn("portal: {} sign-in refused: {}", settings_.name, why);
    return portal.login_error(request, settings_.name + " sign-in failed: " + why, status);
  };
  // The state first: the provider's error text is shown only on an answer to this browser's
  // own sign-in, never on a link anyone could write.
  std::string binding = portal.existing_browser_binding(request);
  std::optional<identity::OneTimeToken> state;
  if (!binding.empty())
    state = identity::TokenStore(portal.db())
                .consume(kPurpose, request.query_param("state").value_or(""), binding);
  if (!state)
    return refuse("the sign-in request expired or came from another browser; start again", 403);
  if (auto error = request.query_param("error"))
    return refuse(
        "the provider answered " +
            oauth_error_text(*error, request.query_param("error_description").value_or("")),
        403);
  std::string code = request.query_param("code").value_or("");
  if (code.empty()) return refuse("no authorization code", 403);
  try {
    Endpoints found = endpoints();
    Json tokens = exchange(found, code, state->data.value("verifier", ""), redirect_uri(portal));
    Json claims =
        verified_claims(found, string_claim(tokens, "id_token"), state->data.value("nonce", ""));
    return portal.sign_in(request, profile(found, claims, string_claim(tokens, "access_token")),
                          settings_.preset.empty() ? name() : settings_.preset,
                          state->data.value("next", ""));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kAuth) return refuse(e.what(), 403);
    if (e.kind() == ErrorKind::kSource) return refuse(e.what(), 502);
    throw;
  }
}

void OidcProvider::add_routes(web::PortalContext& portal) {
  config::Diagnostics diagnostics;
  settings_ = read_oidc_settings(portal.config().auth, diagnostics).value_or(OidcSettings{});
  auto start_route = [this, &portal](web::Request& request, web::Visitor&) {
    return start(portal, request);
  };
  // Each may wait on the provider (discovery, token exchange, keys, userinfo): blocking routes.
  portal.route_blocking("GET", "/login/oidc", web::Access::kPublic, start_route);
  // The address of the Google sign-in before it was generalised; links to it keep working.
  portal.route_blocking("GET", "/login/google", web::Access::kPublic, start_route);
  portal.route_blocking(
      "GET", "/authorize", web::Access::kPublic,
      [this, &portal](web::Request& request, web::Visitor&) { return finish(portal, request); });
}

void register_module(ModuleRegistry& registry) {
  registry.auth_providers.add("oidc", [] { return std::make_unique<OidcProvider>(); });
}

}  // namespace da::auth::oidc
