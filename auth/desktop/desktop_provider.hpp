// The desktop app's sign-in: a signed-in user links the app (POST /api/desktop/authorize) and
// the app receives a short-lived access JWT (HS256: iss, sub, exp, jti) and a rotating refresh
// token stored hashed. Every API call with an access token re-checks that the account is
// enabled and the link (the refresh-token family) not revoked; unlinking revokes at once.
// Hidden from the login page; none of its routes exist unless desktop.jwt_secret is set.
#pragma once

#include <optional>

#include "da/identity/desktop_settings.hpp"
#include "da/identity/user.hpp"
#include "da/web/auth_provider.hpp"
#include "da/web/portal_context.hpp"

namespace da::auth::desktop {

inline constexpr int64_t kAccessSeconds = 15 * 60;

class DesktopProvider : public web::AuthProvider {
 public:
  std::string name() const override { return "desktop"; }
  bool available(const config::InstanceConfig& config) const override;
  web::LoginButton login_button(const config::InstanceConfig& config) const override;
  void add_routes(web::PortalContext& portal) override;

 private:
  identity::DesktopSettings desktop_;  // read once, when the routes are added
};

// The enabled user an access token speaks for, or nullopt (bad, expired, revoked, disabled).
std::optional<identity::User> authenticate_access_token(web::PortalContext& portal,
                                                        const identity::DesktopSettings& desktop,
                                                        const std::string& token);

}  // namespace da::auth::desktop
