#include "da/identity/user.hpp"

namespace da::identity {

bool is_known_role(std::string_view role) {
  return role == kRoleAnalyst || role == kRolePrivileged || role == kRoleAdmin;
}

std::string User::role_label() const {
  if (is_admin()) return "Administrator";
  if (has_role(kRolePrivileged)) return "Privileged Analyst";
  return "Standard Analyst";
}

}  // namespace da::identity
