#include "desktop_provider.hpp"

#include <ctime>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/json_fields.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/identity/desktop_token.hpp"
#include "da/identity/jwt.hpp"
#include "da/identity/user_store.hpp"
#include "da/module/module_registry.hpp"

namespace da::auth::desktop {

using Json = nlohmann::json;

namespace {

constexpr std::chrono::hours kRefreshLifetime{24 * 30};
constexpr identity::RateLimit kRefreshesPerIp{60, std::chrono::seconds(60)};

std::string access_token(const identity::DesktopSettings& desktop, const identity::User& user,
                         const std::string& family) {
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  return identity::jwt_sign_hs256({{"iss", desktop.jwt_issuer},
                                   {"sub", user.username},
                                   {"uid", user.id},
                                   {"fam", family},
                                   {"iat", now},
                                   {"exp", now + kAccessSeconds},
                                   {"jti", random_token(16)}},
                                  desktop.jwt_secret);
}

Json token_answer(const identity::DesktopSettings& desktop, const identity::User& user,
                  const identity::IssuedToken& refresh) {
  return {{"access_token", access_token(desktop, user, refresh.info.family)},
          {"token_type", "Bearer"},
          {"expires_in", kAccessSeconds},
          {"refresh_token", refresh.token}};
}

}  // namespace

std::optional<identity::User> authenticate_access_token(web::PortalContext& portal,
                                                        const identity::DesktopSettings& desktop,
                                                        const std::string& token) {
  return identity::verify_desktop_access_token(portal.db(), desktop, token);
}

bool DesktopProvider::available(const config::InstanceConfig& config) const {
  return identity::DesktopSettings::from(config).jwt_secret.size() >= 32;
}

web::LoginButton DesktopProvider::login_button(const config::InstanceConfig&) const {
  web::LoginButton button;
  button.text = "Desktop app";
  button.url = "/desktop/link";
  button.order = 100;
  button.visible = false;
  return button;
}

void DesktopProvider::add_routes(web::PortalContext& portal) {
  desktop_ = identity::DesktopSettings::from(portal.config());
  portal.add_bearer_authenticator([this, &portal](const std::string& token) {
    return authenticate_access_token(portal, desktop_, token);
  });

  portal.route("GET", "/desktop/link", web::Access::kSignedIn,
               [&portal](web::Request& request, web::Visitor& visitor) {
                 bool linked =
                     identity::ApiTokenStore(portal.db()).has_desktop_link(visitor.user->id);
                 return portal.render(request, visitor, "desktop_link",
                                      {{"title", "Desktop app"}, {"linked", linked}});
               });

  portal.route(
      "POST", "/api/desktop/authorize", web::Access::kSignedIn,
      [this, &portal](web::Request&, web::Visitor& visitor) {
        auto refresh =
            identity::ApiTokenStore(portal.db()).create_refresh(visitor.user->id, kRefreshLifetime);
        Json answer = token_answer(desktop_, *visitor.user, refresh);
        answer["url"] = desktop_.url_scheme + "://auth?" +
                        "token=" + answer["access_token"].get<std::string>() +
                        "&refresh=" + refresh.token;
        return web::Response::json(200, answer);
      });

  portal.route(
      "POST", "/api/desktop/refresh", web::Access::kPublic,
      [this, &portal](web::Request& request, web::Visitor&) {
        if (!portal.rate_limit("desktop-refresh:" + request.client_ip(), kRefreshesPerIp).allowed)
          return web::Response::json_error(429, "Too many token refreshes");
        Json body = parse_json_object(request.body, "the request body");
        std::string presented = JsonFields(body).string_or("refresh_token", "");
        auto rotation =
            identity::ApiTokenStore(portal.db()).rotate_refresh(presented, kRefreshLifetime);
        if (!rotation) return web::Response::json_error(401, "Invalid or revoked refresh token");
        return web::Response::json(200, token_answer(desktop_, rotation->user, rotation->next));
      });

  portal.route(
      "POST", "/api/desktop/unlink", web::Access::kSignedIn,
      [&portal](web::Request&, web::Visitor& visitor) {
        if (identity::ApiTokenStore(portal.db()).revoke_desktop(visitor.user->id) == 0)
          return web::Response::json_error(400, "Desktop app is not linked.");
        return web::Response::json(200, {{"ok", true}, {"message", "Desktop app unlinked."}});
      });
}

void register_module(ModuleRegistry& registry) {
  identity::DesktopSettings::claim_section(registry.config_sections);
  registry.auth_providers.add("desktop", [] { return std::make_unique<DesktopProvider>(); });
}

}  // namespace da::auth::desktop
