// da account-helper: runs the account helper (as root, usually from systemd).
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "account_helper.hpp"
#include "da/cli/command_context.hpp"
#include "da/cli/termination_signals.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/module/module_registry.hpp"

namespace da::services::account_helper {

namespace {

int run_helper(cli::CommandContext& context, const cli::Arguments& arguments) {
  if (::geteuid() != 0)
    throw Error(ErrorKind::kAuth, "the account helper creates Linux users: run it as root");
  const config::InstanceConfig& config = context.config();
  std::filesystem::path socket = arguments.has("socket") ? arguments.value("socket")
                                                         : config.accounts.helper_socket.string();
  if (socket.empty())
    throw Error(ErrorKind::kConfig,
                "no socket: set accounts.helper_socket in instance.yaml or pass --socket");
  std::set<uid_t> allowed;
  gid_t group = 0;
  if (passwd* portal = ::getpwnam(config.accounts.portal_user.c_str())) {
    allowed.insert(portal->pw_uid);
    group = portal->pw_gid;
  } else {
    log::warn("accounts.portal_user '{}' does not exist: only root may use the helper",
              config.accounts.portal_user);
  }
  AccountHelper helper(config, allowed);
  cli::run_until_signalled([&](const std::atomic<bool>& stop) { helper.serve(socket, group, stop); });
  log::info("account helper stopped");
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.commands.add(
      {"account-helper",
       "Serve the portal's account requests (create an analyst from a registered key, refresh "
       "rsync filters) on a Unix socket; run as root",
       {cli::value_option("--socket", "The socket (default: accounts.helper_socket)")},
       run_helper});
}

}  // namespace da::services::account_helper
