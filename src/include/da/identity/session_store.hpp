// Server-side sessions: the browser holds a random 256-bit id, the store only its SHA-256.
// A session ends when it is revoked (logout, user disabled), idle for longer than the idle
// timeout, or older than the absolute timeout.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "da/identity/user.hpp"
#include "da/store/sqlite_database.hpp"

namespace da::identity {

struct SessionLimits {
  std::chrono::minutes idle{120};
  std::chrono::hours absolute{24 * 7};
};

struct NewSession {
  std::string id;          // the cookie value; shown once
  std::string csrf_token;  // embedded in the session's forms
};

struct ActiveSession {
  std::string id_hash;
  std::string csrf_token;
  std::string provider;
  User user;
};

class SessionStore {
 public:
  SessionStore(store::SqliteDatabase& database, SessionLimits limits)
      : database_(database), limits_(limits) {}

  NewSession create(int64_t user_id, const std::string& provider, const std::string& ip,
                    const std::string& user_agent);
  // The live session of `id` with its (enabled) user, or nullopt. Refreshes the idle clock at
  // most once a minute so that reads stay reads.
  std::optional<ActiveSession> find(const std::string& id);
  void revoke(const std::string& id);
  int revoke_all_for_user(int64_t user_id);
  // Deletes sessions that ended more than a day ago. Returns how many.
  int purge_expired();

 private:
  store::SqliteDatabase& database_;
  SessionLimits limits_;
};

}  // namespace da::identity
