// da notify-api: serves the send API on notifications.api_socket.
#include <pwd.h>

#include "da/cli/command_context.hpp"
#include "da/cli/termination_signals.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/notify/notifications_settings.hpp"
#include "da/module/module_registry.hpp"
#include "notify_api.hpp"

namespace da::services::notify_api {

namespace {

int run_api(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  const notify::NotificationsSettings notifications = notify::NotificationsSettings::from(config);
  std::filesystem::path socket =
      arguments.has("socket") ? arguments.value("socket") : notifications.api_socket.string();
  std::set<uid_t> service_uids;
  for (const std::string& name : notifications.service_users) {
    if (passwd* account = ::getpwnam(name.c_str()))
      service_uids.insert(account->pw_uid);
    else
      log::warn("notifications.service_users: there is no account '{}'", name);
  }
  NotifyApi api(config, service_uids);
  cli::run_until_signalled([&](const std::atomic<bool>& stop) { api.serve(socket, stop); });
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  notify::NotificationsSettings::claim_section(registry.config_sections);
  registry.commands.add(
      {"notify-api",
       "Serve the send API (POST /send, /send_photo) on a Unix socket; callers are identified "
       "by the kernel",
       {cli::value_option("--socket", "The socket (default: notifications.api_socket)")},
       run_api});
}

}  // namespace da::services::notify_api
