// da pull: fills an analyst's workspace from the broker's portal over HTTPS, then refreshes its
// DuckDB views. The portal comes from --portal or DA_PORTAL_URL, the token from DA_PORTAL_TOKEN
// (never a flag: command lines show in `ps`).
#include <cstdlib>
#include <filesystem>

#include <fmt/core.h>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/distribution/https_pull.hpp"
#include "da/plugin/plugin_registry.hpp"
#include "da/workspace/workspace.hpp"

namespace da::commands::pull {

namespace {

namespace fs = std::filesystem;

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

int run_pull(cli::CommandContext& context, const cli::Arguments& arguments) {
  fs::path dir = arguments.has("dir") ? fs::path(arguments.value("dir"))
                                      : da::workspace::find_workspace(fs::current_path());
  if (dir.empty()) dir = fs::current_path();
  distribution::PullOptions options;
  options.workspace = dir;
  options.portal_url =
      arguments.has("portal") ? arguments.value("portal") : environment("DA_PORTAL_URL");
  options.token = environment("DA_PORTAL_TOKEN");
  options.parallel = static_cast<int>(arguments.integer("parallel"));
  if (options.portal_url.empty())
    throw Error(ErrorKind::kConfig,
                "no portal to pull from: pass --portal URL or set DA_PORTAL_URL");
  if (options.token.empty())
    throw Error(ErrorKind::kConfig, "no token: create one on the portal and set DA_PORTAL_TOKEN");
  log::add_secret(options.token);
  da::workspace::Layout layout = da::workspace::layout_of(dir);
  da::workspace::init_workspace(layout);
  distribution::PullReport report = distribution::pull_https(options);
  std::string views = "views unchanged";
  // Views depend only on server/: when nothing arrived or left they are already right.
  if (report.files_fetched > 0 || report.files_removed > 0 || !fs::exists(layout.database())) {
    da::workspace::RefreshReport refreshed = da::workspace::refresh_workspace(layout);
    views = fmt::format("{} table view(s)", refreshed.views.size());
  }
  context.print(fmt::format("pulled {} of {} file(s), {} bytes; removed {}; {} in {}\n",
                            report.files_fetched, report.files_in_manifest, report.bytes_fetched,
                            report.files_removed, views, layout.database().string()));
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_plugin(PluginRegistry& registry) {
  registry.commands.add({
      "pull",
      "Bring this workspace's server/ in line with the broker over HTTPS (token in "
      "DA_PORTAL_TOKEN), then refresh its DuckDB views",
      {cli::positional("DIR", "The workspace (default: the one around the current folder)"),
       cli::value_option("--portal", "The portal's URL (default: $DA_PORTAL_URL)"),
       cli::value_option("--parallel", "Files fetched at once", "4")},
      run_pull,
  });
}

}  // namespace da::commands::pull
