#include "da/notify/script_store.hpp"

#include <set>

#include "da/common/error.hpp"
#include "da/common/time.hpp"

namespace da::notify {

void ScriptStore::record_present(int64_t user_id, const std::vector<std::string>& scripts) {
  database_.write_transaction([&] {
    int64_t now = now_micros();
    for (const std::string& script : scripts)
      database_
          .prepare(
              "INSERT INTO notification_scripts (user_id, script, seen_at) VALUES (?, ?, ?) "
              "ON CONFLICT (user_id, script) DO UPDATE SET seen_at = excluded.seen_at")
          .bind_all(user_id, script, now)
          .run();
    database_.prepare("DELETE FROM notification_scripts WHERE user_id = ? AND seen_at < ?")
        .bind_all(user_id, now)
        .run();
  });
}

void ScriptStore::record_run(int64_t user_id, const std::string& script,
                             const std::string& status, const std::optional<std::string>& error,
                             bool sent) {
  database_.write_transaction([&] {
    int64_t now = now_micros();
    database_
        .prepare(
            "INSERT INTO notification_scripts (user_id, script, seen_at, last_run_at, "
            "last_sent_at, last_status, last_error) VALUES (?1, ?2, ?3, ?3, CASE WHEN ?4 THEN ?3 "
            "END, ?5, ?6) ON CONFLICT (user_id, script) DO UPDATE SET last_run_at = ?3, "
            "last_sent_at = CASE WHEN ?4 THEN ?3 ELSE last_sent_at END, last_status = ?5, "
            "last_error = ?6")
        .bind_all(user_id, script, now, sent ? 1 : 0, status, error)
        .run();
  });
}

std::optional<int64_t> ScriptStore::last_sent_at(int64_t user_id, const std::string& script) {
  auto statement = database_.prepare(
      "SELECT last_sent_at FROM notification_scripts WHERE user_id = ? AND script = ?");
  statement.bind_all(user_id, script);
  if (!statement.step()) return std::nullopt;
  return statement.column_optional_int(0);
}

std::vector<ScriptInfo> ScriptStore::list(int64_t user_id) {
  auto statement = database_.prepare(
      "SELECT script, last_run_at, last_sent_at, COALESCE(last_status, ''), last_error FROM "
      "notification_scripts WHERE user_id = ? ORDER BY script");
  statement.bind(1, user_id);
  std::vector<ScriptInfo> scripts;
  while (statement.step())
    scripts.push_back({statement.column_text(0), statement.column_optional_int(1),
                       statement.column_optional_int(2), statement.column_text(3),
                       statement.column_optional_text(4)});
  return scripts;
}

int64_t ScriptStore::request_run(int64_t user_id, const std::string& script,
                                 const std::string& requested_by) {
  return database_.write_transaction([&] {
    auto known = database_.prepare(
        "SELECT 1 FROM notification_scripts WHERE user_id = ? AND script = ?");
    known.bind_all(user_id, script);
    if (!known.step()) throw Error(ErrorKind::kNotFound, "no notification script '" + script + "'");
    database_
        .prepare(
            "INSERT INTO script_run_requests (user_id, script, requested_by, requested_at) "
            "VALUES (?, ?, ?, ?)")
        .bind_all(user_id, script, requested_by, now_micros())
        .run();
    return database_.last_insert_rowid();
  });
}

std::vector<RunRequest> ScriptStore::take_requests(int limit) {
  return database_.write_transaction([&] {
    std::vector<RunRequest> requests;
    auto pending = database_.prepare(
        "SELECT id, user_id, script, requested_by FROM script_run_requests WHERE started_at IS "
        "NULL ORDER BY id LIMIT ?");
    pending.bind(1, static_cast<int64_t>(limit));
    while (pending.step())
      requests.push_back({pending.column_int(0), pending.column_int(1), pending.column_text(2),
                          pending.column_text(3)});
    for (const RunRequest& request : requests)
      database_.prepare("UPDATE script_run_requests SET started_at = ? WHERE id = ?")
          .bind_all(now_micros(), request.id)
          .run();
    return requests;
  });
}

void ScriptStore::finish_request(int64_t id, const std::string& outcome) {
  database_.write_transaction([&] {
    database_.prepare("UPDATE script_run_requests SET finished_at = ?, outcome = ? WHERE id = ?")
        .bind_all(now_micros(), outcome, id)
        .run();
  });
}

}  // namespace da::notify
