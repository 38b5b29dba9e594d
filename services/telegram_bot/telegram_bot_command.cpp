// da telegram-bot: the Telegram bot (commands and notification delivery); the module also
// registers the Telegram channel and the portal's linking routes.
#include "da/cli/command_context.hpp"
#include "da/cli/termination_signals.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/notify/notifications_settings.hpp"
#include "da/notify/telegram_settings.hpp"
#include "da/module/module_registry.hpp"
#include "telegram_bot.hpp"
#include "telegram_channel.hpp"
#include "telegram_portal.hpp"

namespace da::services::telegram_bot {

namespace {

int run_bot(cli::CommandContext& context, const cli::Arguments&) {
  const config::InstanceConfig& config = context.config();
  const notify::TelegramSettings telegram = notify::TelegramSettings::from(config);
  if (telegram.bot_token.empty())
    throw Error(ErrorKind::kConfig,
                "telegram.bot_token is not set (TELEGRAM_BOT_TOKEN in the environment)");
  TelegramBot bot(config, BotApi(telegram.api_url, telegram.bot_token));
  log::info("telegram bot started");
  cli::run_until_signalled([&](const std::atomic<bool>& stop) { bot.run(stop); });
  log::info("telegram bot stopped");
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  notify::TelegramSettings::claim_section(registry.config_sections);
  notify::NotificationsSettings::claim_section(registry.config_sections);
  register_telegram_channel(registry.notification_channels);
  registry.portal_features.add("telegram", make_telegram_portal_feature);
  registry.commands.add({"telegram-bot",
                         "Run the Telegram bot: linking codes, /status with Run buttons, and "
                         "delivery of the outbox's Telegram notifications",
                         {},
                         run_bot});
}

}  // namespace da::services::telegram_bot
