#include "jira/backfill/backfill.hpp"

#include <optional>
#include <regex>

#include "jira/api/jira_client.hpp"
#include "jira/sync/issue_sync.hpp"
#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/common/parallel.hpp"
#include "da/common/progress_bar.hpp"
#include "da/common/time.hpp"

namespace da::connectors::jira {

namespace {

using Json = nlohmann::json;

// An issue to backfill and Jira's `updated` of it ("" when unknown: always fetched).
struct Target {
  std::string key;
  std::string updated;
};

struct Fetched {
  std::optional<Json> document;
  std::string error;
};

std::string updated_of(const Json& document) {
  const Json* fields = document.contains("fields") ? &document["fields"] : nullptr;
  if (fields == nullptr || !fields->is_object()) return "";
  auto found = fields->find("updated");
  return found != fields->end() && found->is_string() ? found->get<std::string>() : "";
}

std::vector<Target> targets_of(const IssueSync& sync, const BackfillOptions& options,
                               const std::string& jql) {
  std::vector<Target> targets;
  if (!options.keys.empty()) {
    for (const std::string& key : options.keys) {
      if (!is_issue_key(key))
        throw Error(ErrorKind::kConfig,
                    "--issue " + key + ": not an issue key (PROJECT-123, upper case)");
      targets.push_back({key, ""});
    }
    return targets;
  }
  sync.client().search(jql, {"updated"}, [&](const Json& issues) {
    for (const Json& issue : issues)
      if (issue.is_object() && issue.contains("key") && issue["key"].is_string())
        targets.push_back({issue["key"].get<std::string>(), updated_of(issue)});
  });
  return targets;
}

// Whether the kept document of `target` is what Jira has now. A document that cannot be read
// is not: it is fetched again.
bool is_current(IssueStore& store, const Target& target) {
  if (target.updated.empty()) return false;
  try {
    std::optional<Json> kept = store.get(target.key);
    return kept && !kept->contains("_deleted_at") && updated_of(*kept) == target.updated;
  } catch (const Error&) {
    return false;
  }
}

class Run {
 public:
  Run(IssueSync& sync, const BackfillOptions& options, BackfillReport& report,
      ProgressBar* progress)
      : sync_(sync), options_(options), report_(report), progress_(progress) {}

  // Fetches, writes and keeps one batch of issues.
  void batch(const std::vector<Target>& targets) {
    std::vector<Fetched> fetched(targets.size());
    run_parallel(targets.size(), sync_.settings().parallel, [&](size_t i) {
      try {
        fetched[i].document = sync_.fetch(targets[i].key);
      } catch (const Error& e) {
        fetched[i].error = e.what();
      }
      if (progress_ != nullptr) progress_->advance();
    });
    std::vector<StagedIssue> staged;
    std::vector<const Json*> documents;
    std::vector<std::string> deleted;
    for (size_t i = 0; i < targets.size(); ++i)
      stage(targets[i], fetched[i], staged, documents, deleted);
    std::vector<IssueRows> upserts;
    for (StagedIssue& issue : staged)
      upserts.push_back(issue.rows);
    if (!upserts.empty() || !deleted.empty()) {
      WriteReport written = sync_.writer().apply(upserts, deleted);
      report_.months_written.insert(written.months_written.begin(), written.months_written.end());
    }
    // Kept only now that the rows are published: a run killed before this fetches them again.
    for (size_t i = 0; i < staged.size(); ++i)
      sync_.keep(staged[i], *documents[i]);
    for (const std::string& key : deleted)
      sync_.store().mark_deleted(key, now_utc());
    report_.written += static_cast<int64_t>(staged.size());
  }

 private:
  void stage(const Target& target, const Fetched& fetched, std::vector<StagedIssue>& staged,
             std::vector<const Json*>& documents, std::vector<std::string>& deleted) {
    if (!fetched.error.empty()) {
      report_.failed.push_back(target.key + ": " + fetched.error);
      return;
    }
    if (!fetched.document) {
      if (!options_.keys.empty()) {
        report_.failed.push_back(target.key + ": Jira answers 404: the issue is deleted, or " +
                                 sync_.settings().account.email + " cannot see it");
        return;
      }
      // Deleted between the search and the fetch.
      deleted.push_back(target.key);
      ++report_.gone;
      return;
    }
    try {
      staged.push_back(sync_.stage(target.key, *fetched.document));
      documents.push_back(&*fetched.document);
      if (staged.back().moved_from) deleted.push_back(*staged.back().moved_from);
    } catch (const Error& e) {
      report_.failed.push_back(target.key + ": " + e.what());
    }
  }

  IssueSync& sync_;
  const BackfillOptions& options_;
  BackfillReport& report_;
  ProgressBar* progress_;
};

}  // namespace

std::string backfill_jql(const JiraSettings& settings, const BackfillOptions& options) {
  if (!options.since.empty()) {
    static const std::regex date(R"(\d{4}-\d{2}-\d{2})");
    if (!std::regex_match(options.since, date) ||
        !parse_iso8601(options.since + "T00:00:00Z").has_value())
      throw Error(ErrorKind::kConfig, "--since " + options.since + ": not a date (YYYY-MM-DD)");
    if (!options.jql.empty())
      throw Error(ErrorKind::kConfig, "--since cannot be combined with --jql: add created >= \"" +
                                          options.since + "\" to the JQL instead");
  }
  std::string where = options.jql;
  if (where.empty()) {
    if (!settings.project.empty()) where = "project = \"" + settings.project + "\"";
    if (!options.since.empty())
      where += (where.empty() ? "" : " AND ") + std::string("created >= \"") + options.since + "\"";
  }
  static const std::regex order_by(R"(\border\s+by\b)", std::regex::icase);
  if (std::regex_search(where, order_by)) return where;
  return where.empty() ? "ORDER BY created ASC" : where + " ORDER BY created ASC";
}

BackfillReport run_backfill(const JiraSettings& settings, const std::filesystem::path& data_dir,
                            const BackfillOptions& options, bool show_progress) {
  BackfillReport report;
  report.jql = options.keys.empty() ? backfill_jql(settings, options) : "";
  IssueSync sync(settings, data_dir);
  std::vector<Target> targets = targets_of(sync, options, report.jql);
  report.matched = static_cast<int64_t>(targets.size());
  std::vector<Target> to_fetch;
  for (Target& target : targets)
    if (options.refetch || !is_current(sync.store(), target)) to_fetch.push_back(std::move(target));
  report.to_fetch = static_cast<int64_t>(to_fetch.size());
  report.up_to_date = report.matched - report.to_fetch;
  if (options.dry_run || to_fetch.empty()) return report;
  std::optional<ProgressBar> progress;
  if (show_progress) progress.emplace("jira backfill", to_fetch.size(), "issues");
  Run run(sync, options, report, progress ? &*progress : nullptr);
  size_t batch_size = std::max<size_t>(1, options.batch_size);
  for (size_t start = 0; start < to_fetch.size(); start += batch_size)
    run.batch({to_fetch.begin() + static_cast<std::ptrdiff_t>(start),
               to_fetch.begin() +
                   static_cast<std::ptrdiff_t>(std::min(to_fetch.size(), start + batch_size))});
  return report;
}

}  // namespace da::connectors::jira
