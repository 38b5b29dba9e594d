#include "da/notify/telegram_settings.hpp"

#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/config/instance_config_loader.hpp"

namespace da::notify {
namespace {

config::InstanceConfig load(std::string_view yaml) {
  return config::parse_instance_config(yaml, "instance.yaml", "/srv/da/config",
                                       [](const std::string&) { return std::nullopt; })
      .config;
}

TEST(TelegramSettings, WithoutASectionTheBotIsOffAndTalksToTelegram) {
  config::Diagnostics diagnostics;
  TelegramSettings settings = TelegramSettings::read(load("instance: {name: x}\n"), diagnostics);
  EXPECT_TRUE(diagnostics.all().empty());
  EXPECT_EQ(settings.bot_token, "");
  EXPECT_EQ(settings.bot_username, "");
  EXPECT_EQ(settings.api_url, "https://api.telegram.org");
}

TEST(TelegramSettings, ReadsItsKeysAndRedactsTheToken) {
  TelegramSettings settings = TelegramSettings::from(
      load("telegram:\n  bot_token: '123:telegram-token-abc'\n  bot_username: acme_bot\n"
           "  domain_suffix: '@acme.com'\n  api_url: http://127.0.0.1:9\n"));
  EXPECT_EQ(settings.bot_token, "123:telegram-token-abc");
  EXPECT_EQ(settings.bot_username, "acme_bot");
  EXPECT_EQ(settings.domain_suffix, "@acme.com");
  EXPECT_EQ(settings.api_url, "http://127.0.0.1:9");
  EXPECT_EQ(log::redact("token 123:telegram-token-abc"), "token ***");
}

TEST(TelegramSettings, ABotNameWithoutATokenIsAnErrorWithItsLineAndATypoAWarning) {
  config::Diagnostics diagnostics;
  TelegramSettings::read(load("instance: {name: x}\ntelegram:\n  bot_username: acme_bot\n"
                              "  bot_tokn: x\n"),
                         diagnostics);
  ASSERT_EQ(diagnostics.errors().size(), 1u);
  EXPECT_EQ(diagnostics.errors()[0].format(),
            "instance.yaml:3: telegram.bot_token: is required because telegram.bot_username is "
            "set (Telegram notifications)");
  ASSERT_EQ(diagnostics.warnings().size(), 1u);
  EXPECT_EQ(diagnostics.warnings()[0].format(),
            "instance.yaml:4: telegram.bot_tokn: unknown key (ignored)");
  EXPECT_THROW(TelegramSettings::from(load("telegram:\n  bot_username: acme_bot\n")), Error);
}

}  // namespace
}  // namespace da::notify
