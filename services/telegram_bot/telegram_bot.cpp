#include "telegram_bot.hpp"

#include <fstream>
#include <iterator>
#include <thread>

#include "da/common/log.hpp"
#include "da/common/time.hpp"
#include "da/identity/user_store.hpp"
#include "da/notify/image_store.hpp"
#include "da/notify/outbox.hpp"
#include "da/notify/script_store.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/store/state_store.hpp"
#include "markdown_v2.hpp"
#include "telegram_channel.hpp"
#include "update_offset.hpp"

namespace da::services::telegram_bot {

namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxText = 4096;
constexpr std::size_t kMaxCaption = 1024;
constexpr std::size_t kMaxCallbackData = 64;
constexpr std::size_t kMaxListedScripts = 25;

// The notification as MarkdownV2 (title in bold) and as plain text, both within `limit`.
std::pair<std::string, std::string> compose(const notify::Notification& notification,
                                            std::size_t limit) {
  std::string title = truncate_characters(notification.title, 200);
  std::string footer = notification.script ? "from " + *notification.script : "";
  std::size_t room = limit > title.size() + footer.size() + 64
                         ? (limit - title.size() - footer.size() - 64) / 2
                         : 16;
  std::string message = truncate_characters(notification.message, room);
  std::string markdown, plain;
  if (!title.empty()) {
    markdown = "*" + escape_markdown_v2(title) + "*";
    plain = title;
  }
  if (!message.empty()) {
    markdown += (markdown.empty() ? "" : "\n") + escape_markdown_v2(message);
    plain += (plain.empty() ? "" : "\n") + message;
  }
  if (!footer.empty()) {
    markdown += "\n_" + escape_markdown_v2(footer) + "_";
    plain += "\n" + footer;
  }
  if (plain.empty()) plain = markdown = "(empty notification)";
  return {markdown, plain};
}

}  // namespace

TelegramBot::TelegramBot(config::InstanceConfig config, BotApi api)
    : config_(std::move(config)),
      notifications_(notify::NotificationsSettings::from(config_)),
      api_(std::move(api)) {}

void TelegramBot::reply(int64_t chat_id, const std::string& markdown, const Json& keyboard) {
  Json parameters = {{"chat_id", chat_id}, {"text", markdown}, {"parse_mode", "MarkdownV2"}};
  if (!keyboard.is_null()) parameters["reply_markup"] = keyboard;
  api_.call("sendMessage", parameters);
}

int TelegramBot::poll_once(std::chrono::seconds wait) {
  int64_t offset = 0;
  {
    store::StateStore store(config_.paths.state_db);
    offset = UpdateOffset(store.database()).get();
  }
  Json updates = api_.call("getUpdates",
                           {{"offset", offset},
                            {"timeout", wait.count()},
                            {"allowed_updates", Json::array({"message", "callback_query"})}},
                           wait + std::chrono::seconds(15));
  if (!updates.is_array()) return 0;
  for (const Json& update : updates) {
    try {
      handle_update(update);
    } catch (const std::exception& e) {
      log::warn("telegram: update {} not handled: {}", update.value("update_id", 0), e.what());
    }
    // Stored after each update: a crash repeats at most the update being handled.
    store::StateStore store(config_.paths.state_db);
    UpdateOffset(store.database()).put(update.value("update_id", int64_t{0}) + 1);
  }
  return static_cast<int>(updates.size());
}

void TelegramBot::handle_update(const Json& update) {
  if (update.contains("callback_query")) {
    handle_callback(update["callback_query"]);
    return;
  }
  if (!update.contains("message")) return;
  const Json& message = update["message"];
  if (!message.contains("chat") || !message.contains("text") || !message["text"].is_string())
    return;
  // Links are per person: in a group anyone could run the analyst's scripts or read /whoami.
  if (message["chat"].value("type", "") != "private") return;
  std::string text = message["text"].get<std::string>();
  std::string command = text.substr(0, text.find_first_of(" \n"));
  command = command.substr(0, command.find('@'));  // "/start@da_bot" in groups
  handle_command(message["chat"].value("id", int64_t{0}), command);
}

