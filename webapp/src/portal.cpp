#include "da/web/portal.hpp"

#include <algorithm>
#include <atomic>
#include <unordered_map>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/mail/mail_queue.hpp"
#include "da/net/http_client.hpp"
#include "da/net/origin.hpp"
#include "da/store/state_store.hpp"
#include "da/web/gzip.hpp"

namespace da::web {

namespace {

uint64_t next_serial() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

// The embedded static files: answered from memory, so inline on the server's I/O thread.
bool is_static_file(const Request& request) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  return request.path.rfind("/static/", 0) == 0 || request.path == "/favicon.ico";
}

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

bool changes_state(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "DELETE" || method == "PATCH";
}

int status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConfig:
    case ErrorKind::kData:
      return 422;
    case ErrorKind::kRequest:
      return 400;
    case ErrorKind::kAuth:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kSource:
      return 502;
    default:
      return 500;
  }
}

}  // namespace

Portal::Portal(const config::InstanceConfig& config, const AuthProviderRegistry& providers,
               const PortalFeatureRegistry& features, const sync::DataSourceRegistry* data_sources,
               identity::AccountProvisioner* provisioner)
    : config_(config),
      data_sources_(data_sources),
      provisioner_(provisioner),
      session_limits_{std::chrono::minutes(config.server.session_idle_minutes),
                      std::chrono::hours(config.server.session_absolute_hours)},
      catalog_(config),
      origin_(net::origin_of(config.server.base_url)),
      sub_path_(config.server.base_path()),
      content_marker_("\x1e" + random_token(12) + "\x1e"),
      serial_(next_serial()) {
  if (config_.auth.webapp_secret_key.size() < 32)
    throw Error(ErrorKind::kConfig,
                "auth.webapp_secret_key: the portal refuses to start without a secret key of 32+ "
                "characters (set WEBAPP_SECRET_KEY, e.g. `openssl rand -hex 32`)");
  if (config_.server.base_url.empty())
    throw Error(ErrorKind::kConfig,
                "server.base_url (or server.hostname) must be set for the portal");
  for (auto& provider : providers.create_all())
    if (provider->available(config_)) providers_.push_back(std::move(provider));
  std::stable_sort(providers_.begin(), providers_.end(), [this](const auto& a, const auto& b) {
    return a->login_button(config_).order < b->login_button(config_).order;
  });
  start_mail_queue();
  features_ = features.create_all();
  for (auto& feature : features_)
    feature->add_routes(*this);
  for (auto& provider : providers_)
    provider->add_routes(*this);
  start_filter_retries();
}

Portal::~Portal() = default;

store::SqliteDatabase& Portal::db() {
  // Keyed by the portal's serial number, not its address: a new portal may be built where an
  // old one was, and must not get that one's connection (another state database).
  thread_local std::unordered_map<uint64_t, std::unique_ptr<store::StateStore>> stores;
  auto& store = stores[serial_];
  if (!store) store = std::make_unique<store::StateStore>(config_.paths.state_db);
  return store->database();
}

Response Portal::handle(Request& request) {
  Response response;
  try {
    response = dispatch(request);
  } catch (const std::exception& e) {
    log::error("portal: {} {} failed: {}", request.method, request.path_for_log(), e.what());
    response =
        request.is_api()
            ? Response::json_error(500, "Internal error")
            : Response::html(500, "<!doctype html><title>Error</title><p>Internal error</p>");
  }
  sub_path_.publish(request, response);
  add_security_headers(request, response);
  compress_if_worth_it(request, response);
  return response;
}

Response Portal::dispatch(Request& request) {
  switch (sub_path_.enter(request)) {
    case SubPath::Entry::kBare:
      return sub_path_.redirect_to_root(request);
    case SubPath::Entry::kOutside:
      return error_page(request, Visitor{}, 404, "This page does not exist.");
    case SubPath::Entry::kInside:
      break;
  }
  if (is_static_file(request))
    return request.path == "/favicon.ico"
               ? assets_.serve(request, "favicon.svg")
               : assets_.serve(request, std::string_view(request.path).substr(8));
  Router::Match match = router_.match(request);
  if (match.outcome == Router::Outcome::kMatched) return (*match.handler)(request);
  if (match.outcome == Router::Outcome::kMethodNotAllowed) {
    Response response = request.is_api() ? Response::json_error(405, "Method not allowed")
                                         : Response::text(405, "Method Not Allowed\n");
    response.set_header("Allow", match.allowed_methods);
    return response;
  }
  if (request.is_api()) return Response::json_error(404, "Not found");
  return error_page(request, resolve_visitor(request), 404, "This page does not exist.");
}

