#include "da/notify/notifications_settings.hpp"

#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/config/instance_config_loader.hpp"

namespace da::notify {
namespace {

config::InstanceConfig load(std::string_view yaml) {
  return config::parse_instance_config(yaml, "instance.yaml", "/srv/da/config",
                                       [](const std::string&) { return std::nullopt; })
      .config;
}

std::vector<std::string> errors_of(std::string_view yaml) {
  config::Diagnostics diagnostics;
  NotificationsSettings::read(load(yaml), diagnostics);
  std::vector<std::string> result;
  for (const auto& item : diagnostics.errors())
    result.push_back(item.format());
  return result;
}

TEST(NotificationsSettings, DefaultsPutImagesUnderTheDataFolder) {
  NotificationsSettings settings =
      NotificationsSettings::from(load("paths:\n  data_dir: /data/da\n"));
  EXPECT_EQ(settings.api_socket, "/run/da/notify.sock");
  EXPECT_TRUE(settings.service_users.empty());
  EXPECT_EQ(settings.image_dir, "/data/da/notification_images");
  EXPECT_EQ(settings.script_timeout_seconds, 60);
  EXPECT_EQ(settings.runner_workers, 4);
  EXPECT_EQ(settings.script_containment, "auto");
  EXPECT_EQ(settings.ws_listen, "127.0.0.1:8765");
  EXPECT_EQ(settings.ws_ping_seconds, 30);
  EXPECT_FALSE(settings.ws_permessage_deflate);
}

TEST(NotificationsSettings, ARelativeImageFolderResolvesAgainstTheInstance) {
  NotificationsSettings settings = NotificationsSettings::from(
      load("notifications:\n  image_dir: ./images\n  service_users: [monitor, da-bot]\n"
           "  ws_permessage_deflate: true\n"));
  EXPECT_EQ(settings.image_dir, "/srv/da/images");
  EXPECT_EQ(settings.service_users, (std::vector<std::string>{"monitor", "da-bot"}));
  EXPECT_TRUE(settings.ws_permessage_deflate);
}

TEST(NotificationsSettings, BadValuesAreErrorsWithTheirLines) {
  EXPECT_EQ(errors_of("notifications:\n"
                      "  service_users: [Root User]\n"
                      "  script_timeout_seconds: 0\n"
                      "  ws_ping_seconds: often\n"),
            (std::vector<std::string>{
                "instance.yaml:4: notifications.ws_ping_seconds: expected an integer, found "
                "'often'",
                "instance.yaml:2: notifications.service_users: 'Root User' is not a valid Linux "
                "user name",
                "instance.yaml:3: notifications.script_timeout_seconds: must be between 1 and "
                "3600, found 0"}));
  EXPECT_THROW(NotificationsSettings::from(load("notifications:\n  runner_workers: 65\n")), Error);
}

}  // namespace
}  // namespace da::notify
