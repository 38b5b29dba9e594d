#include "da/web/portal.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <unordered_map>

#include "da/accounts/pending_filter_refreshes.hpp"
#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/common/time.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/identity/ssh_key.hpp"
#include "da/mail/email_settings.hpp"
#include "da/mail/mail_queue.hpp"
#include "da/net/http_client.hpp"
#include "da/store/state_store.hpp"
#include "da/web/gzip.hpp"

namespace da::web {

using Json = nlohmann::json;

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

constexpr const char* kSessionCookie = "da_session";
constexpr const char* kBindingCookie = "da_bind";

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

bool changes_state(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "DELETE" || method == "PATCH";
}

std::string origin_of(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  auto path_start = url.find('/', scheme_end + 3);
  return to_lower(url.substr(0, path_start));
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

// The browser-binding cookie if it has the form we issue.
std::optional<std::string> binding_cookie(const Request& request) {
  auto value = request.cookie(kBindingCookie);
  if (!value || value->size() < 32 || value->size() > 64) return std::nullopt;
  return value;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string safe_local_path(std::string_view next) {
  if (next.empty() || next.front() != '/' || next.size() > 1000) return {};
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return {};
  for (char c : next)
    if (c == '\\' || c == '\r' || c == '\n' || static_cast<unsigned char>(c) < 0x20) return {};
  return std::string(next);
}

Portal::Portal(const config::InstanceConfig& config, const AuthProviderRegistry& providers,
               const sync::DataSourceRegistry* data_sources,
               identity::AccountProvisioner* provisioner)
    : config_(config),
      data_sources_(data_sources),
      provisioner_(provisioner),
      session_limits_{std::chrono::minutes(config.server.session_idle_minutes),
                      std::chrono::hours(config.server.session_absolute_hours)},
      catalog_(config),
      origin_(origin_of(config.server.base_url)),
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
  const mail::EmailSettings email = mail::EmailSettings::from(config_);
  if (!email.smtp_host.empty() && !config_.auth.email_dev_mode) {
    net::SmtpSettings smtp;
    smtp.host = email.smtp_host;
    smtp.port = email.smtp_port;
    smtp.user = email.smtp_user;
    smtp.password = email.smtp_password;
    smtp.use_tls = email.smtp_use_tls;
    smtp.ca_file = email.smtp_ca_file;
    smtp.from_address = email.from_address;
    smtp.from_name = email.from_name;
    smtp.timeout = std::chrono::seconds(email.smtp_timeout_seconds);
    mail::MailQueueOptions options;
    options.state_db = config_.paths.state_db;
    mail_ = std::make_unique<mail::MailQueue>(
        options, [client = net::SmtpClient(smtp)](const net::MailMessage& message) {
          client.send(message);
        });
  }
  add_page_routes();
  add_api_routes();
  add_pull_routes();
  add_notification_routes();
  add_mail_routes();
  for (auto& provider : providers_)
    provider->add_routes(*this);
  if (provisioner_)
    filter_retries_ = std::jthread([this](std::stop_token stop) {
      std::mutex mutex;
      std::condition_variable_any wake;
      while (!stop.stop_requested()) {
        std::unique_lock lock(mutex);
        wake.wait_for(lock, stop, std::chrono::seconds(30), [] { return false; });
        if (stop.stop_requested()) return;
        try {
          retry_pending_filter_refreshes();
        } catch (const std::exception& e) {
          log::error("portal: retrying the rsync filter refreshes failed: {}", e.what());
        }
      }
    });
}

Portal::~Portal() = default;

std::optional<std::string> Portal::selection_changed(const std::string& username) {
  if (!provisioner_) return std::nullopt;
  try {
    accounts::PendingFilterRefreshes(db()).run(
        username, [this](const std::string& who) { provisioner_->selection_changed(who); });
    return std::nullopt;
  } catch (const Error& e) {
    log::error(
        "portal: the rsync filter{} could not be refreshed ({}); recorded for the "
        "administrators and retried every 30 s",
        username.empty() ? "s" : " of " + username, e.what());
    return "Saved, but the server could not yet update what SSH pulls fetch (" +
           std::string(e.what()) +
           "). Until it does, `da pull --via ssh` follows the old selection; the portal retries "
           "every 30 seconds. HTTPS pulls follow the change already.";
  }
}

nlohmann::json Portal::pending_filter_refreshes_json() {
  Json list = Json::array();
  for (const auto& entry : accounts::PendingFilterRefreshes(db()).all())
    list.push_back({{"user", entry.username.empty() ? "every analyst" : entry.username},
                    {"error", entry.error},
                    {"since", format_iso8601(from_epoch_micros(entry.first_failed_at))},
                    {"attempts", entry.attempts}});
  return list;
}

void Portal::retry_pending_filter_refreshes() {
  accounts::PendingFilterRefreshes pending(db());
  std::vector<accounts::PendingFilterRefresh> entries = pending.all();
  bool everyone = std::any_of(entries.begin(), entries.end(),
                              [](const auto& entry) { return entry.username.empty(); });
  for (const auto& entry : entries) {
    if (everyone && !entry.username.empty()) continue;  // the refresh of everyone covers them
    selection_changed(entry.username);
  }
}

std::vector<std::string> Portal::provider_names() const {
  std::vector<std::string> names;
  for (const auto& provider : providers_)
    names.push_back(provider->name());
  return names;
}

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
  // Cookie-borne state changes: same origin, and the CSRF token of the session or browser.
  std::string_view origin = request.header("origin");
  if (!origin.empty() && to_lower(origin) != origin_) {
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

Json Portal::layout_data(const Request& request, const Visitor& visitor) const {
  Json data = {{"instance_name", config_.instance.name},
               {"instance_subtitle", config_.instance.subtitle},
               {"copyright", config_.instance.copyright},
               {"asset_version", assets_.version()},
               {"base", sub_path_.prefix()},
               {"path", request.path},
               {"signed_in", visitor.signed_in()},
               {"csrf_token", visitor.csrf_token()}};
  if (visitor.user) {
    const auto& user = *visitor.user;
    std::string initials;
    for (const std::string& part : split_trimmed(user.name.empty() ? user.email : user.name, ' '))
      if (initials.size() < 2 && !part.empty())
        initials.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(part[0]))));
    data["user"] = {{"email", user.email},
                    {"name", user.name},
                    {"initials", initials},
                    {"username", user.username},
                    {"role_label", user.role_label()},
                    {"is_admin", user.is_admin()}};
  }
  return data;
}

