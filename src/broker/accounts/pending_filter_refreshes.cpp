#include "da/accounts/pending_filter_refreshes.hpp"

#include "da/common/error.hpp"
#include "da/common/time.hpp"

namespace da::accounts {

void PendingFilterRefreshes::record_failure(const std::string& username, const std::string& error) {
  int64_t now = to_epoch_micros(now_utc());
  database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT INTO pending_filter_refreshes (username, error, first_failed_at, "
            "last_attempt_at, attempts) VALUES (?, ?, ?, ?, 1) ON CONFLICT (username) DO UPDATE "
            "SET error = excluded.error, last_attempt_at = excluded.last_attempt_at, "
            "attempts = attempts + 1")
        .bind_all(username, error, now, now)
        .run();
  });
}

void PendingFilterRefreshes::record_success(const std::string& username, int64_t started) {
  database_.write_transaction([&] {
    if (username.empty())
      database_.prepare("DELETE FROM pending_filter_refreshes WHERE last_attempt_at <= ?")
          .bind_all(started)
          .run();
    else
      database_
          .prepare(
              "DELETE FROM pending_filter_refreshes WHERE username = ? AND last_attempt_at <= ?")
          .bind_all(username, started)
          .run();
  });
}

std::vector<PendingFilterRefresh> PendingFilterRefreshes::all() {
  auto statement = database_.prepare(
      "SELECT username, error, first_failed_at, last_attempt_at, attempts "
      "FROM pending_filter_refreshes ORDER BY username");
  std::vector<PendingFilterRefresh> entries;
  while (statement.step())
    entries.push_back({statement.column_text(0), statement.column_text(1), statement.column_int(2),
                       statement.column_int(3), static_cast<int>(statement.column_int(4))});
  return entries;
}

void PendingFilterRefreshes::run(const std::string& username,
                                 const std::function<void(const std::string&)>& refresh) {
  int64_t started = to_epoch_micros(now_utc());
  try {
    refresh(username);
  } catch (const std::exception& e) {
    record_failure(username, e.what());
    throw;
  }
  record_success(username, started);
}

}  // namespace da::accounts
