// da notify-runner: runs the analysts' notification scripts (as root, which it needs to run
// each script as its owner).
#include <fmt/core.h>
#include <unistd.h>

#include "da/cli/command_context.hpp"
#include "da/cli/termination_signals.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/module/module_registry.hpp"
#include "notify_runner.hpp"

namespace da::services::notify_runner {

namespace {

void require_root() {
  if (::geteuid() != 0)
    throw Error(ErrorKind::kAuth,
                "the runner runs each script as its owner, which needs root: run it as root");
}

int run_runner(cli::CommandContext& context, const cli::Arguments& arguments) {
  require_root();
  NotifyRunner runner(context.config());
  if (arguments.has("user")) {
    ScriptRun run = runner.run_now(arguments.value("user"), arguments.value("script"));
    context.print(fmt::format("{}/{}: {}{}\n", run.username, run.script, run.status,
                              run.error ? " (" + *run.error + ")" : ""));
    return run.status == "failed" ? cli::ExitCode::kFailure : cli::ExitCode::kSuccess;
  }
  if (arguments.flag("once")) {
    int failed = 0;
    for (const ScriptRun& run : runner.run_all()) {
      context.print(fmt::format("{}/{}: {}{}\n", run.username, run.script, run.status,
                                run.error ? " (" + *run.error + ")" : ""));
      failed += run.status == "failed" ? 1 : 0;
    }
    runner.run_requests();
    runner.purge_expired();
    return failed ? cli::ExitCode::kFailure : cli::ExitCode::kSuccess;
  }
  auto interval = std::chrono::seconds(arguments.integer("interval"));
  cli::run_until_signalled([&](const std::atomic<bool>& stop) { runner.serve(interval, stop); });
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  notify::NotificationsSettings::claim_section(registry.config_sections);
  registry.commands.add(
      {"notify-runner",
       "Run the analysts' notification scripts as their owners and queue what they report "
       "(root); serves until stopped unless --once",
       {cli::flag("--once", "One pass over every script, then exit (for a systemd timer)"),
        cli::value_option("--interval", "Seconds between passes when serving", "300"),
        cli::value_option("--user", "Run only this analyst's --script now (no cooldown)"),
        cli::value_option("--script", "The script's file name, with --user")},
       run_runner});
}

}  // namespace da::services::notify_runner