Response Portal::render(const Request& request, const Visitor& visitor, std::string_view page,
                        Json data, int status) {
  Json layout = layout_data(request, visitor);
  for (auto it = layout.begin(); it != layout.end(); ++it)
    if (!data.contains(it.key())) data[it.key()] = it.value();
  return wrap(request, visitor, data.value("title", config_.instance.name),
              templates_.render(page, data), data.value("bare", false), status);
}

Response Portal::render_form(const Request& request, const Visitor& visitor, std::string_view page,
                             Json data, int status) {
  Response cookies;
  data["csrf_token_form"] = anonymous_csrf(request, cookies);
  Response response = render(request, visitor, page, std::move(data), status);
  for (auto& [name, value] : cookies.headers)
    response.add_header(name, value);
  return response;
}

std::shared_ptr<const Portal::Layout> Portal::layout_around(const Request& request,
                                                            const Visitor& visitor,
                                                            const std::string& title, bool bare) {
  Json layout = layout_data(request, visitor);
  layout["title"] = title;
  layout["bare"] = bare;
  std::string key = layout.dump();
  {
    std::lock_guard lock(layouts_mutex_);
    auto found = layouts_.find(key);
    if (found != layouts_.end()) return found->second;
  }
  layout["content"] = content_marker_;
  std::string page = templates_.render("layout", layout);
  auto split = page.find(content_marker_);
  auto rendered = std::make_shared<Layout>(
      Layout{page.substr(0, split), page.substr(split + content_marker_.size())});
  std::lock_guard lock(layouts_mutex_);
  if (layouts_.size() >= 4096) layouts_.clear();  // bounded; rebuilt on demand
  layouts_.emplace(std::move(key), rendered);
  return rendered;
}

Response Portal::wrap(const Request& request, const Visitor& visitor, const std::string& title,
                      std::string content, bool bare, int status) {
  auto layout = layout_around(request, visitor, title, bare);
  return Response::html(status, layout->prefix + content + layout->suffix);
}

