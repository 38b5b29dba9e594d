#include "da/mail/mail_log.hpp"

#include "da/common/time.hpp"

namespace da::mail {

int64_t MailLog::record_queued(const std::string& recipient, const std::string& subject,
                               const std::string& purpose) {
  int64_t now = now_micros();
  return database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT INTO mail_deliveries (recipient, subject, purpose, status, attempts, "
            "created_at, updated_at) VALUES (?, ?, ?, 'queued', 0, ?, ?)")
        .bind_all(recipient, subject, purpose, now, now)
        .run();
    return database_.last_insert_rowid();
  });
}

void MailLog::record_sent(int64_t id, int attempts) {
  database_.write_transaction([&] {
    database_
        .prepare(
            "UPDATE mail_deliveries SET status = 'sent', attempts = ?, updated_at = ? "
            "WHERE id = ?")
        .bind_all(attempts, now_micros(), id)
        .run();
  });
}

void MailLog::record_failure(int64_t id, int attempts, const std::string& error, bool final) {
  database_.write_transaction([&] {
    database_
        .prepare(
            "UPDATE mail_deliveries SET status = ?, attempts = ?, last_error = ?, "
            "updated_at = ? WHERE id = ?")
        .bind_all(final ? "failed" : "queued", attempts, error, now_micros(), id)
        .run();
  });
}

void MailLog::fail_queued_before(int64_t before, const std::string& reason) {
  database_.write_transaction([&] {
    database_
        .prepare(
            "UPDATE mail_deliveries SET status = 'failed', last_error = ?, updated_at = ? "
            "WHERE status = 'queued' AND created_at < ?")
        .bind_all(reason, now_micros(), before)
        .run();
  });
}

std::vector<MailRecord> MailLog::recent(int limit) {
  auto statement = database_.prepare(
      "SELECT id, recipient, subject, purpose, status, attempts, last_error, created_at, "
      "updated_at FROM mail_deliveries ORDER BY id DESC LIMIT ?");
  statement.bind_all(limit);
  std::vector<MailRecord> records;
  while (statement.step()) {
    MailRecord record;
    record.id = statement.column_int(0);
    record.recipient = statement.column_text(1);
    record.subject = statement.column_text(2);
    record.purpose = statement.column_text(3);
    record.status = statement.column_text(4);
    record.attempts = static_cast<int>(statement.column_int(5));
    record.last_error = statement.column_optional_text(6);
    record.created_at = statement.column_int(7);
    record.updated_at = statement.column_int(8);
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace da::mail
