// da telegram-bot: the Telegram bot (commands and notification delivery).
#include <csignal>
#include <thread>

#include <unistd.h>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/plugin/plugin_registry.hpp"
#include "telegram_bot.hpp"

namespace da::services::telegram_bot {

namespace {

int run_bot(cli::CommandContext& context, const cli::Arguments&) {
  const config::InstanceConfig& config = context.config();
  if (config.telegram.bot_token.empty())
    throw Error(ErrorKind::kConfig,
                "telegram.bot_token is not set (TELEGRAM_BOT_TOKEN in the environment)");
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  TelegramBot bot(config, BotApi(config.telegram.api_url, config.telegram.bot_token));
  std::atomic<bool> stop{false};
  std::thread worker([&] { bot.run(stop); });
  log::info("telegram bot started");
  int received = 0;
  sigwait(&signals, &received);
  stop = true;
  worker.join();
  log::info("telegram bot stopped");
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_plugin(PluginRegistry& registry) {
  registry.commands.add({"telegram-bot",
                         "Run the Telegram bot: linking codes, /status with Run buttons, and "
                         "delivery of the outbox's Telegram notifications",
                         {},
                         run_bot});
}

}  // namespace da::services::telegram_bot
