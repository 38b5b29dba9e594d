// da notify-api: serves the send API on notifications.api_socket.
#include <csignal>
#include <thread>

#include <pwd.h>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/plugin/plugin_registry.hpp"
#include "notify_api.hpp"

namespace da::services::notify_api {

namespace {

int run_api(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  std::filesystem::path socket = arguments.has("socket") ? arguments.value("socket")
                                                         : config.notifications.api_socket.string();
  std::set<uid_t> service_uids;
  for (const std::string& name : config.notifications.service_users) {
    if (passwd* account = ::getpwnam(name.c_str()))
      service_uids.insert(account->pw_uid);
    else
      log::warn("notifications.service_users: there is no account '{}'", name);
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  NotifyApi api(config, service_uids);
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  std::thread server([&] {
    try {
      api.serve(socket, stop);
    } catch (...) {
      failure = std::current_exception();
      ::kill(::getpid(), SIGTERM);
    }
  });
  int received = 0;
  sigwait(&signals, &received);
  stop = true;
  server.join();
  if (failure) std::rethrow_exception(failure);
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_plugin(PluginRegistry& registry) {
  registry.commands.add(
      {"notify-api",
       "Serve the send API (POST /send, /send_photo) on a Unix socket; callers are identified "
       "by the kernel",
       {cli::value_option("--socket", "The socket (default: notifications.api_socket)")},
       run_api});
}

}  // namespace da::services::notify_api
