// Notifications on the portal: the desktop app's script list and on-demand runs, notification
// images for their owner only, the analyst's recent notifications, and the administrators'
// view of the outbox (with the mail log).
#include <algorithm>
#include <cstdlib>

#include "da/common/error.hpp"
#include "da/common/file_stamp.hpp"
#include "da/common/time.hpp"
#include "da/notify/image_store.hpp"
#include "da/notify/notifications_settings.hpp"
#include "da/notify/outbox.hpp"
#include "da/notify/script_store.hpp"
#include "da/module/module_registry.hpp"
#include "da/web/mail_log_json.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"
#include "da/web/portal_json.hpp"

namespace da::features::notifications {

namespace {

using web::Access;
using web::FileBody;
using web::parse_json_body;
using web::PortalHost;
using web::recent_mail_json;
using web::Request;
using web::Response;
using web::Visitor;

using Json = nlohmann::json;

Json scripts_json(PortalHost& portal, const identity::User& user) {
  Json scripts = Json::array();
  for (const auto& script : notify::ScriptStore(portal.db()).list(user.id)) {
    std::string stem = script.script.substr(0, script.script.rfind('.'));
    scripts.push_back(
        {{"name", script.script},
         {"stem", stem.empty() ? script.script : stem},
         {"last_run", script.last_sent_at ? Json(format_ago(*script.last_sent_at)) : Json(nullptr)},
         {"last_status", script.last_status}});
  }
  return scripts;
}

Response run_script(PortalHost& portal, const Request& request, const identity::User& user) {
  Json body = parse_json_body(request);
  if (!body.contains("name") || !body["name"].is_string() ||
      body["name"].get<std::string>().empty())
    return Response::json_error(400, "Script name is required");
  std::string name = body["name"].get<std::string>();
  try {
    int64_t id = notify::ScriptStore(portal.db()).request_run(user.id, name, "desktop");
    return Response::json(202, {{"ok", true}, {"queued", id}});
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kNotFound) throw;
    return Response::json_error(404, "Script '" + name + "' not found");
  }
}

Response image(PortalHost& portal, const notify::ImageStore& images, const std::string& name,
               const identity::User& user) {
  auto path = images.path_of(name);
  if (!path || !notify::Outbox(portal.db()).image_belongs_to(name, user.id))
    return Response::json_error(404, "No such image");
  auto stamp = regular_file_stamp(*path);
  if (!stamp) return Response::json_error(404, "No such image");
  Response response;
  response.file = FileBody{*path, 0, static_cast<uint64_t>(stamp->size)};
  response.set_header("Content-Type", notify::ImageStore::content_type(name));
  response.set_header("Cache-Control", "private, max-age=86400");
  return response;
}

Json recent_json(PortalHost& portal, int limit, std::optional<int64_t> user_id = std::nullopt) {
  Json list = Json::array();
  for (const auto& notification : notify::Outbox(portal.db()).recent(limit, user_id))
    list.push_back(notify::to_json(notification, portal.path_prefix()));
  return list;
}

Response admin_page(PortalHost& portal, const Request& request, const Visitor& visitor) {
  Json rows = Json::array();
  for (const auto& notification : notify::Outbox(portal.db()).recent(200)) {
    Json row = notify::to_json(notification, portal.path_prefix());
    std::string channels;
    for (const auto& delivery : notification.deliveries)
      channels += (channels.empty() ? "" : ", ") + delivery.channel + ": " + delivery.status +
                  (delivery.last_error ? " (" + *delivery.last_error + ")" : "");
    row["channels"] = channels.empty() ? "no linked channel" : channels;
    rows.push_back(row);
  }
  Json mail = recent_mail_json(portal.db(), 100);
  return portal.render(request, visitor, "admin_notifications",
                       {{"title", "Notifications"},
                        {"notifications", rows},
                        {"has_notifications", !rows.empty()},
                        {"mail", mail},
                        {"has_mail", !mail.empty()}});
}

class NotificationsFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.route("GET", "/api/desktop/scripts", Access::kSignedIn,
                 [&portal](Request&, Visitor& visitor) {
                   return Response::json(200, scripts_json(portal, *visitor.user));
                 });
    portal.route("POST", "/api/desktop/scripts/run", Access::kSignedIn,
                 [&portal](Request& request, Visitor& visitor) {
                   return run_script(portal, request, *visitor.user);
                 });
    portal.route("GET", "/api/notifications/images/{name}", Access::kSignedIn,
                 [&portal, images = notify::ImageStore(
                               notify::NotificationsSettings::from(portal.config()).image_dir)](
                     Request& request, Visitor& visitor) {
                   return image(portal, images, request.param("name"), *visitor.user);
                 });
    portal.route("GET", "/api/notifications", Access::kSignedIn,
                 [&portal](Request&, Visitor& visitor) {
                   return Response::json(200, recent_json(portal, 50, visitor.user->id));
                 });
    portal.route("GET", "/api/admin/notifications", Access::kAdmin,
                 [&portal](Request& request, Visitor&) {
                   int limit = 200;
                   if (auto asked = request.query_param("limit"))
                     limit = std::clamp(std::atoi(asked->c_str()), 1, 1000);
                   return Response::json(200, recent_json(portal, limit));
                 });
    portal.route("GET", "/admin/notifications", Access::kAdmin,
                 [&portal](Request& request, Visitor& visitor) {
                   return admin_page(portal, request, visitor);
                 });
  }
};

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.portal_features.add("notifications",
                               [] { return std::make_unique<NotificationsFeature>(); });
}

}  // namespace da::features::notifications
