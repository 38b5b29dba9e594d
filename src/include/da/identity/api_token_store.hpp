// Long-lived bearer credentials: personal access tokens (`da users token create`) and the
// desktop app's rotating refresh tokens. Stored hashed; revocable; checked against the user's
// state on every use.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "da/identity/user.hpp"
#include "da/store/sqlite_database.hpp"

namespace da::identity {

struct ApiTokenInfo {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string kind;  // personal | desktop_refresh
  std::string name;
  std::string family;
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;
  std::optional<int64_t> last_used_at;
  std::optional<int64_t> revoked_at;
};

struct IssuedToken {
  std::string token;  // shown once
  ApiTokenInfo info;
};

class ApiTokenStore {
 public:
  explicit ApiTokenStore(store::SqliteDatabase& database) : database_(database) {}

  // Personal tokens start with "dap_" so that they are recognisable in logs and scanners.
  IssuedToken create_personal(int64_t user_id, const std::string& name,
                              std::optional<std::chrono::hours> lifetime);
  // The enabled user of a valid personal token, or nullopt.
  std::optional<User> authenticate_personal(const std::string& token);
  std::vector<ApiTokenInfo> list(int64_t user_id);
  // Revokes the user's token `id`; false if there is none.
  bool revoke(int64_t user_id, int64_t id);

  // Desktop refresh tokens: one family per linked device. Rotation consumes the presented
  // token and issues the next one of the same family; presenting an already rotated token
  // revokes the whole family (a stolen token was used).
  IssuedToken create_refresh(int64_t user_id, std::chrono::hours lifetime);
  struct Rotation {
    IssuedToken next;
    User user;
  };
  std::optional<Rotation> rotate_refresh(const std::string& token, std::chrono::hours lifetime);
  bool family_active(const std::string& family);
  int revoke_desktop(int64_t user_id);
  bool has_desktop_link(int64_t user_id);

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::identity
