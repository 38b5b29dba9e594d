#include "password_provider.hpp"

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/identity/password.hpp"
#include "da/identity/session_store.hpp"
#include "da/identity/token_store.hpp"
#include "da/mail/email_settings.hpp"
#include "da/module/module_registry.hpp"

namespace da::auth::password {

using Json = nlohmann::json;

namespace {

constexpr const char* kPurpose = "password_set";
constexpr std::chrono::seconds kLinkLifetime{30 * 60};
// Failed sign-ins are counted per account from one client address, per client address for any
// account, and per account from everywhere (a guess spread over many addresses). Each limit
// locks only what it counts: one client's failures lock that client, or that account for that
// client; locking an account for everyone takes 50 failures, which one client's limits stop
// short of (5 per account). Nothing locks out everyone.
constexpr std::chrono::seconds kFailureWindow{15 * 60};
constexpr identity::RateLimit kFailuresPerAccountAndIp{5, kFailureWindow};
constexpr identity::RateLimit kFailuresPerIp{30, kFailureWindow};
constexpr identity::RateLimit kFailuresPerAccount{50, kFailureWindow};
constexpr identity::RateLimit kLinksPerEmail{3, std::chrono::seconds(60 * 60)};
constexpr identity::RateLimit kLinksPerIp{20, std::chrono::seconds(15 * 60)};

const char* kInvalid = "Invalid email or password.";
const char* kLocked =
    "Too many failed sign-ins for this account. Wait 15 minutes, or reset the password.";

// Verifying against a hash nobody has keeps unknown addresses as slow as known ones.
const std::string& decoy_hash() {
  static const std::string hash = identity::hash_password("decoy-password-for-timing");
  return hash;
}

Json page(const char* mode, const std::string& title) {
  return {{"title", title}, {"bare", true}, {mode, true}};
}

web::Response sign_in_with_password(web::PortalContext& portal, web::Request& request,
                                    web::Visitor& visitor) {
  std::string email = to_lower(trim(request.form_value("email")));
  std::string password = request.form_value("password");
  Json data = page("login", "Sign in");
  data["email"] = email;
  data["next"] = web::safe_local_path(request.form_value("next"));
  auto fail = [&](const std::string& message, int status) {
    data["error"] = message;
    return portal.render_form(request, visitor, "password", data, status);
  };
  if (email.empty() || password.empty()) return fail("Enter your email and password.", 422);
  identity::RateLimiter limiter(portal.db());
  const std::string ip = request.client_ip();
  const std::string ip_failures = "pw-fail-ip:" + ip;
  const std::string account_failures = "pw-fail:" + email;
  const std::string pair_failures = "pw-fail:" + email + "|" + ip;
  if (!limiter.check(ip_failures, kFailuresPerIp).allowed)
    return fail("Too many failed sign-ins from your network. Wait 15 minutes.", 429);
  if (!limiter.check(pair_failures, kFailuresPerAccountAndIp).allowed ||
      !limiter.check(account_failures, kFailuresPerAccount).allowed)
    return fail(kLocked, 429);

  std::optional<identity::User> user;
  if (!portal.sign_in_refusal(email)) user = identity::UserStore(portal.db()).find_by_email(email);
  const std::string& hash = user && user->password_hash ? *user->password_hash : decoy_hash();
  bool valid = identity::verify_password(hash, password) && user && user->password_hash;
  if (!valid || user->disabled) {
    for (const std::string& bucket : {ip_failures, account_failures, pair_failures})
      limiter.record(bucket);
    return fail(kInvalid, 401);
  }
  limiter.clear(pair_failures);
  if (identity::password_needs_rehash(hash))
    identity::UserStore(portal.db()).set_password_hash(user->id, identity::hash_password(password));
  return portal.sign_in(request, {email, user->name, ""}, "password",
                        data["next"].get<std::string>());
}

web::Response request_link(web::PortalContext& portal, web::Request& request,
                           web::Visitor& visitor) {
  const auto& config = portal.config();
  std::string email = to_lower(trim(request.form_value("email")));
  Json data = page("reset", "Set your password");
  data["email"] = email;
  if (email.empty()) {
    data["error"] = "Enter your email address.";
    return portal.render_form(request, visitor, "password", data, 422);
  }
  if (!portal.rate_limit("pw-link-ip:" + request.client_ip(), kLinksPerIp).allowed ||
      !portal.rate_limit("pw-link:" + email, kLinksPerEmail).allowed) {
    data["error"] = "Too many links were requested. Wait and try again later.";
    return portal.render_form(request, visitor, "password", data, 429);
  }
  // The same answer whether or not the address may sign in: no account enumeration.
  data["sent"] = true;
  if (portal.sign_in_refusal(email)) return portal.render_form(request, visitor, "password", data);
  identity::TokenStore tokens(portal.db());
  tokens.revoke_all(kPurpose, email);
  // Bound to this browser like the sign-in links: a link read from a mailbox, a log or a
  // proxy elsewhere opens nothing. The CSRF check admitted this POST on the binding cookie.
  web::Response no_new_cookie;
  std::string binding = portal.browser_binding(request, no_new_cookie);
  std::string token = tokens.issue(kPurpose, email, kLinkLifetime, binding);
  std::optional<std::string> shown;
  try {
    shown = portal.deliver_link(
        {email, "Set your password for " + config.instance.name,
         "Set your password for " + config.instance.name + " with this link:",
         "/login/password/set/" + token,
         "It works once, within 30 minutes, in the browser where you asked for it. If you did "
         "not ask for it, ignore this mail; your password stays as it is.",
         kPurpose});
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kConflict) throw;
    tokens.revoke_all(kPurpose, email);
    data.erase("sent");
    data["error"] = e.what();
    return portal.render_form(request, visitor, "password", data, 503);
  }
  if (shown) {
    data.erase("sent");
    data["dev_link"] = *shown;
  }
  return portal.render_form(request, visitor, "password", data);
}

web::Response set_password(web::PortalContext& portal, web::Request& request,
                           web::Visitor& visitor) {
  identity::TokenStore tokens(portal.db());
  const std::string token = request.param("token");
  const std::string binding = portal.existing_browser_binding(request);
  auto open = tokens.peek(kPurpose, token, binding);
  if (!open) return web::Response::redirect("/login?notice=link_expired");
  Json data = page("set", "Choose a password");
  data["email"] = open->subject;
  data["token"] = token;
  if (request.method == "GET") return portal.render_form(request, visitor, "password", data);

  std::string password = request.form_value("password");
  auto fail = [&](const std::string& message) {
    data["error"] = message;
    return portal.render_form(request, visitor, "password", data, 422);
  };
  if (password != request.form_value("confirm_password")) return fail("The passwords differ.");
  if (auto problem = identity::password_policy_problem(password, open->subject))
    return fail("Not accepted: " + *problem + ".");
  if (!tokens.consume(kPurpose, token, binding))
    return web::Response::redirect("/login?notice=link_expired");
  identity::UserStore users(portal.db());
  identity::User user = users.ensure(open->subject, portal.config().username_mapping);
  users.set_password_hash(user.id, identity::hash_password(password));
  // A new password ends every session the old one (or a thief) had opened.
  identity::SessionStore(portal.db(), {}).revoke_all_for_user(user.id);
  // The account's failure count goes; failures per client address stay with the addresses.
  identity::RateLimiter(portal.db()).clear("pw-fail:" + open->subject);
  return web::Response::redirect("/login/password?notice=password_set");
}

}  // namespace

