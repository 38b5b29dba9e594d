// da jira worker: the long-running service (da-jira-worker.service) that drains the webhook
// queue.
#include <atomic>
#include <chrono>
#include <thread>

#include "jira/commands/jira_commands.hpp"
#include "jira/jira_settings.hpp"
#include "jira/webhook/event_queue.hpp"
#include "jira/worker/event_worker.hpp"

#include "da/cli/command_context.hpp"
#include "da/cli/termination_signals.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/store/state_store.hpp"

namespace da::connectors::jira {

namespace {

using namespace std::chrono_literals;

// A batch's rows are written with one rewrite per touched month, which dominates its time
// (measured: 500 events over 24 months took 4-7 s to write, 0.2 s to fetch): the larger the
// batch, the fewer rewrites a burst costs.
constexpr int kBatchSize = 5000;
constexpr auto kIdlePoll = 1s;
constexpr auto kPruneEvery = 1h;
constexpr std::chrono::seconds kKeepDone = std::chrono::hours(24 * 7);

// Sleeps `duration` or until `stop` is set.
void pause(const std::atomic<bool>& stop, std::chrono::milliseconds duration) {
  for (auto slept = 0ms; slept < duration && !stop; slept += 100ms)
    std::this_thread::sleep_for(100ms);
}

void drain(const config::InstanceConfig& config, const JiraSettings& settings,
           const std::atomic<bool>& stop) {
  store::StateStore store(config.paths.state_db);
  EventQueue queue(store.database());
  EventWorker worker(settings, config.paths.data_dir);
  // Logged here, once SIGTERM is caught: a supervisor that stops the worker after this line
  // always gets a clean stop.
  log::info("jira worker started ({})", settings.account.base_url);
  auto next_prune = std::chrono::steady_clock::now();
  while (!stop) {
    if (std::chrono::steady_clock::now() >= next_prune) {
      if (int pruned = queue.prune_done(kKeepDone); pruned > 0)
        log::info("jira worker: pruned {} done event(s) older than 7 days", pruned);
      next_prune += kPruneEvery;
    }
    std::vector<QueuedEvent> batch = queue.claim(kBatchSize);
    if (batch.empty()) {
      pause(stop, kIdlePoll);
      continue;
    }
    BatchReport report = worker.apply(batch, queue);
    log::info(
        "jira worker: {} event(s): {} issue(s) written, {} deleted; {} event(s) back in the "
        "queue; fetched in {} ms, written in {} ms",
        batch.size(), report.issues_written, report.issues_deleted, report.events_failed,
        report.fetch_time.count(), report.write_time.count());
  }
}

int run_worker(cli::CommandContext& context, const cli::Arguments&) {
  const config::InstanceConfig& config = context.config();
  JiraSettings settings = JiraSettings::required(config);
  cli::run_until_signalled([&](const std::atomic<bool>& stop) { drain(config, settings, stop); });
  log::info("jira worker stopped");
  return cli::ExitCode::kSuccess;
}

}  // namespace

void add_worker_command(cli::CommandRegistry& commands) {
  commands.add({"jira worker",
                "Apply the queued Jira webhook events: fetch each issue, store it and write its "
                "rows (the da-jira-worker service)",
                {},
                run_worker});
}

}  // namespace da::connectors::jira
