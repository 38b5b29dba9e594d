// da jira backfill: the issues of a JQL search fetched and written (backfill/backfill.hpp);
// da jira rebuild: every month rewritten from the kept documents.
#include "jira/backfill/backfill.hpp"
#include "jira/commands/jira_commands.hpp"
#include "jira/jira_settings.hpp"
#include "jira/raw/issue_store.hpp"
#include "jira/sync/issue_sync.hpp"
#include <fmt/core.h>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::connectors::jira {

namespace {

std::string months_text(const std::set<std::string>& months) {
  if (months.empty()) return "no month";
  return fmt::format("{} month(s) ({} .. {})", months.size(), *months.begin(), *months.rbegin());
}

int backfill(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  JiraSettings settings = JiraSettings::required(config);
  BackfillOptions options;
  options.jql = arguments.value("jql");
  options.since = arguments.value("since");
  options.keys = arguments.values("issue");
  options.refetch = arguments.flag("refetch");
  options.dry_run = arguments.flag("dry-run");
  int64_t batch_size = arguments.integer("batch-size");
  if (batch_size < 1 || batch_size > 100'000)
    throw Error(ErrorKind::kConfig, fmt::format("--batch-size {}: must be 1-100000", batch_size));
  options.batch_size = static_cast<size_t>(batch_size);
  BackfillReport report = run_backfill(settings, config.paths.data_dir, options, true);
  std::string scope = report.jql.empty() ? "the issues given" : "JQL: " + report.jql;
  if (options.dry_run) {
    context.print(fmt::format(
        "jira backfill (dry run, {}): {} issue(s) matched, {} up to date, {} would be fetched\n",
        scope, report.matched, report.up_to_date, report.to_fetch));
    return cli::ExitCode::kSuccess;
  }
  context.print(fmt::format(
      "jira backfill ({}): {} issue(s) matched, {} up to date, {} written, {} deleted in Jira, "
      "{} failed; {} written\n",
      scope, report.matched, report.up_to_date, report.written, report.gone, report.failed.size(),
      months_text(report.months_written)));
  if (report.failed.empty()) return cli::ExitCode::kSuccess;
  std::string failures = "failed issue(s) (run the backfill again to retry them):\n";
  for (const std::string& failure : report.failed)
    failures += "  " + failure + "\n";
  std::fputs(failures.c_str(), stderr);
  return cli::ExitCode::kFailure;
}

int rebuild(cli::CommandContext& context, const cli::Arguments&) {
  const config::InstanceConfig& config = context.config();
  JiraSettings settings = JiraSettings::required(config);
  IssueSync sync(settings, config.paths.data_dir);
  std::vector<std::filesystem::path> documents;
  for (const std::string& key : sync.store().keys())
    documents.push_back(sync.store().folder() / (key + ".json"));
  WriteReport report = sync.writer().rebuild(documents, sync.row_context());
  context.print(fmt::format(
      "jira rebuild: {} document(s) in {}: {} issue(s) written ({} deleted skipped) into {} "
      "month(s); {} stale month(s) removed{}\n",
      documents.size(), sync.store().folder().string(), report.issues_written,
      static_cast<int64_t>(documents.size()) - report.issues_written, report.months_written.size(),
      report.months_removed.size(),
      report.months_removed.empty() ? "" : " (" + join(report.months_removed, ", ") + ")"));
  return cli::ExitCode::kSuccess;
}

}  // namespace

void add_backfill_commands(cli::CommandRegistry& commands) {
  commands.add({"jira backfill",
                "Fetch and write every issue of a JQL search (resumable: issues already current "
                "are skipped)",
                {cli::value_option("--jql",
                                   "The search (default: project = jira.project, "
                                   "ORDER BY created ASC)"),
                 cli::value_option("--since", "Only issues created on or after YYYY-MM-DD"),
                 cli::value_list_option("--issue", "This issue instead of a search (repeatable)"),
                 cli::flag("--refetch", "Fetch also the issues whose stored document is current"),
                 cli::flag("--dry-run", "Only count what would be fetched"),
                 cli::value_option("--batch-size", "Issues written per month rewrite", "500")},
                backfill});
  commands.add({"jira rebuild",
                "Rewrite every month of the Jira tables from raw/jira/issues/*.json",
                {},
                rebuild});
}

}  // namespace da::connectors::jira
