#include "features/mail_admin.hpp"

#include <algorithm>
#include <cstdlib>

#include "features/builtin_features.hpp"

#include "da/common/time.hpp"
#include "da/mail/mail_log.hpp"
#include "da/web/portal_host.hpp"

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

class MailAdminFeature : public PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.route("GET", "/api/admin/mail", Access::kAdmin, [&portal](Request& request, Visitor&) {
      int limit = 200;
      if (auto asked = request.query_param("limit"))
        limit = std::clamp(std::atoi(asked->c_str()), 1, 1000);
      return Response::json(200, recent_mail_json(portal.db(), limit));
    });
  }
};

}  // namespace

nlohmann::json recent_mail_json(store::SqliteDatabase& database, int limit) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& record : mail::MailLog(database).recent(limit))
    list.push_back(mail_json(record));
  return list;
}

std::unique_ptr<PortalFeature> make_mail_admin_feature() {
  return std::make_unique<MailAdminFeature>();
}

}  // namespace da::web
