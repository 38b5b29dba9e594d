// What administrators see of the portal's mail as JSON: every sign-in and password link sent,
// and whether the relay took it (the notifications page shows the same list).
#include <algorithm>
#include <cstdlib>

#include "da/module/module_registry.hpp"
#include "da/web/mail_log_json.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"

namespace da::features::mail_admin {

namespace {

using web::Access;
using web::PortalHost;
using web::Request;
using web::Response;
using web::Visitor;

class MailAdminFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.route("GET", "/api/admin/mail", Access::kAdmin, [&portal](Request& request, Visitor&) {
      int limit = 200;
      if (auto asked = request.query_param("limit"))
        limit = std::clamp(std::atoi(asked->c_str()), 1, 1000);
      return Response::json(200, web::recent_mail_json(portal.db(), limit));
    });
  }
};

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.portal_features.add("mail_admin", [] { return std::make_unique<MailAdminFeature>(); });
}

}  // namespace da::features::mail_admin
