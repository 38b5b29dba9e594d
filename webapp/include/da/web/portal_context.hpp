// What the portal offers its routes and its auth providers: configuration, this thread's
// state-store connection, access-checked route registration, page rendering, sessions,
// rate limits and mail.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "da/config/instance_config.hpp"
#include "da/identity/rate_limiter.hpp"
#include "da/identity/user_store.hpp"
#include "da/store/sqlite_database.hpp"
#include "da/web/request.hpp"
#include "da/web/response.hpp"
#include "da/web/visitor.hpp"

namespace da::web {

using PortalHandler = std::function<Response(Request&, Visitor&)>;

// Whether sign-in links can reach anyone: mail (or dev mode) is configured and someone is
// allowed to sign in. The email and password providers need it.
bool can_deliver_sign_in_links(const config::InstanceConfig& config);

class PortalContext {
 public:
  virtual ~PortalContext() = default;

  virtual const config::InstanceConfig& config() const = 0;
  // The calling thread's own connection to the state store.
  virtual store::SqliteDatabase& db() = 0;
  // server.base_url without a trailing slash (its path included); every absolute link starts
  // with it. Routes, redirects and `next` values are site-local paths instead ("/dashboard"):
  // the portal adds its sub-path to those (da/web/sub_path.hpp).
  virtual const std::string& base_url() const = 0;

  // Registers a route. The wrapper resolves the visitor, enforces `access` (anonymous API
  // calls get 401 JSON, pages a redirect to /login; missing roles 403), checks CSRF and
  // Origin on state-changing cookie requests, and maps thrown da::Error kinds to statuses.
  virtual void route(std::string method, std::string pattern, Access access,
                     PortalHandler handler) = 0;
  // route() for a handler that may wait long: hashing a password, calling another server (an
  // identity provider). It runs on the server's blocking pool, so a crowd of such requests
  // never delays the other pages.
  virtual void route_blocking(std::string method, std::string pattern, Access access,
                              PortalHandler handler) = 0;

  // A page in the portal layout. `data` is the page's Mustache context; the layout adds the
  // user, CSRF token, branding and navigation.
  virtual Response render(const Request& request, const Visitor& visitor, std::string_view page,
                          nlohmann::json data, int status = 200) = 0;
  // render() for a form shown to anonymous visitors: adds `csrf_token_form` to `data` and sets
  // the browser-binding cookie it derives from when the browser has none.
  virtual Response render_form(const Request& request, const Visitor& visitor,
                               std::string_view page, nlohmann::json data, int status = 200) = 0;
  // The login page with `error` shown (status 4xx).
  virtual Response login_error(const Request& request, const std::string& error, int status) = 0;

  // A message a page shows after a redirect that carries `?notice=<code>`: only the code travels
  // in the URL, so no text on the page comes from the URL. Each module adds the codes its
  // redirects use, in add_routes(). Throws Error(kInternal) when `code` already has another text.
  virtual void add_notice(std::string code, std::string text) = 0;
  // The message of `code`, or "" for a code no module added.
  virtual std::string notice_text(std::string_view code) const = 0;

  // Why `email` may not sign in (domain and allow-list check), or nullopt.
  virtual std::optional<std::string> sign_in_refusal(std::string_view email) const = 0;
  // Creates the user if new, starts a fresh session (any session id the browser held is
  // revoked: no fixation) and redirects to `next` (a local path) or /dashboard.
  virtual Response sign_in(const Request& request, const identity::SignInProfile& profile,
                           const std::string& provider, const std::string& next = {}) = 0;

  // A random value tied to this browser (cookie da_bind, set on `response` if missing): binds
  // magic links and OpenID state to the browser that asked for them.
  virtual std::string browser_binding(const Request& request, Response& response) = 0;
  // The binding of the browser that sent `request` (its da_bind cookie, if of the form issued),
  // or "": what a magic link, a password link or an OpenID state must be presented with.
  virtual std::string existing_browser_binding(const Request& request) const = 0;
  // CSRF token for forms shown to anonymous visitors (derived from the binding cookie).
  virtual std::string anonymous_csrf(const Request& request, Response& response) = 0;

  // Lets a provider accept its own bearer tokens (the desktop app's JWTs) on API routes.
  // The function returns the token's active user, or nullopt when the token is not its kind.
  using BearerAuthenticator =
      std::function<std::optional<identity::User>(const std::string& token)>;
  virtual void add_bearer_authenticator(BearerAuthenticator authenticator) = 0;

  virtual identity::RateDecision rate_limit(const std::string& bucket,
                                            identity::RateLimit limit) = 0;
  // A mail carrying one link: `intro`, the absolute link (base_url + `path`), then `outro`.
  // `purpose` names it in the mail log ("magic_link").
  struct LinkMail {
    std::string to, subject, intro, path, outro, purpose;
  };
  // Queues the mail and returns at once (delivery is in the background and recorded for
  // administrators), or, with auth.email.dev_mode, sends nothing and returns `path` for the
  // page to show (site-local: templates put {{base}} before it). Throws Error(kConflict) when too
  // much mail is waiting; never shows the link because mail failed.
  virtual std::optional<std::string> deliver_link(const LinkMail& mail) = 0;
};

}  // namespace da::web
