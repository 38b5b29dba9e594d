// instance.yaml's `telegram` section: the bot that delivers notifications (da telegram-bot)
// and whose name the portal shows. Claimed by the telegram_bot service.
#pragma once

#include <string>

#include "da/config/diagnostics.hpp"
#include "da/config/instance_config.hpp"
#include "da/config/section_owners.hpp"

namespace da::notify {

struct TelegramSettings {
  std::string bot_token;
  std::string bot_username;  // setting it enables the bot; requires bot_token
  std::string domain_suffix;
  std::string api_url = "https://api.telegram.org";  // the Bot API (a fake in tests)

  // Reads the section, reporting every problem to `diagnostics`; registers the token as a
  // secret to redact.
  static TelegramSettings read(const config::InstanceConfig& config,
                               config::Diagnostics& diagnostics);
  // read(), or Error(kConfig) listing the problems.
  static TelegramSettings from(const config::InstanceConfig& config);
  // Claims `telegram` for read(), for the modules that use the bot.
  static void claim_section(config::SectionOwners& owners);
};

}  // namespace da::notify
