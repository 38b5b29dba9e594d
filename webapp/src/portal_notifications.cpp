// Notifications on the portal: linking Telegram (the code the bot gave, rate limited), the
// desktop app's script list and on-demand runs, notification images for their owner only,
// and the administrators' view of the outbox.
#include <algorithm>
#include <cstdlib>

#include "portal_json.hpp"

#include "da/common/error.hpp"
#include "da/common/file_stamp.hpp"
#include "da/common/time.hpp"
#include "da/identity/rate_limiter.hpp"
#include "da/notify/image_store.hpp"
#include "da/notify/outbox.hpp"
#include "da/notify/script_store.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/web/portal.hpp"

namespace da::web {

namespace {

using Json = nlohmann::json;

// A six-digit code space is small: a few tries per user and per address in ten minutes.
constexpr identity::RateLimit kCodeAttempts{5, std::chrono::minutes(10)};

std::string iso(int64_t micros) {
  return format_iso8601(from_epoch_micros(micros));
}

}  // namespace

Portal::TelegramOutcome Portal::link_telegram(const identity::User& user, const std::string& code,
                                              const std::string& client_ip) {
  std::string trimmed;
  for (char c : code)
    if (c != ' ' && c != '-') trimmed.push_back(c);
  if (trimmed.empty()) return {400, "Verification code is required"};
  if (!rate_limit("tg-code-user:" + std::to_string(user.id), kCodeAttempts).allowed ||
      !rate_limit("tg-code-ip:" + client_ip, kCodeAttempts).allowed)
    return {429, "Too many attempts. Wait a few minutes and try again."};
  if (trimmed.size() != 6 || trimmed.find_first_not_of("0123456789") != std::string::npos ||
      !notify::TelegramLinks(db()).redeem(trimmed, user.id))
    return {400, "Invalid or expired verification code."};
  notify::NewNotification welcome;
  welcome.user_id = user.id;
  welcome.title = "Telegram linked";
  welcome.message = "You will receive " + config_.instance.name + " notifications here.";
  welcome.source = "portal";
  welcome.channels = {"telegram"};
  notify::Outbox(db()).enqueue(welcome);
  return {200, "Telegram linked successfully."};
}

void Portal::add_notification_routes() {
  route("POST", "/api/telegram/verify", Access::kSignedIn,
        [this](Request& request, Visitor& visitor) {
          Json body = parse_json_body(request);
          std::string code = body.contains("code") && body["code"].is_string()
                                 ? body["code"].get<std::string>()
                                 : (body.contains("code") && body["code"].is_number_integer()
                                        ? std::to_string(body["code"].get<int64_t>())
                                        : "");
          TelegramOutcome outcome = link_telegram(*visitor.user, code, request.client_ip());
          if (outcome.status != 200) return Response::json_error(outcome.status, outcome.message);
          return Response::json(200, {{"ok", true}, {"message", outcome.message}});
        });

  route("POST", "/api/telegram/unlink", Access::kSignedIn, [this](Request&, Visitor& visitor) {
    if (!notify::TelegramLinks(db()).unlink(visitor.user->id))
      return Response::json_error(400, "Telegram is not linked.");
    return Response::json(200, {{"ok", true}, {"message", "Telegram unlinked."}});
  });

  route("GET", "/api/telegram/status", Access::kSignedIn, [this](Request&, Visitor& visitor) {
    auto linked_at = notify::TelegramLinks(db()).linked_at(visitor.user->id);
    Json status = {{"linked", linked_at.has_value()},
                   {"bot_username", config_.telegram.bot_username}};
    if (linked_at) status["linked_at"] = iso(*linked_at);
    return Response::json(200, status);
  });

  route("POST", "/telegram/link", Access::kSignedIn, [this](Request& request, Visitor& visitor) {
    TelegramOutcome outcome =
        link_telegram(*visitor.user, request.form_value("code"), request.client_ip());
    return Response::redirect(outcome.status == 200   ? "/dashboard?notice=telegram_linked"
                              : outcome.status == 429 ? "/dashboard?notice=telegram_rate_limited"
                                                      : "/dashboard?notice=telegram_code_invalid");
  });

  route("POST", "/telegram/unlink", Access::kSignedIn, [this](Request&, Visitor& visitor) {
    notify::TelegramLinks(db()).unlink(visitor.user->id);
    return Response::redirect("/dashboard?notice=telegram_unlinked");
  });

  route("GET", "/api/desktop/scripts", Access::kSignedIn, [this](Request&, Visitor& visitor) {
    Json scripts = Json::array();
    for (const auto& script : notify::ScriptStore(db()).list(visitor.user->id)) {
      std::string stem = script.script.substr(0, script.script.rfind('.'));
      scripts.push_back({{"name", script.script},
                         {"stem", stem.empty() ? script.script : stem},
                         {"last_run", script.last_sent_at ? Json(format_ago(*script.last_sent_at))
                                                          : Json(nullptr)},
                         {"last_status", script.last_status}});
    }
    return Response::json(200, scripts);
  });

  route("POST", "/api/desktop/scripts/run", Access::kSignedIn,
        [this](Request& request, Visitor& visitor) {
          Json body = parse_json_body(request);
          if (!body.contains("name") || !body["name"].is_string() ||
              body["name"].get<std::string>().empty())
            return Response::json_error(400, "Script name is required");
          std::string name = body["name"].get<std::string>();
          try {
            int64_t id = notify::ScriptStore(db()).request_run(visitor.user->id, name, "desktop");
            return Response::json(202, {{"ok", true}, {"queued", id}});
          } catch (const Error& e) {
            if (e.kind() != ErrorKind::kNotFound) throw;
            return Response::json_error(404, "Script '" + name + "' not found");
          }
        });

  route("GET", "/api/notifications/images/{name}", Access::kSignedIn,
        [this](Request& request, Visitor& visitor) {
          std::string name = request.param("name");
          auto owned = db().prepare("SELECT 1 FROM notifications WHERE image = ? AND user_id = ?");
          owned.bind_all(name, visitor.user->id);
          notify::ImageStore images(config_.notifications.image_dir);
          auto path = images.path_of(name);
          if (!path || !owned.step()) return Response::json_error(404, "No such image");
          auto stamp = regular_file_stamp(*path);
          if (!stamp) return Response::json_error(404, "No such image");
          Response response;
          response.file = FileBody{*path, 0, static_cast<uint64_t>(stamp->size)};
          response.set_header("Content-Type", notify::ImageStore::content_type(name));
          response.set_header("Cache-Control", "private, max-age=86400");
          return response;
        });

  route("GET", "/api/notifications", Access::kSignedIn, [this](Request&, Visitor& visitor) {
    Json list = Json::array();
    for (const auto& notification : notify::Outbox(db()).recent(50, visitor.user->id))
      list.push_back(notify::to_json(notification, sub_path_.prefix()));
    return Response::json(200, list);
  });

  route("GET", "/api/admin/notifications", Access::kAdmin, [this](Request& request, Visitor&) {
    int limit = 200;
    if (auto asked = request.query_param("limit"))
      limit = std::clamp(std::atoi(asked->c_str()), 1, 1000);
    Json list = Json::array();
    for (const auto& notification : notify::Outbox(db()).recent(limit))
      list.push_back(notify::to_json(notification, sub_path_.prefix()));
    return Response::json(200, list);
  });

  route("GET", "/admin/notifications", Access::kAdmin, [this](Request& request, Visitor& visitor) {
    Json rows = Json::array();
    for (const auto& notification : notify::Outbox(db()).recent(200)) {
      Json row = notify::to_json(notification, sub_path_.prefix());
      std::string channels;
      for (const auto& delivery : notification.deliveries)
        channels += (channels.empty() ? "" : ", ") +
                    delivery.channel + ": " + delivery.status +
                    (delivery.last_error ? " (" + *delivery.last_error + ")" : "");
      row["channels"] = channels.empty() ? "no linked channel" : channels;
      rows.push_back(row);
    }
    Json mail = recent_mail_json(100);
    return render(request, visitor, "admin_notifications",
                  {{"title", "Notifications"},
                   {"notifications", rows},
                   {"has_notifications", !rows.empty()},
                   {"mail", mail},
                   {"has_mail", !mail.empty()}});
  });
}

}  // namespace da::web
