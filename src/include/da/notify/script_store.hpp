// The runner's record of analysts' notification scripts, in the state store: which scripts
// each analyst has, when each last ran and last sent (its cooldown), and on-demand runs that
// the bot or the desktop app asked for and the runner has yet to do.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "da/store/sqlite_database.hpp"

namespace da::notify {

struct ScriptInfo {
  std::string script;  // file name in ~/user/notifications/
  std::optional<int64_t> last_run_at;
  std::optional<int64_t> last_sent_at;
  std::string last_status;  // "", sent, quiet, cooldown, failed
  std::optional<std::string> last_error;
};

struct RunRequest {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string script;
  std::string requested_by;
};

class ScriptStore {
 public:
  explicit ScriptStore(store::SqliteDatabase& database) : database_(database) {}

  // The scripts `user_id` has now; scripts no longer there are forgotten.
  void record_present(int64_t user_id, const std::vector<std::string>& scripts);
  void record_run(int64_t user_id, const std::string& script, const std::string& status,
                  const std::optional<std::string>& error, bool sent);
  std::optional<int64_t> last_sent_at(int64_t user_id, const std::string& script);
  std::vector<ScriptInfo> list(int64_t user_id);

  // Queues an on-demand run; Error(kNotFound) if the user has no such script.
  int64_t request_run(int64_t user_id, const std::string& script, const std::string& requested_by);
  // Requests not started yet, oldest first, marked started.
  std::vector<RunRequest> take_requests(int limit);
  void finish_request(int64_t id, const std::string& outcome);

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::notify
