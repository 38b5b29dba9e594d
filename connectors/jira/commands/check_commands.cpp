// da jira check and da jira sla-poll, and the periodic jobs that run them (jira-check,
// jira-check-deep, jira-sla-poll; their timers are in ../systemd/).
#include <algorithm>

#include "jira/check/consistency_check.hpp"
#include "jira/check/consistency_runs.hpp"
#include "jira/check/sla_poll.hpp"
#include "jira/commands/jira_commands.hpp"
#include "jira/jira_settings.hpp"
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/module/module_registry.hpp"
#include "da/store/state_store.hpp"

namespace da::connectors::jira {

namespace {

std::string listed(const std::vector<std::string>& keys) {
  if (keys.empty()) return "0";
  std::vector<std::string> shown(keys.begin(), keys.begin() + std::min<size_t>(keys.size(), 20));
  return fmt::format("{} ({}{})", keys.size(), join(shown, ", "), keys.size() > 20 ? ", ..." : "");
}

std::string check_text(const CheckReport& report) {
  std::string text = fmt::format(
      "jira check ({}, {} days{}): jira {}, stored {}, published {}\n"
      "missing: {}\nstale: {}\ngone: {}\nparquet gaps: {}\n",
      report.deep ? "deep" : "regular", report.window_days, report.dry_run ? ", dry run" : "",
      report.jira_count, report.stored_count, report.published_count, listed(report.missing),
      listed(report.stale), listed(report.gone), listed(report.parquet_gap));
  text += fmt::format("repaired: {}, failed: {}, left for the next run: {}; status {}\n",
                      report.repaired, report.failed.size(), report.unrepaired, report.status());
  for (const std::string& failure : report.failed)
    text += "  failed: " + failure + "\n";
  if (report.unrepaired > 0)
    text += "jira.consistency.max_repairs stopped the repairs: the next run takes the rest\n";
  return text;
}

int check(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  JiraSettings settings = JiraSettings::required(config);
  CheckOptions options{arguments.flag("deep"), arguments.flag("dry-run")};
  store::StateStore store(config.paths.state_db);
  ConsistencyRuns runs(store.database());
  CheckReport report;
  try {
    report = run_consistency_check(settings, config.paths.data_dir, options, now_utc());
  } catch (const Error& e) {
    report.started_at = report.finished_at = now_micros();
    report.deep = options.deep;
    report.dry_run = options.dry_run;
    report.window_days =
        options.deep ? settings.consistency.deep_window_days : settings.consistency.window_days;
    runs.record(report, std::string(e.what()));
    throw;
  }
  runs.record(report);
  if (context.json())
    context.print(runs.latest()->dump(2) + "\n");
  else
    context.print(check_text(report));
  return report.succeeded() ? cli::ExitCode::kSuccess : cli::ExitCode::kFailure;
}

int sla_poll(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  JiraSettings settings = JiraSettings::required(config);
  if (settings.custom_fields.first_response.empty() &&
      settings.custom_fields.time_to_resolution.empty()) {
    context.print(
        "jira sla-poll: no SLA field is configured (jira.custom_fields.first_response, "
        "time_to_resolution): nothing to poll\n");
    return cli::ExitCode::kSuccess;
  }
  SlaPollReport report = run_sla_poll(settings, config.paths.data_dir, arguments.flag("dry-run"));
  if (context.json()) {
    context.print(nlohmann::json{{"open", report.open},
                                 {"updated", report.updated},
                                 {"healed", report.healed},
                                 {"skipped", report.skipped},
                                 {"failed", report.failed},
                                 {"deferred", report.deferred}}
                      .dump(2) +
                  "\n");
  } else {
    context.print(fmt::format(
        "jira sla-poll: {} open issue(s) with SLA fields: updated {}, healed {}, skipped {}, "
        "failed {}, left for the next run {}\n",
        report.open, listed(report.updated), listed(report.healed), listed(report.skipped),
        report.failed.size(), report.deferred));
    for (const std::string& failure : report.failed)
      context.print("  failed: " + failure + "\n");
  }
  return report.failed.empty() ? cli::ExitCode::kSuccess : cli::ExitCode::kFailure;
}

// A job's schedule: the setting's entries, or its default when the connector is off.
template <typename Member>
std::function<std::vector<std::string>(const config::InstanceConfig&)> schedule_of(Member member) {
  return [member](const config::InstanceConfig& config) {
    JiraSettings settings = JiraSettings::from(config);
    return member(settings);
  };
}

// The jobs run where the connector is configured (the units' X-DA-Enable-When=jira.base_url).
bool configured(const config::InstanceConfig& config) {
  return config.sections.count("jira") > 0;
}

}  // namespace

void add_check_commands(ModuleRegistry& registry) {
  registry.commands.add(
      {"jira check",
       "Compare the stored Jira issues and the published table with Jira's search over "
       "jira.consistency.window_days, and repair what differs (within "
       "jira.consistency.max_repairs); exits 1 when a repair failed or some are left over",
       {cli::flag("--deep", "Look back jira.consistency.deep_window_days instead"),
        cli::flag("--dry-run", "Compare and report only: fetch and write nothing")},
       check});
  registry.commands.add(
      {"jira sla-poll",
       "Refresh the SLA fields of the open Jira issues (and heal those Done since); exits 1 "
       "when an issue failed",
       {cli::flag("--dry-run", "Fetch and report only: write nothing")},
       sla_poll});
  registry.periodic_jobs.add(
      {"jira-check", "da-jira-check.timer",
       "Check the Jira issues against Jira's search and repair them", "da jira check",
       "jira.consistency.schedule",
       schedule_of([](const JiraSettings& s) { return s.consistency.schedule; }), configured});
  registry.periodic_jobs.add(
      {"jira-check-deep", "da-jira-check-deep.timer",
       "The deep Jira check (jira.consistency.deep_window_days)", "da jira check --deep",
       "jira.consistency.deep_schedule",
       schedule_of([](const JiraSettings& s) { return s.consistency.deep_schedule; }), configured});
  registry.periodic_jobs.add(
      {"jira-sla-poll", "da-jira-sla-poll.timer", "Refresh the SLA fields of the open Jira issues",
       "da jira sla-poll", "jira.sla_poll.schedule",
       schedule_of([](const JiraSettings& s) { return s.sla_poll_schedule; }), configured});
}

}  // namespace da::connectors::jira
