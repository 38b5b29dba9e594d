// Users in the state store. Every write is one IMMEDIATE transaction.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "da/identity/user.hpp"
#include "da/store/sqlite_database.hpp"

namespace da::identity {

struct SignInProfile {
  std::string email;    // as the provider verified it (any case)
  std::string name;     // may be empty: the email's local part is used
  std::string picture;  // URL or ""
};

class UserStore {
 public:
  explicit UserStore(store::SqliteDatabase& database) : database_(database) {}

  std::optional<User> find_by_id(int64_t id);
  std::optional<User> find_by_email(std::string_view email);
  std::optional<User> find_by_username(std::string_view username);
  std::vector<User> list();

  // Finds or creates the user of a successful sign-in, records the time and the profile.
  // Throws Error(kAuth) if the user is disabled or no valid server name can be derived.
  User record_sign_in(const SignInProfile& profile,
                      const std::map<std::string, std::string>& username_mapping);
  // Creates the user if needed (for `da users grant-role` before a first sign-in).
  User ensure(std::string_view email, const std::map<std::string, std::string>& username_mapping);

  // Role changes; Error(kNotFound) for an unknown email, Error(kConfig) for an unknown role.
  User grant_role(std::string_view email, std::string_view role);
  User revoke_role(std::string_view email, std::string_view role);
  // Disabling revokes every session and token of the user at once.
  User set_disabled(std::string_view email, bool disabled);

  void set_ssh_key(int64_t user_id, const std::string& normalized_key);
  void set_password_hash(int64_t user_id, const std::string& hash);

 private:
  User require(std::string_view email);
  store::SqliteDatabase& database_;
};

}  // namespace da::identity
