#include "da/notify/telegram_settings.hpp"

#include "da/common/log.hpp"

namespace da::notify {

namespace {

void check(const config::InstanceConfig& config, config::Diagnostics& diagnostics) {
  TelegramSettings::read(config, diagnostics);
}

}  // namespace

TelegramSettings TelegramSettings::read(const config::InstanceConfig& config,
                                        config::Diagnostics& diagnostics) {
  config::NodeReader node = config.section_reader("telegram", diagnostics);
  node.warn_unknown_keys({"bot_token", "bot_username", "domain_suffix", "api_url"});
  TelegramSettings out;
  out.bot_token = node.string("bot_token");
  out.api_url = node.string("api_url", out.api_url);
  out.bot_username = node.string("bot_username");
  out.domain_suffix = node.string("domain_suffix");
  if (!out.bot_username.empty())
    node.require("bot_token", "because telegram.bot_username is set (Telegram notifications)");
  log::add_secret(out.bot_token);
  return out;
}

TelegramSettings TelegramSettings::from(const config::InstanceConfig& config) {
  return config::read_settings_or_throw(config, &TelegramSettings::read);
}

void TelegramSettings::claim_section(config::SectionOwners& owners) {
  owners.claim("telegram", check);
}

}  // namespace da::notify
