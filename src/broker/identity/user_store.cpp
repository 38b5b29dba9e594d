#include "da/identity/user_store.hpp"

#include "user_row.hpp"

#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/common/time.hpp"
#include "da/identity/username.hpp"

namespace da::identity {

namespace {

std::string roles_text(const std::set<std::string>& roles) {
  return join(std::vector<std::string>(roles.begin(), roles.end()), ",");
}

std::string display_name(const std::string& email) {
  std::string local = email.substr(0, email.find('@'));
  std::string name;
  bool start = true;
  for (char c : local) {
    if (c == '.' || c == '_' || c == '-') {
      name.push_back(' ');
      start = true;
      continue;
    }
    name.push_back(start && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
    start = false;
  }
  return name;
}

}  // namespace

std::optional<User> UserStore::find_by_id(int64_t id) {
  static const std::string sql = "SELECT " + user_columns() + " FROM users WHERE id = ?";
  auto statement = database_.cached(sql);
  statement->bind(1, id);
  if (!statement->step()) return std::nullopt;
  return read_user_row(*statement);
}

std::optional<User> UserStore::find_by_email(std::string_view email) {
  auto statement = database_.prepare("SELECT " + user_columns() + " FROM users WHERE email = ?");
  statement.bind(1, to_lower(trim(email)));
  if (!statement.step()) return std::nullopt;
  return read_user_row(statement);
}

std::optional<User> UserStore::find_by_username(std::string_view username) {
  auto statement = database_.prepare("SELECT " + user_columns() + " FROM users WHERE username = ?");
  statement.bind(1, username);
  if (!statement.step()) return std::nullopt;
  return read_user_row(statement);
}

std::vector<User> UserStore::list() {
  auto statement = database_.prepare("SELECT " + user_columns() + " FROM users ORDER BY email");
  std::vector<User> users;
  while (statement.step())
    users.push_back(read_user_row(statement));
  return users;
}

User UserStore::ensure(std::string_view email,
                       const std::map<std::string, std::string>& username_mapping) {
  std::string lower = to_lower(trim(email));
  std::string username = username_for_email(lower, username_mapping);
  return database_.write_transaction([&] {
    if (auto existing = find_by_email(lower)) return *existing;
    if (auto taken = find_by_username(username)) {
      throw Error(ErrorKind::kConflict, "the server user name '" + username +
                                            "' already belongs to " + taken->email +
                                            "; map one of them in username_mapping");
    }
    database_
        .prepare(
            "INSERT INTO users (email, username, name, roles, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind_all(lower, username, display_name(lower), std::string(kRoleAnalyst),
                  to_epoch_micros(now_utc()))
        .run();
    return *find_by_email(lower);
  });
}

User UserStore::record_sign_in(const SignInProfile& profile,
                               const std::map<std::string, std::string>& username_mapping) {
  User user = ensure(profile.email, username_mapping);
  if (user.disabled) throw Error(ErrorKind::kAuth, "the account " + user.email + " is disabled");
  std::string name = trim(profile.name).empty() ? user.name : std::string(trim(profile.name));
  database_.write_transaction([&] {
    database_.prepare("UPDATE users SET name = ?, picture = ?, last_login_at = ? WHERE id = ?")
        .bind_all(name, profile.picture, to_epoch_micros(now_utc()), user.id)
        .run();
  });
  return *find_by_id(user.id);
}

User UserStore::require(std::string_view email) {
  auto user = find_by_email(email);
  if (!user)
    throw Error(ErrorKind::kNotFound, "no user with the email " + to_lower(trim(email)) +
                                          " (users appear after their first sign-in)");
  return *user;
}

User UserStore::grant_role(std::string_view email, std::string_view role) {
  if (!is_known_role(role))
    throw Error(ErrorKind::kConfig,
                "unknown role '" + std::string(role) + "' (roles: analyst, privileged, admin)");
  return database_.write_transaction([&] {
    User user = require(email);
    user.roles.insert(std::string(role));
    database_.prepare("UPDATE users SET roles = ? WHERE id = ?")
        .bind_all(roles_text(user.roles), user.id)
        .run();
    return user;
  });
}

User UserStore::revoke_role(std::string_view email, std::string_view role) {
  if (!is_known_role(role))
    throw Error(ErrorKind::kConfig,
                "unknown role '" + std::string(role) + "' (roles: analyst, privileged, admin)");
  if (role == kRoleAnalyst)
    throw Error(ErrorKind::kConfig,
                "every user has the analyst role; use `da users disable` to shut someone out");
  return database_.write_transaction([&] {
    User user = require(email);
    user.roles.erase(std::string(role));
    database_.prepare("UPDATE users SET roles = ? WHERE id = ?")
        .bind_all(roles_text(user.roles), user.id)
        .run();
    return user;
  });
}

User UserStore::set_disabled(std::string_view email, bool disabled) {
  return database_.write_transaction([&] {
    User user = require(email);
    user.disabled = disabled;
    database_.prepare("UPDATE users SET disabled = ? WHERE id = ?")
        .bind_all(disabled ? 1 : 0, user.id)
        .run();
    if (disabled) {
      int64_t now = to_epoch_micros(now_utc());
      database_
          .prepare("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
          .bind_all(now, user.id)
          .run();
      database_
          .prepare("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
          .bind_all(now, user.id)
          .run();
    }
    return user;
  });
}

void UserStore::set_ssh_key(int64_t user_id, const std::string& normalized_key) {
  database_.write_transaction([&] {
    database_.prepare("UPDATE users SET ssh_public_key = ?, ssh_key_added_at = ? WHERE id = ?")
        .bind_all(normalized_key, to_epoch_micros(now_utc()), user_id)
        .run();
  });
}

void UserStore::set_password_hash(int64_t user_id, const std::string& hash) {
  database_.write_transaction([&] {
    database_.prepare("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?")
        .bind_all(hash, to_epoch_micros(now_utc()), user_id)
        .run();
  });
}

}  // namespace da::identity
