// da pull: fills an analyst's workspace from the broker, over HTTPS from the portal or with
// rsync over SSH, then refreshes its DuckDB views. The portal comes from --portal or
// DA_PORTAL_URL, the token from DA_PORTAL_TOKEN (never a flag: command lines show in `ps`),
// the CAs that may sign the portal's certificate from --cacert or DA_CA_BUNDLE.
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <fmt/core.h>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/distribution/https_pull.hpp"
#include "da/distribution/ssh_pull.hpp"
#include "da/net/ca_file.hpp"
#include "da/module/module_registry.hpp"
#include "da/workspace/workspace.hpp"

namespace da::commands::pull {

namespace {

namespace fs = std::filesystem;

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// "https" when a portal and a token are configured, "ssh" when a host is, as asked otherwise.
std::string transport(const cli::Arguments& arguments, const std::string& portal_url,
                      const std::string& token, const std::string& host) {
  std::string via = arguments.value("via");
  if (!via.empty()) return via;
  if (!portal_url.empty() && !token.empty()) return "https";
  if (!host.empty()) return "ssh";
  throw Error(ErrorKind::kConfig,
              "nothing to pull from: set DA_PORTAL_URL and DA_PORTAL_TOKEN (HTTPS), or pass "
              "--via ssh --host ALIAS (rsync over SSH with your registered key)");
}

// The CA file for HTTPS (checked now, so that a wrong path fails before anything is fetched),
// or empty for the system's CA certificates.
fs::path ca_file(const cli::Arguments& arguments) {
  bool given = arguments.has("cacert");
  fs::path file = given ? arguments.value("cacert") : environment("DA_CA_BUNDLE");
  if (!file.empty())
    net::check_ca_file(file, given ? "--cacert: the CA file" : "DA_CA_BUNDLE: the CA file");
  return file;
}

int run_pull(cli::CommandContext& context, const cli::Arguments& arguments) {
  fs::path dir = arguments.has("dir") ? fs::path(arguments.value("dir"))
                                      : da::workspace::find_workspace(fs::current_path());
  if (dir.empty()) dir = fs::current_path();
  std::string portal_url =
      arguments.has("portal") ? arguments.value("portal") : environment("DA_PORTAL_URL");
  std::string token = environment("DA_PORTAL_TOKEN");
  std::string host = arguments.has("host") ? arguments.value("host") : environment("DA_SSH_HOST");
  std::string via = transport(arguments, portal_url, token, host);
  fs::path ca = ca_file(arguments);
  da::workspace::Layout layout = da::workspace::layout_of(dir);
  da::workspace::init_workspace(layout);

  bool changed = false;
  std::string summary;
  auto started = std::chrono::steady_clock::now();
  if (via == "ssh") {
    distribution::SshPullOptions options;
    options.workspace = dir;
    if (!host.empty()) options.host = host;
    if (arguments.has("ssh-config")) options.ssh_config = arguments.value("ssh-config");
    if (arguments.flag("push")) {
      distribution::push_ssh(options);
      context.print(fmt::format("pushed user/ and CLAUDE.local.md to {}\n", options.host));
      return cli::ExitCode::kSuccess;
    }
    distribution::SshPullReport report = distribution::pull_ssh(options);
    changed = report.changed;
    summary = report.changed ? fmt::format("pulled server/ from {} over SSH: {} file(s) new or "
                                           "changed, {} bytes; removed {}",
                                           options.host, report.files_changed,
                                           report.bytes_changed, report.files_removed)
                             : fmt::format("pulled server/ from {} over SSH: nothing changed",
                                           options.host);
    // The dashboard's "Last pull" comes from the portal, when this machine has a token for it.
    if (!portal_url.empty() && !token.empty()) {
      log::add_secret(token);
      distribution::report_pull(portal_url, token, ca, report.files_changed, report.bytes_changed);
    }
  } else {
    if (arguments.flag("push"))
      throw Error(ErrorKind::kConfig,
                  "--push copies user/ to your home on the broker: use it with --via ssh");
    if (portal_url.empty())
      throw Error(ErrorKind::kConfig,
                  "no portal to pull from: pass --portal URL or set DA_PORTAL_URL");
    if (token.empty())
      throw Error(ErrorKind::kConfig, "no token: create one on the portal and set DA_PORTAL_TOKEN");
    log::add_secret(token);
    distribution::PullOptions options;
    options.workspace = dir;
    options.portal_url = portal_url;
    options.token = token;
    options.ca_file = ca;
    options.parallel = static_cast<int>(arguments.integer("parallel"));
    distribution::PullReport report = distribution::pull_https(options);
    changed = report.files_fetched > 0 || report.files_removed > 0;
    summary = fmt::format("pulled {} of {} file(s), {} bytes; removed {}", report.files_fetched,
                          report.files_in_manifest, report.bytes_fetched, report.files_removed);
  }
  auto seconds_since = [](std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  };
  summary += fmt::format(" in {:.2f} s", seconds_since(started));
  std::string views = "views unchanged";
  // Views depend only on server/: when nothing arrived or left they are already right.
  if (changed || !fs::exists(layout.database())) {
    auto refreshing = std::chrono::steady_clock::now();
    da::workspace::RefreshReport refreshed =
        da::workspace::refresh_workspace(layout, da::workspace::RowCounts::kSkip);
    views = fmt::format("{} table view(s) in {:.2f} s", refreshed.views.size(),
                        seconds_since(refreshing));
  }
  context.print(fmt::format("{}; {} ({})\n", summary, views, layout.database().string()));
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.commands.add({
      "pull",
      "Bring this workspace's server/ in line with the broker (HTTPS with DA_PORTAL_TOKEN, or "
      "rsync over SSH), then refresh its DuckDB views",
      {cli::positional("DIR", "The workspace (default: the one around the current folder)"),
       cli::value_option("--via", "https or ssh (default: https when a portal and token are set)",
                         "", {"https", "ssh"}),
       cli::value_option("--portal", "The portal's URL (default: $DA_PORTAL_URL)"),
       cli::value_option("--parallel", "Files fetched at once (https)", "4"),
       cli::value_option("--cacert",
                         "PEM file of the private CA that signed the portal's certificate, "
                         "trusted besides the system's CAs (default: $DA_CA_BUNDLE)"),
       cli::value_option("--host", "The broker as an SSH destination (default: $DA_SSH_HOST)"),
       cli::value_option("--ssh-config", "An ssh_config file for --via ssh (ssh -F)"),
       cli::flag("--push",
                 "Back up user/ and CLAUDE.local.md to your home on the broker "
                 "(--via ssh; nothing there is deleted)")},
      run_pull,
  });
}

}  // namespace da::commands::pull
