// Sign-in with a password, for the addresses allowed to sign in. Passwords are set and reset
// through a mailed single-use link (1 hour), hashed with Argon2id and rehashed on sign-in when
// the parameters change. Failures lock the address for 15 minutes after 5 tries, checked before
// any hashing, and no answer tells whether an address has an account. Routes live under
// /login/password, clear of the magic-link routes under /login/email.
#pragma once

#include "da/web/auth_provider.hpp"
#include "da/web/portal_context.hpp"

namespace da::auth::password {

class PasswordProvider : public web::AuthProvider {
 public:
  std::string name() const override { return "password"; }
  bool available(const config::InstanceConfig& config) const override;
  web::LoginButton login_button(const config::InstanceConfig& config) const override;
  void add_routes(web::PortalContext& portal) override;
};

}  // namespace da::auth::password
