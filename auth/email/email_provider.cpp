#include "email_provider.hpp"

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/identity/token_store.hpp"
#include "da/mail/email_settings.hpp"
#include "da/module/module_registry.hpp"

namespace da::auth::email {

using Json = nlohmann::json;

namespace {

constexpr const char* kPurpose = "magic_link";
constexpr std::chrono::seconds kLifetime{15 * 60};
constexpr identity::RateLimit kPerAddress{20, std::chrono::seconds(15 * 60)};
constexpr identity::RateLimit kPerEmail{3, std::chrono::seconds(15 * 60)};

std::string domains_text(const config::InstanceConfig& config) {
  std::vector<std::string> shown;
  for (const std::string& domain : config.auth.allowed_domains)
    shown.push_back("@" + domain);
  return join(shown, ", ");
}

Json form_data(const web::PortalContext& portal, const web::Request& request) {
  const auto& config = portal.config();
  return {{"title", "Sign in with email"},
          {"bare", true},
          {"next",
           web::safe_local_path(request.query_param("next").value_or(request.form_value("next")))},
          {"domain",
           config.auth.allowed_domains.empty() ? "example.com" : config.auth.allowed_domains[0]},
          {"domains", domains_text(config)}};
}

web::Response send_link(web::PortalContext& portal, web::Request& request, web::Visitor& visitor) {
  const auto& config = portal.config();
  Json data = form_data(portal, request);
  std::string email = to_lower(trim(request.form_value("email")));
  auto fail = [&](const std::string& message, int status) {
    data["error"] = message;
    return portal.render_form(request, visitor, "magic_link", data, status);
  };
  if (email.empty()) return fail("Enter your email address.", 422);
  if (auto refusal = portal.sign_in_refusal(email)) return fail(*refusal, 403);
  if (!portal.rate_limit("magic-ip:" + request.client_ip(), kPerAddress).allowed ||
      !portal.rate_limit("magic-email:" + email, kPerEmail).allowed)
    return fail("Too many sign-in links were requested. Wait 15 minutes and try again.", 429);

  identity::TokenStore tokens(portal.db());
  tokens.revoke_all(kPurpose, email);
  // The guard admitted this POST on the binding cookie's CSRF token, so the cookie exists.
  web::Response no_new_cookie;
  std::string binding = portal.browser_binding(request, no_new_cookie);
  std::string token = tokens.issue(kPurpose, email, kLifetime, binding, {{"next", data["next"]}});
  data["email"] = email;
  std::optional<std::string> shown;
  try {
    shown = portal.deliver_link(
        {email, "Sign in to " + config.instance.name,
         "Sign in to " + config.instance.name + " with this link:", "/login/email/verify/" + token,
         "It works once, within 15 minutes, in the browser where you asked for it. If you did "
         "not ask for it, ignore this mail.",
         kPurpose});
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kConflict) throw;
    tokens.revoke_all(kPurpose, email);
    return fail(e.what(), 503);
  }
  if (shown)
    data["dev_link"] = *shown;
  else
    data["sent"] = true;
  return portal.render_form(request, visitor, "magic_link", data);
}

}  // namespace

bool EmailProvider::available(const config::InstanceConfig& config) const {
  return config.auth.email_enabled && web::can_deliver_sign_in_links(config);
}

web::LoginButton EmailProvider::login_button(const config::InstanceConfig& config) const {
  web::LoginButton button;
  button.text = "Sign in with email link";
  button.url = "/login/email";
  std::string domains = domains_text(config);
  button.subtitle = domains.empty() ? "" : "For " + domains + " addresses";
  button.css_class = "btn-email";
  button.order = 20;
  return button;
}

void EmailProvider::add_routes(web::PortalContext& portal) {
  portal.add_notice("link_expired", "That sign-in link is invalid, expired or was already used.");
  portal.route("GET", "/login/email", web::Access::kPublic,
               [&portal](web::Request& request, web::Visitor& visitor) {
                 if (visitor.signed_in()) return web::Response::redirect("/dashboard");
                 return portal.render_form(request, visitor, "magic_link",
                                           form_data(portal, request));
               });
  portal.route("POST", "/login/email/send", web::Access::kPublic,
               [&portal](web::Request& request, web::Visitor& visitor) {
                 return send_link(portal, request, visitor);
               });
  portal.route(
      "GET", "/login/email/verify/{token}", web::Access::kPublic,
      [&portal](web::Request& request, web::Visitor&) {
        // A link opened without the requesting browser's binding is refused and stays usable.
        std::string binding = portal.existing_browser_binding(request);
        std::optional<identity::OneTimeToken> token;
        if (!binding.empty())
          token =
              identity::TokenStore(portal.db()).consume(kPurpose, request.param("token"), binding);
        if (!token) return web::Response::redirect("/login?notice=link_expired");
        identity::SignInProfile profile{token->subject, "", ""};
        return portal.sign_in(request, profile, "email", token->data.value("next", ""));
      });
}

void register_module(ModuleRegistry& registry) {
  mail::EmailSettings::claim_section(registry.config_sections);
  registry.auth_providers.add("email", [] { return std::make_unique<EmailProvider>(); });
}

}  // namespace da::auth::email
