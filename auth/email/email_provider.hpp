// Sign-in by emailed link ("magic link"): a single-use token, stored hashed, valid for 15
// minutes and only in the browser that asked for it. The link is mailed over SMTP; it is shown
// in the browser only when auth.email.dev_mode is set, never as a fallback for a failed mail.
#pragma once

#include "da/web/auth_provider.hpp"
#include "da/web/portal_context.hpp"

namespace da::auth::email {

class EmailProvider : public web::AuthProvider {
 public:
  std::string name() const override { return "email"; }
  bool available(const config::InstanceConfig& config) const override;
  web::LoginButton login_button(const config::InstanceConfig& config) const override;
  void add_routes(web::PortalContext& portal) override;
};

}  // namespace da::auth::email
