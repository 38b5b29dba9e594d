#include "user_row.hpp"

#include "da/common/strings.hpp"

namespace da::identity {

std::string user_columns(const std::string& alias) {
  std::string columns;
  for (const char* name :
       {"id", "email", "username", "name", "picture", "roles", "disabled", "created_at",
        "last_login_at", "password_hash", "ssh_public_key", "ssh_key_added_at"})
    columns += (columns.empty() ? "" : ", ") + alias + name;
  return columns;
}

User read_user_row(store::SqliteStatement& row, int first) {
  User user;
  user.id = row.column_int(first);
  user.email = row.column_text(first + 1);
  user.username = row.column_text(first + 2);
  user.name = row.column_text(first + 3);
  user.picture = row.column_text(first + 4);
  for (const std::string& role : split_trimmed(row.column_text(first + 5), ','))
    user.roles.insert(role);
  user.disabled = row.column_int(first + 6) != 0;
  user.created_at = row.column_int(first + 7);
  user.last_login_at = row.column_optional_int(first + 8);
  user.password_hash = row.column_optional_text(first + 9);
  user.ssh_public_key = row.column_optional_text(first + 10);
  user.ssh_key_added_at = row.column_optional_int(first + 11);
  return user;
}

}  // namespace da::identity
