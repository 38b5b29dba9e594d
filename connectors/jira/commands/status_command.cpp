// da jira status: the connector's settings in brief, the queue and its newest events;
// da jira retry-failed: the failed events pending again.
#include "jira/check/consistency_runs.hpp"
#include "jira/commands/jira_commands.hpp"
#include "jira/jira_settings.hpp"
#include "jira/webhook/event_queue.hpp"
#include "jira/webhook/queue_report.hpp"
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/common/time.hpp"
#include "da/store/state_store.hpp"

namespace da::connectors::jira {

namespace {

std::string when(int64_t micros) {
  return format_iso8601(from_epoch_micros(micros)).substr(0, 19) + "Z (" + format_ago(micros) + ")";
}

std::string event_line(const EventRecord& record) {
  std::string line =
      fmt::format("  {:>6}  {}  {:<22} {:<14} {:<6} {} ({} attempt(s))", record.id,
                  format_iso8601(from_epoch_micros(record.received_at)).substr(0, 19),
                  record.event.empty() ? "(no webhookEvent)" : record.event, record.issue_key,
                  to_string(record.action), record.state, record.attempts);
  if (record.last_error) line += ": " + *record.last_error;
  return line + "\n";
}

std::string status_text(const JiraSettings& settings, const config::InstanceConfig& config,
                        const QueueHealth& health, const std::vector<EventRecord>& recent) {
  std::string text =
      settings.configured
          ? "jira: " + settings.account.base_url + " (Parquet folder " + settings.folder + ")\n"
          : "jira: not configured (no jira: section in " + config.source_file.string() + ")\n";
  text += fmt::format("queue: {} pending, {} processing, {} done, {} failed\n", health.pending,
                      health.processing, health.done, health.failed);
  if (health.newest_received_at) text += "newest event: " + when(*health.newest_received_at) + "\n";
  if (health.oldest_pending_received_at)
    text += "oldest pending event: " + when(*health.oldest_pending_received_at) + "\n";
  if (health.last_error)
    text += fmt::format("last error: event {} ({}, {} attempt(s), {}): {}\n", health.last_error->id,
                        health.last_error->issue_key, health.last_error->attempts,
                        health.last_error->state, health.last_error->last_error.value_or(""));
  if (health.failed > 0)
    text += "failed events wait for you: fix the cause, then run `da jira retry-failed`\n";
  if (!recent.empty()) text += "newest events:\n";
  for (const EventRecord& record : recent)
    text += event_line(record);
  return text;
}

std::string check_line(const std::optional<nlohmann::json>& run) {
  if (!run) return "consistency check: never ran (da jira check)\n";
  const nlohmann::json& counts = (*run)["counts"];
  std::string line = fmt::format(
      "consistency check: {} ({}, {} days{}): jira {}, stored {}, published {}; missing {}, "
      "stale {}, gone {}, parquet gaps {}; repaired {}, failed {}, left over {}; {}\n",
      (*run)["finished_at"].get<std::string>(), (*run)["mode"].get<std::string>(),
      (*run)["window_days"].get<int64_t>(), (*run)["dry_run"].get<bool>() ? ", dry run" : "",
      counts["jira"].get<int64_t>(), counts["stored"].get<int64_t>(),
      counts["published"].get<int64_t>(), counts["missing"].get<int64_t>(),
      counts["stale"].get<int64_t>(), counts["gone"].get<int64_t>(),
      counts["parquet_gap"].get<int64_t>(), (*run)["repaired"].get<int64_t>(),
      (*run)["failed"].size(), (*run)["unrepaired"].get<int64_t>(),
      (*run)["status"].get<std::string>());
  if ((*run)["error"].is_string()) line += "  error: " + (*run)["error"].get<std::string>() + "\n";
  for (const auto& failure : (*run)["failed"])
    line += "  failed: " + failure.get<std::string>() + "\n";
  return line;
}

int status(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  JiraSettings settings = JiraSettings::from(config);
  store::StateStore store(config.paths.state_db);
  EventQueue queue(store.database());
  QueueHealth health = queue.health();
  std::vector<EventRecord> recent = queue.recent(static_cast<int>(arguments.integer("limit")));
  std::optional<nlohmann::json> check = ConsistencyRuns(store.database()).latest();
  if (!context.json()) {
    context.print(status_text(settings, config, health, recent) + check_line(check));
    return cli::ExitCode::kSuccess;
  }
  nlohmann::json body = queue_health_json(health, now_micros());
  body["configured"] = settings.configured;
  body["base_url"] = settings.account.base_url;
  body["consistency_check"] = check ? *check : nlohmann::json();
  body["recent"] = nlohmann::json::array();
  for (const EventRecord& record : recent)
    body["recent"].push_back(event_json(record));
  context.print(body.dump(2) + "\n");
  return cli::ExitCode::kSuccess;
}

int retry_failed(cli::CommandContext& context, const cli::Arguments&) {
  store::StateStore store(context.config().paths.state_db);
  int requeued = EventQueue(store.database()).retry_failed();
  context.print(fmt::format("{} failed event(s) pending again\n", requeued));
  return cli::ExitCode::kSuccess;
}

}  // namespace

void add_status_commands(cli::CommandRegistry& commands) {
  commands.add(
      {"jira status",
       "The Jira connector's webhook queue (counts, the newest event, the last error) and its "
       "last consistency check",
       {cli::value_option("--limit", "Newest events shown", "10")},
       status});
  commands.add({"jira retry-failed",
                "Put the webhook events that failed for good back into the queue",
                {},
                retry_failed});
}

}  // namespace da::connectors::jira
