// The one identity table: email <-> server user name <-> roles, used by every sign-in method,
// the portal's role checks, `da users` and (later) account creation on the server.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace da::identity {

// Roles in increasing power. Every signed-in user has kAnalyst; the others are granted.
inline constexpr std::string_view kRoleAnalyst = "analyst";
inline constexpr std::string_view kRolePrivileged = "privileged";
inline constexpr std::string_view kRoleAdmin = "admin";
bool is_known_role(std::string_view role);

struct User {
  int64_t id = 0;
  std::string email;     // lower case
  std::string username;  // the server (Linux) account name
  std::string name;
  std::string picture;
  std::set<std::string> roles;
  bool disabled = false;
  int64_t created_at = 0;  // epoch microseconds
  std::optional<int64_t> last_login_at;
  std::optional<std::string> password_hash;
  std::optional<std::string> ssh_public_key;
  std::optional<int64_t> ssh_key_added_at;

  bool has_role(std::string_view role) const { return roles.count(std::string(role)) > 0; }
  bool is_admin() const { return has_role(kRoleAdmin); }
  bool is_privileged() const { return has_role(kRolePrivileged) || is_admin(); }
  // "Administrator", "Privileged Analyst" or "Standard Analyst".
  std::string role_label() const;
};

}  // namespace da::identity
