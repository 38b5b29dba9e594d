// da notify-runner: runs the analysts' notification scripts (as root, which it needs to run
// each script as its owner).
#include <csignal>
#include <thread>

#include <fmt/core.h>
#include <unistd.h>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/plugin/plugin_registry.hpp"
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
    return failed ? cli::ExitCode::kFailure : cli::ExitCode::kSuccess;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  auto interval = std::chrono::seconds(arguments.integer("interval"));
  std::thread worker([&] {
    try {
      runner.serve(interval, stop);
    } catch (...) {
      failure = std::current_exception();
      ::kill(::getpid(), SIGTERM);
    }
  });
  int received = 0;
  sigwait(&signals, &received);
  stop = true;
  worker.join();
  if (failure) std::rethrow_exception(failure);
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_plugin(PluginRegistry& registry) {
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