void Portal::compress_if_worth_it(const Request& request, Response& response) const {
  if (response.body.size() < 1400 || !response.header("Content-Encoding").empty()) return;
  std::string_view type = response.header("Content-Type");
  bool textual = type.rfind("text/", 0) == 0 || type.rfind("application/json", 0) == 0;
  if (!textual || !accepts_gzip(request.header("accept-encoding"))) return;
  response.body = gzip(response.body, 1);
  response.set_header("Content-Encoding", "gzip");
  response.set_header("Vary", "Accept-Encoding");
}

void Portal::add_security_headers(const Request& request, Response& response) const {
  response.set_header("X-Content-Type-Options", "nosniff");
  // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts,
  // which the Origin check must refuse; tokens in URLs still never leave the site.
  response.set_header("Referrer-Policy", "same-origin");
  response.set_header("X-Frame-Options", "DENY");
  if (response.header("Content-Security-Policy").empty())
    response.set_header("Content-Security-Policy", kContentSecurityPolicy);
  if (config_.server.secure_cookies())
    response.set_header("Strict-Transport-Security", "max-age=31536000");
  if (request.path.rfind("/static/", 0) != 0 && response.header("Cache-Control").empty())
    response.set_header("Cache-Control", "no-store");
}

std::optional<Response> Portal::guard(Request& request, Visitor& visitor, Access access) {
  if (access != Access::kPublic && !visitor.signed_in()) {
    if (request.is_api() || visitor.via_bearer)
      return Response::json_error(
          401, visitor.via_bearer ? "Invalid or expired token" : "Sign-in required");
    std::string next = request.method == "GET" ? request.target : "/dashboard";
    return Response::redirect("/login?next=" + net::url_encode(next));
  }
  bool allowed = access == Access::kPublic || access == Access::kSignedIn ||
                 (access == Access::kPrivileged && visitor.user->is_privileged()) ||
                 (access == Access::kAdmin && visitor.user->is_admin());
  if (!allowed) {
    std::string message =
        access == Access::kAdmin ? "Admin access required" : "Privileged access required";
    return request.is_api() ? Response::json_error(403, message)
                            : error_page(request, visitor, 403, message + ".");
  }
  if (!changes_state(request.method) || visitor.via_bearer) return std::nullopt;
  return cross_site_refusal(request, visitor);
}

Handler Portal::guarded(Access access, PortalHandler handler) {
  return [this, access, handler = std::move(handler)](Request& request) -> Response {
    Visitor visitor = resolve_visitor(request);
    if (auto refused = guard(request, visitor, access)) return std::move(*refused);
    try {
      return handler(request, visitor);
    } catch (const Error& e) {
      int status = status_for(e.kind());
      if (status >= 500)
        log::error("portal: {} {}: {}", request.method, request.path_for_log(), e.what());
      std::string message = status >= 500 && e.kind() != ErrorKind::kSource ? "Internal error"
                                                                            : std::string(e.what());
      return request.is_api() ? Response::json_error(status, message)
                              : error_page(request, visitor, status, message);
    }
  };
}

void Portal::route(std::string method, std::string pattern, Access access, PortalHandler handler) {
  router_.add(std::move(method), std::move(pattern), guarded(access, std::move(handler)));
}

void Portal::route_blocking(std::string method, std::string pattern, Access access,
                            PortalHandler handler) {
  router_.add(std::move(method), std::move(pattern), guarded(access, std::move(handler)), true);
}

Lane Portal::lane_of(Request& request) const {
  if (sub_path_.enter(request) != SubPath::Entry::kInside) return Lane::kWorker;
  if (is_static_file(request)) return Lane::kInline;
  return router_.match(request).blocking ? Lane::kBlocking : Lane::kWorker;
}

}  // namespace da::web