void TelegramBot::handle_command(int64_t chat_id, const std::string& command) {
  store::StateStore store(config_.paths.state_db);
  notify::TelegramLinks links(store.database());
  identity::UserStore users(store.database());
  auto linked = links.user_of_chat(chat_id);
  std::optional<identity::User> user = linked ? users.find_by_id(*linked) : std::nullopt;
  std::string where = config_.server.base_url.empty() ? config_.server.hostname
                                                      : config_.server.base_url;
  if (command == "/start") {
    if (user) {
      reply(chat_id, "You are already linked as *" + escape_markdown_v2(user->username) + "*\\.");
      return;
    }
    std::string code = links.issue_code(chat_id);
    reply(chat_id, "Welcome to " + escape_markdown_v2(config_.instance.name) +
                       " notifications\\!\nYour verification code: *" + code +
                       "*\nEnter it on your dashboard at " + escape_markdown_v2(where) +
                       "\\. It expires in 10 minutes\\.");
  } else if (command == "/whoami") {
    if (!user) {
      reply(chat_id, "No linked account\\. Send /start to link one\\.");
      return;
    }
    reply(chat_id, "You are linked as *" + escape_markdown_v2(user->username) + "* \\(" +
                       escape_markdown_v2(user->email) + "\\)\\.");
  } else if (command == "/status") {
    if (!user) {
      reply(chat_id, "No linked account\\. Send /start to link one\\.");
      return;
    }
    auto scripts = notify::ScriptStore(store.database()).list(user->id);
    std::size_t listed_count = scripts.size();
    // Within Telegram's 4096 characters whatever the names: the escaped text is never cut.
    if (scripts.size() > kMaxListedScripts) scripts.resize(kMaxListedScripts);
    std::string text = "*Notifications for " + escape_markdown_v2(user->username) + "*\n";
    Json rows = Json::array();
    for (const auto& script : scripts) {
      std::string state = script.last_status == "failed"
                              ? "last run failed"
                              : (script.last_sent_at ? "last sent " + format_ago(*script.last_sent_at)
                                                     : "never sent");
      text += "• `" + escape_markdown_v2_code(truncate_characters(script.script, 60)) + "` — " +
              escape_markdown_v2(state) + "\n";
      std::string data = "run:" + script.script;
      std::string stem = script.script.substr(0, script.script.rfind('.'));
      if (data.size() <= kMaxCallbackData)
        rows.push_back(Json::array({{{"text", "Run " + (stem.empty() ? script.script : stem)},
                                     {"callback_data", data}}}));
    }
    if (scripts.empty())
      text += "No notification scripts yet\\. Put executable scripts in "
              "`~/user/notifications/` on the server\\.";
    else
      text += escape_markdown_v2(std::to_string(listed_count) + " script(s) in ") +
              "`~/user/notifications/`";
    reply(chat_id, text, rows.empty() ? Json() : Json{{"inline_keyboard", rows}});
  } else if (command == "/test") {
    if (!user) {
      reply(chat_id, "No linked account\\. Send /start to link one\\.");
      return;
    }
    notify::NewNotification test;
    test.user_id = user->id;
    test.title = "Test notification";
    test.message = "Notifications from " + config_.instance.name + " reach you here.";
    test.source = "bot";
    test.channels = {kTelegramChannel};
    notify::Outbox(store.database()).enqueue(test);
    reply(chat_id, "A test notification is on its way\\.");
  } else if (command == "/help") {
    reply(chat_id,
          "*Commands*\n/start — link this chat to your account\n/whoami — the linked account\n"
          "/status — your notification scripts, with Run buttons\n/test — send a test "
          "notification\n/help — this list");
  } else {
    reply(chat_id, "Unknown command\\. Type /help for the list\\.");
  }
}

