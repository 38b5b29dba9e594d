#include "da/identity/session_store.hpp"

#include "user_row.hpp"

#include "da/common/crypto.hpp"
#include "da/common/time.hpp"

namespace da::identity {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kTouchInterval = 60 * kMicrosPerSecond;

int64_t micros(std::chrono::seconds duration) {
  return duration.count() * kMicrosPerSecond;
}

}  // namespace

NewSession SessionStore::create(int64_t user_id, const std::string& provider, const std::string& ip,
                                const std::string& user_agent) {
  NewSession session{random_token(), random_token()};
  int64_t now = to_epoch_micros(now_utc());
  int64_t expires =
      now + micros(std::chrono::duration_cast<std::chrono::seconds>(limits_.absolute));
  database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, provider, created_at, "
            "last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind_all(token_hash(session.id), user_id, session.csrf_token, provider, now, now, expires,
                  ip, user_agent.substr(0, 300))
        .run();
  });
  return session;
}

std::optional<ActiveSession> SessionStore::find(const std::string& id) {
  if (id.empty() || id.size() > 128) return std::nullopt;
  std::string hash = token_hash(id);
  static const std::string sql =
      "SELECT s.csrf_token, s.provider, s.last_seen_at, s.expires_at, s.revoked_at, " +
      user_columns("u.") + " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?";
  int64_t now = to_epoch_micros(now_utc());
  int64_t idle_limit = micros(std::chrono::duration_cast<std::chrono::seconds>(limits_.idle));
  ActiveSession session;
  int64_t last_seen = 0;
  {
    auto statement = database_.cached(sql);
    statement->bind(1, hash);
    if (!statement->step()) return std::nullopt;
    last_seen = statement->column_int(2);
    if (!statement->is_null(4) || statement->column_int(3) <= now || last_seen + idle_limit <= now)
      return std::nullopt;
    session.id_hash = hash;
    session.csrf_token = statement->column_text(0);
    session.provider = statement->column_text(1);
    session.user = read_user_row(*statement, 5);
  }
  // The session never carries the password hash.
  session.user.password_hash.reset();
  if (session.user.disabled) return std::nullopt;
  if (now - last_seen > kTouchInterval) {
    database_.write_transaction([&] {
      database_.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?")
          .bind_all(now, hash)
          .run();
    });
  }
  return session;
}

void SessionStore::revoke(const std::string& id) {
  if (id.empty()) return;
  database_.write_transaction([&] {
    database_.prepare("UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL")
        .bind_all(to_epoch_micros(now_utc()), token_hash(id))
        .run();
  });
}

int SessionStore::revoke_all_for_user(int64_t user_id) {
  return database_.write_transaction([&] {
    database_.prepare("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
        .bind_all(to_epoch_micros(now_utc()), user_id)
        .run();
    return database_.changes();
  });
}

int SessionStore::purge_expired() {
  int64_t horizon = to_epoch_micros(now_utc()) - 86400 * kMicrosPerSecond;
  return database_.write_transaction([&] {
    database_
        .prepare("DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ? OR last_seen_at < ?")
        .bind_all(horizon, horizon,
                  horizon - micros(std::chrono::duration_cast<std::chrono::seconds>(limits_.idle)))
        .run();
    return database_.changes();
  });
}

}  // namespace da::identity