bool PasswordProvider::available(const config::InstanceConfig& config) const {
  return config.auth.password_enabled && web::can_deliver_sign_in_links(config);
}

web::LoginButton PasswordProvider::login_button(const config::InstanceConfig&) const {
  web::LoginButton button;
  button.text = "Sign in with password";
  button.url = "/login/password";
  button.css_class = "btn-password";
  button.order = 30;
  return button;
}

void PasswordProvider::add_routes(web::PortalContext& portal) {
  portal.add_notice("link_expired", "That sign-in link is invalid, expired or was already used.");
  portal.add_notice("password_set", "Your password is set. Sign in with it now.");
  portal.route("GET", "/login/password", web::Access::kPublic,
               [&portal](web::Request& request, web::Visitor& visitor) {
                 if (visitor.signed_in()) return web::Response::redirect("/dashboard");
                 Json data = page("login", "Sign in");
                 data["next"] = web::safe_local_path(request.query_param("next").value_or(""));
                 if (request.query_param("notice") == "password_set")
                   data["notice"] = "Your password is set. Sign in with it now.";
                 return portal.render_form(request, visitor, "password", data);
               });
  portal.route_blocking("POST", "/login/password", web::Access::kPublic,
                        [&portal](web::Request& request, web::Visitor& visitor) {
                          return sign_in_with_password(portal, request, visitor);
                        });
  portal.route("GET", "/login/password/reset", web::Access::kPublic,
               [&portal](web::Request& request, web::Visitor& visitor) {
                 return portal.render_form(request, visitor, "password",
                                           page("reset", "Set your password"));
               });
  portal.route("POST", "/login/password/reset", web::Access::kPublic,
               [&portal](web::Request& request, web::Visitor& visitor) {
                 return request_link(portal, request, visitor);
               });
  for (const char* method : {"GET", "POST"})
    portal.route_blocking(method, "/login/password/set/{token}", web::Access::kPublic,
                          [&portal](web::Request& request, web::Visitor& visitor) {
                            return set_password(portal, request, visitor);
                          });
}

void register_module(ModuleRegistry& registry) {
  mail::EmailSettings::claim_section(registry.config_sections);
  registry.auth_providers.add("password", [] { return std::make_unique<PasswordProvider>(); });
}

}  // namespace da::auth::password
