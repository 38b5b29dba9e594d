// Single-use tokens for sign-in flows (magic links, password setup and reset, OpenID state):
// random, stored hashed, expiring, optionally bound to the browser that asked for them, and
// consumed atomically so a replay finds nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "da/store/sqlite_database.hpp"

namespace da::identity {

struct OneTimeToken {
  std::string purpose;
  std::string subject;
  nlohmann::json data;
  int64_t created_at = 0;
};

class TokenStore {
 public:
  explicit TokenStore(store::SqliteDatabase& database) : database_(database) {}

  // Issues a token for `subject` (an email, usually). `binding` (a browser cookie value, or
  // "") must be presented again to consume it. Returns the token to hand out.
  std::string issue(const std::string& purpose, const std::string& subject,
                    std::chrono::seconds lifetime, const std::string& binding = {},
                    const nlohmann::json& data = nlohmann::json::object());
  // Consumes the token if it exists for `purpose`, is unused, unexpired and bound to
  // `binding`. Any other outcome returns nullopt and consumes nothing.
  std::optional<OneTimeToken> consume(const std::string& purpose, const std::string& token,
                                      const std::string& binding = {});
  // The unused, unexpired token's data without consuming it (a form shown before its POST),
  // if it is bound to `binding` as for consume().
  std::optional<OneTimeToken> peek(const std::string& purpose, const std::string& token,
                                   const std::string& binding = {});
  // Invalidates every open token of `purpose` for `subject` (a newer one replaces them).
  void revoke_all(const std::string& purpose, const std::string& subject);
  int purge_expired();

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::identity
