// The record of every mail the portal sends (state table mail_deliveries): to whom, what for,
// and how its delivery went, so that an administrator sees a relay that refuses or never
// answers. Bodies are never stored: they carry sign-in links. Times are epoch microseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "da/store/sqlite_database.hpp"

namespace da::mail {

struct MailRecord {
  int64_t id = 0;
  std::string recipient;
  std::string subject;
  std::string purpose;  // "magic_link", "password_set", ...
  std::string status;   // "queued", "sent" or "failed"
  int attempts = 0;
  std::optional<std::string> last_error;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

class MailLog {
 public:
  explicit MailLog(store::SqliteDatabase& database) : database_(database) {}

  // A new record in status "queued"; returns its id.
  int64_t record_queued(const std::string& recipient, const std::string& subject,
                        const std::string& purpose);
  void record_sent(int64_t id, int attempts);
  // A failed attempt; `final` marks the mail failed, otherwise it stays queued for a retry.
  void record_failure(int64_t id, int attempts, const std::string& error, bool final);
  // Marks failed, with `reason`, every record still queued that was created before `before`.
  void fail_queued_before(int64_t before, const std::string& reason);
  // The newest records first.
  std::vector<MailRecord> recent(int limit);

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::mail