void TelegramBot::handle_callback(const Json& callback) {
  std::string id = callback.value("id", "");
  std::string data = callback.value("data", "");
  // Authorised on who pressed the button: in a private chat the chat id is the person's id.
  int64_t chat_id = callback.contains("from") ? callback["from"].value("id", int64_t{0}) : 0;
  store::StateStore store(config_.paths.state_db);
  auto user_id = notify::TelegramLinks(store.database()).user_of_chat(chat_id);
  if (!user_id) {
    api_.call("answerCallbackQuery", {{"callback_query_id", id}, {"text", "Account not linked"}});
    return;
  }
  if (data.rfind("run:", 0) != 0) {
    api_.call("answerCallbackQuery", {{"callback_query_id", id}, {"text", "Unknown action"}});
    return;
  }
  std::string script = data.substr(4);
  try {
    notify::ScriptStore(store.database()).request_run(*user_id, script, "telegram");
  } catch (const Error&) {
    api_.call("answerCallbackQuery", {{"callback_query_id", id}, {"text", "No such script"}});
    return;
  }
  api_.call("answerCallbackQuery", {{"callback_query_id", id}, {"text", "Running " + script}});
  reply(chat_id, "Running `" + escape_markdown_v2_code(script) +
                     "`\\.\\.\\. its result arrives here when it reports something\\.");
}

int TelegramBot::deliver_once() {
  store::StateStore store(config_.paths.state_db);
  notify::Outbox outbox(store.database());
  notify::TelegramLinks links(store.database());
  auto due = outbox.claim_due(kTelegramChannel, 20);
  for (const notify::Notification& notification : due) {
    auto chat = links.chat_of(notification.user_id);
    if (!chat) {
      outbox.mark_failed(notification.id, kTelegramChannel, "Telegram is no longer linked", true);
      continue;
    }
    std::optional<std::string> image;
    if (notification.image) {
      if (auto path = notify::ImageStore(notifications_.image_dir).path_of(*notification.image)) {
        std::ifstream in(*path, std::ios::binary);
        std::string bytes(std::istreambuf_iterator<char>(in), {});
        if (in.good() || in.eof()) image = std::move(bytes);
      }
      if (!image || image->empty()) {
        image.reset();  // the text still goes
        log::warn("telegram: the image of notification {} cannot be read", notification.id);
      }
    }
    auto [markdown, plain] = compose(notification, image ? kMaxCaption : kMaxText);
    auto send = [&](const std::string& text, const std::string& parse_mode) {
      if (image) {
        api_.send_photo(*chat, *image, "chart" + notification.image->substr(notification.image->rfind('.')),
                        text, parse_mode);
        return;
      }
      Json parameters = {{"chat_id", *chat}, {"text", text}};
      if (!parse_mode.empty()) parameters["parse_mode"] = parse_mode;
      api_.call("sendMessage", parameters);
    };
    try {
      try {
        send(markdown, "MarkdownV2");
      } catch (const BotApiError& e) {
        if (!e.bad_markup()) throw;
        send(plain, "");  // shown as written rather than not at all
      }
      outbox.mark_sent(notification.id, kTelegramChannel);
    } catch (const BotApiError& e) {
      std::optional<std::chrono::seconds> retry_after;
      if (e.retry_after()) retry_after = std::chrono::seconds(*e.retry_after());
      outbox.mark_failed(notification.id, kTelegramChannel, e.description(), !e.transient(),
                         retry_after);
      log::warn("telegram: notification {} to {}: {}", notification.id, notification.username,
                e.what());
      if (e.status() == 429) break;  // the whole bot is throttled: stop this round
    }
  }
  return static_cast<int>(due.size());
}

void TelegramBot::run(const std::atomic<bool>& stop) {
  std::thread delivery([&] {
    while (!stop.load()) {
      int attempted = 0;
      try {
        attempted = deliver_once();
      } catch (const std::exception& e) {
        log::warn("telegram delivery: {}", e.what());
      }
      if (attempted == 0) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
  while (!stop.load()) {
    try {
      poll_once(std::chrono::seconds(25));
    } catch (const BotApiError& e) {
      log::warn("telegram polling: {}", e.what());
      auto pause = std::chrono::seconds(e.retry_after().value_or(5));
      for (auto waited = std::chrono::seconds(0); waited < pause && !stop.load();
           waited += std::chrono::seconds(1))
        std::this_thread::sleep_for(std::chrono::seconds(1));
    } catch (const std::exception& e) {
      log::warn("telegram polling: {}", e.what());
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  delivery.join();
}

}  // namespace da::services::telegram_bot
