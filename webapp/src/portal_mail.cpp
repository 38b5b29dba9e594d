// What administrators see of the portal's mail: every sign-in and password link sent, and
// whether the relay took it (the mail itself is never shown: it carries a link).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "da/common/time.hpp"
#include "da/mail/mail_log.hpp"
#include "da/web/portal.hpp"

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

void Portal::add_mail_routes() {
  route("GET", "/api/admin/mail", Access::kAdmin, [this](Request& request, Visitor&) {
    int limit = 200;
    if (auto asked = request.query_param("limit"))
      limit = std::clamp(std::atoi(asked->c_str()), 1, 1000);
    return Response::json(200, recent_mail_json(limit));
  });
}

nlohmann::json Portal::recent_mail_json(int limit) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& record : mail::MailLog(db()).recent(limit))
    list.push_back(mail_json(record));
  return list;
}

}  // namespace da::web
