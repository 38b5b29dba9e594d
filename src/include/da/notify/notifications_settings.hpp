// instance.yaml's `notifications` section: the send API's socket and who may use it for
// others, the script runner's limits and the WebSocket gateway's. Claimed by every service
// that reads it (notify_api, notify_runner, telegram_bot, ws_gateway); the portal reads it too.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "da/config/diagnostics.hpp"
#include "da/config/instance_config.hpp"
#include "da/config/section_owners.hpp"

namespace da::notify {

struct NotificationsSettings {
  std::filesystem::path api_socket = "/run/da/notify.sock";
  std::vector<std::string> service_users;  // may send to anyone (root always may)
  std::filesystem::path image_dir;         // default <data_dir>/notification_images
  int script_timeout_seconds = 60;
  int runner_workers = 4;  // analysts whose scripts the runner runs at once
  // How the runner ends what a script started: auto | cgroup | subreaper
  // (services/notify_runner/script_containment.hpp).
  std::string script_containment = "auto";
  std::string ws_listen = "127.0.0.1:8765";  // the WebSocket gateway (da ws-gateway)
  // The gateway pings every socket this often; one silent for 3 intervals is closed.
  int ws_ping_seconds = 30;
  bool ws_permessage_deflate = false;  // offer compression to clients that ask for it

  // Reads the section (image_dir made absolute against the instance), reporting every problem
  // to `diagnostics`.
  static NotificationsSettings read(const config::InstanceConfig& config,
                                    config::Diagnostics& diagnostics);
  // read(), or Error(kConfig) listing the problems.
  static NotificationsSettings from(const config::InstanceConfig& config);
  // Claims `notifications` for read(), for the modules that use it.
  static void claim_section(config::SectionOwners& owners);
};

}  // namespace da::notify
