#include "telegram_portal.hpp"

#include "telegram_channel.hpp"

#include "da/common/time.hpp"
#include "da/notify/outbox.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/notify/telegram_settings.hpp"
#include "da/web/portal_host.hpp"
#include "da/web/portal_json.hpp"

namespace da::services::telegram_bot {

namespace {

using web::Access;
using web::PortalHost;
using web::Request;
using web::Response;
using web::Visitor;

using Json = nlohmann::json;

// A few tries per user and per address in ten minutes.
constexpr identity::RateLimit kCodeAttempts{5, std::chrono::minutes(10)};

struct LinkOutcome {
  int status;
  std::string message;
};

// Spends the code the bot gave `user`, within the rate limits; queues a welcome message.
LinkOutcome link_telegram(PortalHost& portal, const identity::User& user, const std::string& code,
                          const std::string& client_ip) {
  std::string trimmed;
  for (char c : code)
    if (c != ' ' && c != '-') trimmed.push_back(c);
  if (trimmed.empty()) return {400, "Verification code is required"};
  if (!portal.rate_limit("tg-code-user:" + std::to_string(user.id), kCodeAttempts).allowed ||
      !portal.rate_limit("tg-code-ip:" + client_ip, kCodeAttempts).allowed)
    return {429, "Too many attempts. Wait a few minutes and try again."};
  if (trimmed.size() != 6 || trimmed.find_first_not_of("0123456789") != std::string::npos ||
      !notify::TelegramLinks(portal.db()).redeem(trimmed, user.id))
    return {400, "Invalid or expired verification code."};
  notify::NewNotification welcome;
  welcome.user_id = user.id;
  welcome.title = "Telegram linked";
  welcome.message = "You will receive " + portal.config().instance.name + " notifications here.";
  welcome.source = "portal";
  welcome.channels = {kTelegramChannel};
  notify::Outbox(portal.db()).enqueue(welcome);
  return {200, "Telegram linked successfully."};
}

// The code of an API request: a string, or a number as the bot's users may type it.
std::string code_of(const Json& body) {
  if (!body.contains("code")) return "";
  if (body["code"].is_string()) return body["code"].get<std::string>();
  if (body["code"].is_number_integer()) return std::to_string(body["code"].get<int64_t>());
  return "";
}

Response status_json(PortalHost& portal, const std::string& bot_username,
                     const identity::User& user) {
  auto linked_at = notify::TelegramLinks(portal.db()).linked_at(user.id);
  Json status = {{"linked", linked_at.has_value()}, {"bot_username", bot_username}};
  if (linked_at) status["linked_at"] = format_iso8601(from_epoch_micros(*linked_at));
  return Response::json(200, status);
}

class TelegramFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.add_notice("telegram_linked", "Telegram is linked: notifications arrive there now.");
    portal.add_notice("telegram_unlinked", "Telegram is unlinked.");
    portal.add_notice("telegram_code_invalid",
                      "That code is invalid or expired. Send /start to the bot for a new one.");
    portal.add_notice("telegram_rate_limited",
                      "Too many attempts. Wait a few minutes and try again.");
    add_api_routes(portal);
    portal.route(
        "POST", "/telegram/link", Access::kSignedIn, [&portal](Request& request, Visitor& visitor) {
          LinkOutcome outcome =
              link_telegram(portal, *visitor.user, request.form_value("code"), request.client_ip());
          return Response::redirect(outcome.status == 200 ? "/dashboard?notice=telegram_linked"
                                    : outcome.status == 429
                                        ? "/dashboard?notice=telegram_rate_limited"
                                        : "/dashboard?notice=telegram_code_invalid");
        });
    portal.route("POST", "/telegram/unlink", Access::kSignedIn,
                 [&portal](Request&, Visitor& visitor) {
                   notify::TelegramLinks(portal.db()).unlink(visitor.user->id);
                   return Response::redirect("/dashboard?notice=telegram_unlinked");
                 });
  }

 private:
  static void add_api_routes(PortalHost& portal) {
    portal.route("POST", "/api/telegram/verify", Access::kSignedIn,
                 [&portal](Request& request, Visitor& visitor) {
                   LinkOutcome outcome =
                       link_telegram(portal, *visitor.user, code_of(parse_json_body(request)),
                                     request.client_ip());
                   if (outcome.status != 200)
                     return Response::json_error(outcome.status, outcome.message);
                   return Response::json(200, {{"ok", true}, {"message", outcome.message}});
                 });
    portal.route("POST", "/api/telegram/unlink", Access::kSignedIn,
                 [&portal](Request&, Visitor& visitor) {
                   if (!notify::TelegramLinks(portal.db()).unlink(visitor.user->id))
                     return Response::json_error(400, "Telegram is not linked.");
                   return Response::json(200, {{"ok", true}, {"message", "Telegram unlinked."}});
                 });
    portal.route(
        "GET", "/api/telegram/status", Access::kSignedIn,
        [&portal, bot = notify::TelegramSettings::from(portal.config()).bot_username](
            Request&, Visitor& visitor) { return status_json(portal, bot, *visitor.user); });
  }
};

}  // namespace

std::unique_ptr<web::PortalFeature> make_telegram_portal_feature() {
  return std::make_unique<TelegramFeature>();
}

}  // namespace da::services::telegram_bot
