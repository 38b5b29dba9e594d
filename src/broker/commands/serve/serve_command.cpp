// da serve: the web portal, until SIGINT or SIGTERM (then a graceful stop). Under a systemd
// unit of Type=notify it says when it is ready and stopping, and pings the watchdog from its
// I/O threads.
#include <csignal>
#include <memory>

#include "da/accounts/helper_client.hpp"
#include "da/cli/command_context.hpp"
#include "da/cli/termination_signals.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/systemd_notifier.hpp"
#include "da/config/instance_config_loader.hpp"
#include "da/mail/email_settings.hpp"
#include "da/module/module_registry.hpp"
#include "da/web/http_server.hpp"
#include "da/web/portal.hpp"

namespace da::commands::serve {

namespace {

int run_serve(cli::CommandContext& context, const cli::Arguments& arguments) {
  config::InstanceConfig config = context.config();
  if (arguments.has("listen") && !arguments.value("listen").empty())
    config.server.listen = arguments.value("listen");
  config::Diagnostics diagnostics;
  config::check_web_portal_requirements(config, diagnostics);
  diagnostics.throw_if_errors("the web portal cannot start with " + config.source_file.string());

  // Before any thread starts: the server threads inherit the blocked signals.
  cli::TerminationSignals signals;

  std::unique_ptr<accounts::HelperProvisioner> provisioner;
  if (!config.accounts.helper_socket.empty())
    provisioner = std::make_unique<accounts::HelperProvisioner>(config.accounts.helper_socket);
  web::Portal portal(config, context.modules().auth_providers, context.modules().portal_features,
                     &context.modules().data_sources, provisioner.get());
  web::ServerOptions options = web::server_options(config);
  web::HttpServer server(
      options, [&portal](web::Request& request) { return portal.handle(request); },
      [&portal](web::Request& request) { return portal.lane_of(request); });
  // Declared after the server: its watchdog posts to the server, so it must stop first.
  SystemdNotifier systemd;
  server.start();
  std::string where = options.listen.rfind("unix:", 0) == 0
                          ? options.listen
                          : "http://" + options.listen.substr(0, options.listen.rfind(':') + 1) +
                                std::to_string(server.port());
  std::string providers;
  for (const auto& name : portal.provider_names())
    providers += (providers.empty() ? "" : ", ") + name;
  log::info("portal listening on {} (public URL {}); sign-in: {}", where, config.server.base_url,
            providers.empty() ? "none configured" : providers);
  if (config.auth.email_dev_mode)
    log::warn("auth.email.dev_mode is on: sign-in links are shown in the browser, not mailed");
  systemd.ready("serving on " + where);
  systemd.start_watchdog([&server](std::function<void()> task) { server.post(std::move(task)); });
  int received = signals.wait();
  std::string why = received == SIGTERM ? "SIGTERM" : "SIGINT";
  log::info("portal stopping ({})", why);
  systemd.stopping("stopping (" + why + "): finishing the requests in flight");
  server.stop();
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  mail::EmailSettings::claim_section(registry.config_sections);
  registry.commands.add({
      "serve",
      "Run the web portal (server.listen; stops gracefully on SIGTERM)",
      {cli::value_option("--listen", "Override server.listen (address:port or unix:/path)")},
      run_serve,
  });
}

}  // namespace da::commands::serve
