// da notify: put a notification into the outbox, and see what the outbox holds.
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/time.hpp"
#include "da/identity/user_store.hpp"
#include "da/notify/outbox.hpp"
#include "da/module/module_registry.hpp"
#include "da/store/state_store.hpp"

namespace da::commands::notify {

namespace {

using Json = nlohmann::json;

std::string when(int64_t micros) {
  return format_iso8601(from_epoch_micros(micros)).substr(0, 19) + "Z";
}

// A user by server name or email.
identity::User find_user(identity::UserStore& users, const std::string& who) {
  auto user = who.find('@') != std::string::npos ? users.find_by_email(who)
                                                 : users.find_by_username(who);
  if (!user) throw Error(ErrorKind::kNotFound, "no portal user '" + who + "'");
  return *user;
}


std::string delivery_summary(const da::notify::Notification& notification) {
  if (notification.deliveries.empty()) return "no channel";
  std::string text;
  for (const auto& delivery : notification.deliveries)
    text += (text.empty() ? "" : ", ") + delivery.channel + " " + delivery.status;
  return text;
}

int send(cli::CommandContext& context, const cli::Arguments& arguments) {
  store::StateStore store(context.config().paths.state_db);
  identity::UserStore users(store.database());
  identity::User user = find_user(users, arguments.value("user"));
  da::notify::NewNotification notification;
  notification.user_id = user.id;
  notification.title = arguments.value("title");
  notification.message = arguments.value("message");
  notification.source = "cli";
  if (notification.title.empty() && notification.message.empty())
    throw Error(ErrorKind::kConfig, "give a --title, a --message or both");
  for (const std::string& name : arguments.values("channel")) {
    try {
      notification.channels.insert(da::notify::notification_channels().require(name).name);
    } catch (const Error& e) {
      throw Error(ErrorKind::kConfig, std::string("--channel: ") + e.what());
    }
  }
  auto stored = da::notify::Outbox(store.database()).enqueue(notification);
  if (context.json()) {
    context.print(da::notify::to_json(stored, context.config().server.base_path()).dump(2) + "\n");
  } else {
    context.print(fmt::format("notification {} for {}: {}\n", stored.id, user.username,
                              delivery_summary(stored)));
  }
  if (stored.deliveries.empty())
    throw Error(ErrorKind::kNotFound,
                user.username +
                    " has linked no channel it can receive on (Telegram or the desktop app); the "
                    "notification is kept but goes nowhere");
  return cli::ExitCode::kSuccess;
}

int list(cli::CommandContext& context, const cli::Arguments& arguments) {
  store::StateStore store(context.config().paths.state_db);
  std::optional<int64_t> user_id;
  if (arguments.has("user")) {
    identity::UserStore users(store.database());
    user_id = find_user(users, arguments.value("user")).id;
  }
  auto notifications = da::notify::Outbox(store.database())
                           .recent(static_cast<int>(arguments.integer("limit")), user_id);
  if (context.json()) {
    Json out = Json::array();
    for (const auto& notification : notifications)
      out.push_back(da::notify::to_json(notification, context.config().server.base_path()));
    context.print(out.dump(2) + "\n");
    return cli::ExitCode::kSuccess;
  }
  if (notifications.empty()) context.print("the outbox is empty\n");
  for (const auto& notification : notifications)
    context.print(fmt::format("{:>6} {} {:<24} {:<10} {:<32} {}\n", notification.id,
                              when(notification.created_at), notification.username,
                              notification.source, notification.title.substr(0, 32),
                              delivery_summary(notification)));
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  auto& commands = registry.commands;
  commands.describe_group("notify", "The notification outbox (Telegram and the desktop app)");
  commands.add({"notify send",
                "Queue a notification for a user on every channel they linked",
                {cli::value_option("--user", "The user's server name or email"),
                 cli::value_option("--title", "The title"),
                 cli::value_option("--message", "The text"),
                 cli::value_list_option("--channel",
                                        "Only this registered channel, e.g. telegram or desktop")},
                send});
  commands.add({"notify list",
                "The newest notifications and their delivery on each channel",
                {cli::value_option("--user", "Only this user's (server name or email)"),
                 cli::value_option("--limit", "How many", "50")},
                list});
}

}  // namespace da::commands::notify
