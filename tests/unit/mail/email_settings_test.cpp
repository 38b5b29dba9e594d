#include "da/mail/email_settings.hpp"

#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/config/instance_config_loader.hpp"

namespace da::mail {
namespace {

config::InstanceConfig load(std::string_view yaml) {
  return config::parse_instance_config(yaml, "instance.yaml", "/srv/da/config",
                                       [](const std::string&) { return std::nullopt; })
      .config;
}

std::vector<std::string> errors_of(std::string_view yaml) {
  config::Diagnostics diagnostics;
  EmailSettings::read(load(yaml), diagnostics);
  std::vector<std::string> result;
  for (const auto& item : diagnostics.errors())
    result.push_back(item.format());
  return result;
}

TEST(EmailSettings, WithoutASectionNothingIsMailedAndTheDefaultsHold) {
  EmailSettings settings = EmailSettings::from(load("instance: {name: x}\n"));
  EXPECT_EQ(settings.smtp_host, "");
  EXPECT_EQ(settings.smtp_port, 587);
  EXPECT_TRUE(settings.smtp_use_tls);
  EXPECT_EQ(settings.smtp_timeout_seconds, 15);
  EXPECT_EQ(settings.from_address, "noreply@example.com");
  EXPECT_EQ(settings.from_name, "AI Data Analyst");
  EXPECT_TRUE(settings.smtp_ca_file.empty());
}

TEST(EmailSettings, ReadsItsKeysAndRedactsThePassword) {
  EmailSettings settings = EmailSettings::from(
      load("email:\n  smtp_host: relay.acme.com\n  smtp_port: 465\n  smtp_user: mailer\n"
           "  smtp_password: smtp-password-0123456789\n  smtp_use_tls: false\n"
           "  smtp_timeout_seconds: 30\n  from_address: da@acme.com\n  from_name: Acme\n"));
  EXPECT_EQ(settings.smtp_host, "relay.acme.com");
  EXPECT_EQ(settings.smtp_port, 465);
  EXPECT_EQ(settings.smtp_user, "mailer");
  EXPECT_FALSE(settings.smtp_use_tls);
  EXPECT_EQ(settings.smtp_timeout_seconds, 30);
  EXPECT_EQ(settings.from_address, "da@acme.com");
  EXPECT_EQ(settings.from_name, "Acme");
  EXPECT_EQ(log::redact("smtp-password-0123456789"), "***");
}

TEST(EmailSettings, BadValuesAreErrorsWithTheirLines) {
  EXPECT_EQ(errors_of("email:\n  smtp_port: 0\n  smtp_timeout_seconds: 601\n"
                      "  smtp_user: mailer\n"),
            (std::vector<std::string>{
                "instance.yaml:2: email.smtp_port: must be between 1 and 65535, found 0",
                "instance.yaml:3: email.smtp_timeout_seconds: must be between 1 and 600, found 601",
                "instance.yaml:2: email.smtp_password: is required because email.smtp_user is "
                "set (SMTP authentication)"}));
  EXPECT_THROW(EmailSettings::from(load("email:\n  smtp_use_tls: maybe\n")), Error);
}

}  // namespace
}  // namespace da::mail
