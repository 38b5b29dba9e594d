// The Telegram bot (`da telegram-bot`): long-polls the Bot API for commands and delivers the
// outbox's Telegram notifications. Everything it knows lives in the state store (the update
// offset, links, codes, the outbox), so a restart loses nothing and repeats nothing handled.
//
// Commands: /start (a 6-digit code to link the chat on the dashboard, 10 minutes), /whoami,
// /status (the analyst's scripts, with a "Run" button each), /test, /help. The button's
// callback `run:<script>` queues an on-demand run for the runner.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "bot_api.hpp"
#include "da/config/instance_config.hpp"
#include "da/notify/notifications_settings.hpp"

namespace da::services::telegram_bot {

class TelegramBot {
 public:
  TelegramBot(config::InstanceConfig config, BotApi api);

  // One getUpdates (waiting up to `wait` for updates); each update is handled and the offset
  // stored after it. Returns how many updates arrived. Throws BotApiError when Telegram fails.
  int poll_once(std::chrono::seconds wait);
  // Sends the Telegram deliveries that are due; returns how many were attempted.
  int deliver_once();
  // Polls and delivers until `stop`, each on its own thread; errors are logged and retried.
  void run(const std::atomic<bool>& stop);

 private:
  void handle_update(const nlohmann::json& update);
  void handle_command(int64_t chat_id, const std::string& command);
  void handle_callback(const nlohmann::json& callback);
  void reply(int64_t chat_id, const std::string& markdown,
             const nlohmann::json& keyboard = nullptr);

  config::InstanceConfig config_;
  notify::NotificationsSettings notifications_;
  BotApi api_;
};

}  // namespace da::services::telegram_bot
