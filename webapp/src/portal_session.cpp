// Sessions, sign-in and the browser binding: who a request comes from, the cookies that say
// it, and the CSRF and Origin checks of cookie-borne state changes.
#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/net/origin.hpp"
#include "da/web/portal.hpp"

namespace da::web {

namespace {

constexpr const char* kSessionCookie = "da_session";
constexpr const char* kBindingCookie = "da_bind";

// The browser-binding cookie if it has the form we issue.
std::optional<std::string> binding_cookie(const Request& request) {
  auto value = request.cookie(kBindingCookie);
  if (!value || value->size() < 32 || value->size() > 64) return std::nullopt;
  return value;
}

}  // namespace

Visitor Portal::resolve_visitor(const Request& request) {
  Visitor visitor;
  std::string_view authorization = request.header("authorization");
  if (authorization.size() > 7 && to_lower(authorization.substr(0, 7)) == "bearer ") {
    std::string token(trim(authorization.substr(7)));
    visitor.via_bearer = true;
    if (auto user = identity::ApiTokenStore(db()).authenticate_personal(token)) {
      visitor.user = std::move(user);
      return visitor;
    }
    for (const auto& authenticate : bearer_authenticators_) {
      if (auto user = authenticate(token)) {
        visitor.user = std::move(user);
        return visitor;
      }
    }
    return visitor;
  }
  if (auto id = request.cookie(kSessionCookie)) {
    identity::SessionStore sessions(db(), session_limits_);
    if (auto session = sessions.find(*id)) {
      visitor.user = session->user;
      visitor.session = std::move(session);
    }
  }
  return visitor;
}

std::optional<Response> Portal::cross_site_refusal(const Request& request, const Visitor& visitor) {
  // Cookie-borne state changes: same origin, and the CSRF token of the session or browser.
  std::string_view origin = request.header("origin");
  if (!origin.empty() && !net::same_origin(origin, origin_)) {
    return request.is_api() ? Response::json_error(403, "Cross-origin request refused")
                            : error_page(request, visitor, 403, "Cross-origin request refused.");
  }
  std::string_view fetch_site = request.header("sec-fetch-site");
  if (!fetch_site.empty() && fetch_site != "same-origin" && fetch_site != "none") {
    return request.is_api() ? Response::json_error(403, "Cross-site request refused")
                            : error_page(request, visitor, 403, "Cross-site request refused.");
  }
  // Without a session there is no ambient authority to abuse, except a sign-in forced on the
  // browser; a JSON body cannot be sent cross-site without a CORS preflight, which this server
  // never grants, so anonymous JSON calls (the desktop app's refresh) need no token.
  if (!visitor.session && request.header("content-type").substr(0, 16) == "application/json")
    return std::nullopt;
  std::string presented(request.header("x-csrf-token"));
  if (presented.empty()) presented = request.form_value("csrf_token");
  std::string expected;
  if (visitor.session) {
    expected = visitor.session->csrf_token;
  } else {
    if (auto binding = binding_cookie(request))
      expected = base64url_encode(hmac_sha256(config_.auth.webapp_secret_key, "csrf:" + *binding));
  }
  if (expected.empty() || presented.empty() || !constant_time_equal(presented, expected)) {
    return request.is_api()
               ? Response::json_error(403, "Missing or invalid CSRF token")
               : error_page(request, visitor, 403,
                            "The form expired or did not come from this site. Go back, reload "
                            "the page and try again.");
  }
  return std::nullopt;
}

std::optional<std::string> Portal::sign_in_refusal(std::string_view email) const {
  std::string lower = to_lower(trim(email));
  auto at = lower.rfind('@');
  if (lower.empty() || at == std::string::npos || at == 0 || at + 1 == lower.size())
    return "Enter a valid email address.";
  for (const std::string& allowed : config_.auth.allowed_emails)
    if (allowed == lower) return std::nullopt;
  std::string domain = lower.substr(at + 1);
  for (const std::string& allowed : config_.auth.allowed_domains)
    if (allowed == domain) return std::nullopt;
  std::vector<std::string> shown;
  for (const std::string& allowed : config_.auth.allowed_domains)
    shown.push_back("@" + allowed);
  if (shown.empty()) return "This address is not allowed to sign in here.";
  return "Only " + join(shown, ", ") + " email addresses are allowed.";
}

Response Portal::sign_in(const Request& request, const identity::SignInProfile& profile,
                         const std::string& provider, const std::string& next) {
  if (auto refusal = sign_in_refusal(profile.email)) return login_error(request, *refusal, 403);
  identity::User user;
  try {
    user = identity::UserStore(db()).record_sign_in(profile, config_.username_mapping);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kAuth && e.kind() != ErrorKind::kConflict) throw;
    return login_error(request, e.what(), 403);
  }
  identity::SessionStore sessions(db(), session_limits_);
  if (auto previous = request.cookie(kSessionCookie)) sessions.revoke(*previous);
  identity::NewSession session = sessions.create(user.id, provider, request.client_ip(),
                                                 std::string(request.header("user-agent")));
  log::info("portal: {} signed in with {}", user.email, provider);
  std::string target = safe_local_path(next);
  Response response = Response::redirect(target.empty() ? "/dashboard" : target);
  response.add_header("Set-Cookie", session_cookie(session.id, false));
  return response;
}

std::string Portal::session_cookie(const std::string& value, bool clear) const {
  std::string cookie = std::string(kSessionCookie) + "=" + (clear ? "" : value) +
                       "; Path=" + sub_path_.cookie_path() + "; HttpOnly; SameSite=Lax";
  if (config_.server.secure_cookies()) cookie += "; Secure";
  cookie += clear ? "; Max-Age=0"
                  : "; Max-Age=" + std::to_string(config_.server.session_absolute_hours * 3600);
  return cookie;
}

std::string Portal::browser_binding(const Request& request, Response& response) {
  if (auto existing = binding_cookie(request)) return *existing;
  std::string value = random_token();
  std::string cookie = std::string(kBindingCookie) + "=" + value +
                       "; Path=" + sub_path_.cookie_path() +
                       "; HttpOnly; SameSite=Lax; Max-Age=2592000";
  if (config_.server.secure_cookies()) cookie += "; Secure";
  response.add_header("Set-Cookie", cookie);
  return value;
}

std::string Portal::existing_browser_binding(const Request& request) const {
  return binding_cookie(request).value_or("");
}

std::string Portal::anonymous_csrf(const Request& request, Response& response) {
  std::string binding = browser_binding(request, response);
  return base64url_encode(hmac_sha256(config_.auth.webapp_secret_key, "csrf:" + binding));
}

void Portal::add_bearer_authenticator(BearerAuthenticator authenticator) {
  bearer_authenticators_.push_back(std::move(authenticator));
}

identity::RateDecision Portal::rate_limit(const std::string& bucket, identity::RateLimit limit) {
  return identity::RateLimiter(db()).hit(bucket, limit);
}

}  // namespace da::web
