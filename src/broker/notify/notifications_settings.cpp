#include "da/notify/notifications_settings.hpp"

#include <algorithm>

#include "da/common/strings.hpp"

namespace da::notify {

namespace {

void check(const config::InstanceConfig& config, config::Diagnostics& diagnostics) {
  NotificationsSettings::read(config, diagnostics);
}

}  // namespace

NotificationsSettings NotificationsSettings::read(const config::InstanceConfig& config,
                                                  config::Diagnostics& diagnostics) {
  config::NodeReader node = config.section_reader("notifications", diagnostics);
  node.warn_unknown_keys({"api_socket", "service_users", "image_dir", "script_timeout_seconds",
                          "runner_workers", "script_containment", "ws_listen", "ws_ping_seconds",
                          "ws_permessage_deflate"});
  NotificationsSettings out;
  out.ws_listen = node.string("ws_listen", out.ws_listen);
  out.ws_ping_seconds =
      static_cast<int>(node.integer("ws_ping_seconds", out.ws_ping_seconds, 1, 3600));
  out.ws_permessage_deflate = node.boolean("ws_permessage_deflate", out.ws_permessage_deflate);
  out.api_socket = node.string("api_socket", out.api_socket.string());
  out.service_users = node.child("service_users").as_string_list();
  for (const std::string& user : out.service_users)
    if (!config::is_linux_username(user))
      node.child("service_users").error("'" + user + "' is not a valid Linux user name");
  std::string image_dir = node.string("image_dir");
  out.image_dir =
      image_dir.empty() ? config.paths.data_dir / "notification_images" : config.resolve(image_dir);
  out.script_timeout_seconds =
      static_cast<int>(node.integer("script_timeout_seconds", out.script_timeout_seconds, 1, 3600));
  out.runner_workers = static_cast<int>(node.integer("runner_workers", out.runner_workers, 1, 64));
  out.script_containment = node.string("script_containment", out.script_containment);
  static const std::vector<std::string> kContainments = {"auto", "cgroup", "subreaper"};
  if (std::find(kContainments.begin(), kContainments.end(), out.script_containment) ==
      kContainments.end())
    node.child("script_containment")
        .error("must be one of " + join(kContainments, ", ") + ", found '" +
               out.script_containment + "'");
  return out;
}

NotificationsSettings NotificationsSettings::from(const config::InstanceConfig& config) {
  return config::read_settings_or_throw(config, &NotificationsSettings::read);
}

void NotificationsSettings::claim_section(config::SectionOwners& owners) {
  owners.claim("notifications", check);
}

}  // namespace da::notify
