// Rsync filters decide what each analyst may copy, so a refresh that failed is never just a
// warning: it is recorded here (state table pending_filter_refreshes) until a refresh of
// the same analyst, or of everyone, succeeds. Administrators see the list (the portal's
// admin pages, its health check); the portal retries it. Times are epoch microseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "da/store/sqlite_database.hpp"

namespace da::accounts {

struct PendingFilterRefresh {
  std::string username;  // "" for every analyst
  std::string error;     // why the last attempt failed
  int64_t first_failed_at = 0;
  int64_t last_attempt_at = 0;
  int attempts = 0;
};

class PendingFilterRefreshes {
 public:
  explicit PendingFilterRefreshes(store::SqliteDatabase& database) : database_(database) {}

  void record_failure(const std::string& username, const std::string& error);
  // The refresh of `username` ("" for everyone) that began at `started` worked: clears what it
  // covers, not failures recorded while it ran (they may concern changes it did not see).
  void record_success(const std::string& username, int64_t started);
  std::vector<PendingFilterRefresh> all();

  // Runs `refresh(username)` and records its outcome. A failure is recorded, then rethrown.
  void run(const std::string& username, const std::function<void(const std::string&)>& refresh);

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::accounts
