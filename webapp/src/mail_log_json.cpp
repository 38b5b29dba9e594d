#include "da/web/mail_log_json.hpp"

#include "da/common/time.hpp"
#include "da/mail/mail_log.hpp"

namespace da::web {

namespace {

nlohmann::json mail_json(const mail::MailRecord& record) {
  auto iso = [](int64_t micros) { return format_iso8601(from_epoch_micros(micros)); };
  return {{"id", record.id},
          {"to", record.recipient},
          {"subject", record.subject},
          {"purpose", record.purpose},
          {"status", record.status},
          {"failed", record.status == "failed"},
          {"attempts", record.attempts},
          {"last_error", record.last_error ? nlohmann::json(*record.last_error) : nullptr},
          {"created_at", iso(record.created_at)},
          {"updated_at", iso(record.updated_at)}};
}

}  // namespace

nlohmann::json recent_mail_json(store::SqliteDatabase& database, int limit) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& record : mail::MailLog(database).recent(limit))
    list.push_back(mail_json(record));
  return list;
}

}  // namespace da::web