std::shared_ptr<const SharedContent> Portal::render_shared(std::string_view page,
                                                           const std::string& version,
                                                           const std::function<Json()>& data) {
  {
    std::lock_guard lock(shared_pages_mutex_);
    auto found = shared_pages_.find(page);
    if (found != shared_pages_.end() && found->second.first == version) return found->second.second;
  }
  auto content = std::make_shared<SharedContent>();
  Json page_data = data();
  page_data["base"] = sub_path_.prefix();
  content->html = templates_.render(page, page_data);
  content->compressed = deflate_piece(content->html);
  std::lock_guard lock(shared_pages_mutex_);
  shared_pages_[std::string(page)] = {version, content};
  return content;
}

Response Portal::wrap_shared(const Request& request, const Visitor& visitor,
                             const std::string& title, const SharedContent& content) {
  auto layout = layout_around(request, visitor, title, false);
  Response page = Response::html(200, "");
  if (accepts_gzip(request.header("accept-encoding"))) {
    // The layout around the shared content is only framed, not compressed, per request.
    DeflatePiece pieces[] = {stored_piece(layout->prefix), content.compressed,
                             stored_piece(layout->suffix)};
    page.body = gzip_join(pieces, 3);
    page.set_header("Content-Encoding", "gzip");
  } else {
    page.body = layout->prefix + content.html + layout->suffix;
  }
  page.set_header("Vary", "Accept-Encoding");
  return page;
}

Response Portal::error_page(const Request& request, const Visitor& visitor, int status,
                            const std::string& message) {
  return render(request, visitor, "error",
                {{"title", std::string("Error ") + std::to_string(status)},
                 {"code", status},
                 {"reason", status_reason(status)},
                 {"message", message}},
                status);
}

Response Portal::login_page(const Request& request, const std::string& next,
                            const std::string& notice, const std::string& error, int status) {
  Json buttons = Json::array();
  for (const auto& provider : providers_) {
    LoginButton button = provider->login_button(config_);
    if (!button.visible) continue;
    std::string url = sub_path_.public_path(button.url);
    if (!next.empty())
      url += (url.find('?') == std::string::npos ? "?" : "&") + ("next=" + net::url_encode(next));
    buttons.push_back({{"text", button.text},
                       {"url", url},
                       {"subtitle", button.subtitle},
                       {"css_class", button.css_class}});
  }
  return render(request, Visitor{}, "login",
                {{"title", "Sign in"},
                 {"bare", true},
                 {"buttons", buttons},
                 {"has_buttons", !buttons.empty()},
                 {"notice", notice},
                 {"error", error}},
                status);
}

Response Portal::login_error(const Request& request, const std::string& error, int status) {
  return login_page(request, "", "", error, status);
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

bool can_deliver_sign_in_links(const config::InstanceConfig& config) {
  bool can_deliver =
      !mail::EmailSettings::from(config).smtp_host.empty() || config.auth.email_dev_mode;
  bool has_users = !config.auth.allowed_domains.empty() || !config.auth.allowed_emails.empty();
  return can_deliver && has_users;
}

std::optional<std::string> Portal::deliver_link(const LinkMail& mail) {
  if (config_.auth.email_dev_mode) {
    log::warn("portal: email dev mode: the link for {} is shown in the browser, not mailed",
              mail.to);
    return mail.path;
  }
  if (!mail_)
    throw Error(ErrorKind::kConfig, "email.smtp_host is not configured: no mail can be sent");
  std::string link = config_.server.base_url + mail.path;
  net::MailMessage message;
  message.to = mail.to;
  message.subject = mail.subject;
  message.text_body = mail.intro + "\n\n" + link + "\n\n" + mail.outro + "\n";
  message.html_body = "<p>" + html_escape(mail.intro) + "</p><p><a href=\"" + html_escape(link) +
                      "\">" + html_escape(link) + "</a></p><p>" + html_escape(mail.outro) + "</p>";
  mail_->enqueue(std::move(message), mail.purpose);
  return std::nullopt;
}

identity::ProvisionResult Portal::register_ssh_key(const identity::User& user,
                                                   const std::string& pasted) {
  std::string key = identity::normalize_ssh_public_key(pasted);
  identity::UserStore(db()).set_ssh_key(user.id, key);
  if (provisioner_) {
    try {
      return provisioner_->provision(user, key);
    } catch (const Error& e) {
      log::error("creating the server account of {} failed: {}", user.username, e.what());
      return {false, "Your SSH key was saved, but your server account could not be set up yet (" +
                         std::string(e.what()) +
                         "). An administrator can finish it with da admin add-analyst."};
    }
  }
  return {false, "Your SSH key was saved. An administrator creates your server account " +
                     user.username + "; you can sync once it exists."};
}

}  // namespace da::web
