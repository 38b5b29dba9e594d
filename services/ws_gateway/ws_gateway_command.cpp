// da ws-gateway: the desktop app's notification WebSocket (behind the same proxy as the portal).
// Under a systemd unit of Type=notify it says when it is ready and stopping, and pings the
// watchdog from its I/O threads.
#include <csignal>

#include <sys/resource.h>

#include "da/cli/command_context.hpp"
#include "da/cli/termination_signals.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/systemd_notifier.hpp"
#include "da/identity/desktop_settings.hpp"
#include "da/notify/notifications_settings.hpp"
#include "da/net/origin.hpp"
#include "da/module/module_registry.hpp"
#include "desktop_channel.hpp"
#include "gateway.hpp"

namespace da::services::ws_gateway {

namespace {

int run_gateway(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  const notify::NotificationsSettings notifications = notify::NotificationsSettings::from(config);
  if (identity::DesktopSettings::from(config).jwt_secret.size() < 32)
    throw Error(ErrorKind::kConfig,
                "desktop.jwt_secret (DESKTOP_JWT_SECRET) must be set, 32 characters or more: the "
                "gateway checks the desktop app's tokens with it");
  // Every socket is a file descriptor: allow as many as the system lets this process have.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  WsServerOptions server;
  server.listen = arguments.has("listen") ? arguments.value("listen") : notifications.ws_listen;
  server.threads = static_cast<int>(arguments.integer("threads"));
  if (std::string origin = net::origin_of(config.server.base_url); !origin.empty())
    server.allowed_origins.push_back(origin);
  server.max_connections_per_address = config.server.max_connections_per_address;
  server.trusted_proxies = config.server.trusted_proxies;
  server.permessage_deflate = notifications.ws_permessage_deflate;
  GatewayOptions options;
  options.ping_interval = std::chrono::seconds(notifications.ws_ping_seconds);
  cli::TerminationSignals signals;
  Gateway gateway(config, options, server);
  // Declared after the gateway: its watchdog posts to the gateway, so it must stop first.
  SystemdNotifier systemd;
  gateway.start();
  log::info("ws gateway listening on {} (port {})", server.listen, gateway.port());
  std::string host = server.listen.substr(0, server.listen.rfind(':'));
  systemd.ready("serving WebSockets on " + host + ":" + std::to_string(gateway.port()));
  systemd.start_watchdog([&gateway](std::function<void()> task) { gateway.post(std::move(task)); });
  int received = signals.wait();
  systemd.stopping(std::string("stopping (") + (received == SIGTERM ? "SIGTERM" : "SIGINT") +
                   "): closing the sockets");
  gateway.stop();
  log::info("ws gateway stopped");
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  identity::DesktopSettings::claim_section(registry.config_sections);
  notify::NotificationsSettings::claim_section(registry.config_sections);
  register_desktop_channel(registry.notification_channels);
  registry.commands.add(
      {"ws-gateway",
       "Serve the desktop app's notification WebSocket (auth with a desktop token, replay of "
       "unacknowledged notifications, heartbeat)",
       {cli::value_option("--listen", "address:port (default: notifications.ws_listen)"),
        cli::value_option("--threads", "I/O threads", "2")},
       run_gateway});
}

}  // namespace da::services::ws_gateway
