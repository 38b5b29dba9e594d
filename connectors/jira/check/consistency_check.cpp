#include "jira/check/consistency_check.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "jira/sync/issue_sync.hpp"
#include "jira/tables/month_writer.hpp"
#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/parallel.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"
#include "da/published/published_files.hpp"
#include "da/published/table_location.hpp"

namespace da::connectors::jira {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// Issues created in the last five minutes may not have reached the documents yet.
constexpr auto kSettleTime = std::chrono::minutes(5);

struct StoredIssue {
  std::optional<Timestamp> created;
  std::optional<Timestamp> updated;
  bool readable = true;
};

std::optional<Timestamp> field_time(const Json& document, const char* field) {
  auto fields = document.find("fields");
  if (fields == document.end() || !fields->is_object()) return std::nullopt;
  auto value = fields->find(field);
  if (value == fields->end() || !value->is_string()) return std::nullopt;
  return parse_iso8601(value->get<std::string>());
}

// Every stored document not marked deleted. One that cannot be read counts as stale: a
// re-fetch replaces it.
std::map<std::string, StoredIssue> stored_issues(const IssueStore& store) {
  std::map<std::string, StoredIssue> issues;
  for (const std::string& key : store.keys()) {
    try {
      std::optional<Json> document = store.get(key);
      if (!document || document->contains("_deleted_at")) continue;
      issues[key] = {field_time(*document, "created"), field_time(*document, "updated"), true};
    } catch (const Error& e) {
      log::warn("jira check: {}", e.what());
      issues[key] = {std::nullopt, std::nullopt, false};
    }
  }
  return issues;
}

// The distinct keys of the published issues table (none when it has no month file yet).
std::set<std::string> published_keys(const fs::path& data_dir, const std::string& folder) {
  published::TableLocation table =
      published::table_location(data_dir, folder, jira_tables()[kIssues].name, true);
  std::set<std::string> keys;
  if (published::partition_files(table).empty()) return keys;
  duck::Database database;
  duck::Connection connection(database);
  auto rows = connection
                  .query("SELECT DISTINCT issue_key FROM read_parquet(" +
                         duck::quote_path(table.partition_dir / "*.parquet") + ")")
                  .fetch_all();
  for (const auto& row : rows)
    if (!row.at(0).is_null()) keys.insert(row.at(0).text());
  return keys;
}

// Jira's answer: key -> updated.
std::map<std::string, std::optional<Timestamp>> jira_issues(const IssueSync& sync,
                                                            const std::string& jql) {
  std::map<std::string, std::optional<Timestamp>> issues;
  sync.client().search(jql, {"key", "updated"}, [&](const Json& page) {
    for (const Json& issue : page) {
      if (!issue.is_object() || !issue.contains("key") || !issue["key"].is_string()) continue;
      issues[issue["key"].get<std::string>()] = field_time(issue, "updated");
    }
  });
  return issues;
}

std::string jql_text(const std::string& value) {
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

Timestamp window_start(int window_days, Timestamp now) {
  return std::chrono::floor<std::chrono::days>(now) - std::chrono::days(window_days);
}

// One key to repair and what became of it.
struct Repair {
  enum class Kind { kFetch, kConfirmGone, kRewrite } kind;
  std::string key;
  std::optional<Json> document;  // fetched, or read for a rewrite
  bool gone = false;             // Jira answers 404
  std::string error;
};

class Repairer {
 public:
  Repairer(const JiraSettings& settings, IssueSync& sync, const fs::path& data_dir)
      : settings_(settings), sync_(sync), data_dir_(data_dir) {}

  void run(std::vector<Repair>& repairs, CheckReport& report) {
    run_parallel(repairs.size(), settings_.parallel, [&](size_t i) { ask_jira(repairs[i]); });
    std::vector<IssueRows> upserts;
    std::vector<std::string> deleted;
    std::vector<std::string> touched;
    for (Repair& repair : repairs)
      stage(repair, upserts, deleted, touched, report);
    if (upserts.empty() && deleted.empty()) return;
    try {
      MonthWriter(data_dir_, settings_.folder).apply(upserts, deleted);
      report.repaired += static_cast<int64_t>(touched.size());
    } catch (const Error& e) {
      for (const std::string& key : touched)
        report.failed.push_back(key + ": writing the Jira tables failed: " + e.what());
    }
  }

 private:
  void ask_jira(Repair& repair) const {
    try {
      if (repair.kind == Repair::Kind::kFetch) {
        repair.document = sync_.fetch(repair.key);
        repair.gone = !repair.document;
      } else if (repair.kind == Repair::Kind::kConfirmGone) {
        repair.gone = !sync_.client().issue_fields(repair.key, {"key"});
      }
    } catch (const Error& e) {
      repair.error = e.what();
    }
  }

  void stage(Repair& repair, std::vector<IssueRows>& upserts, std::vector<std::string>& deleted,
             std::vector<std::string>& touched, CheckReport& report) {
    if (!repair.error.empty()) {
      report.failed.push_back(repair.key + ": " + repair.error);
      return;
    }
    try {
      IssueStore& store = sync_.store();
      if (repair.gone) {
        store.mark_deleted(repair.key, now_utc());
        deleted.push_back(repair.key);
        touched.push_back(repair.key);
        if (repair.kind == Repair::Kind::kConfirmGone) report.gone.push_back(repair.key);
        return;
      }
      if (repair.kind == Repair::Kind::kConfirmGone) return;  // Jira still has it
      if (repair.kind == Repair::Kind::kRewrite) repair.document = store.get(repair.key);
      if (!repair.document) throw Error(ErrorKind::kData, "the stored document disappeared");
      std::string key = document_key(*repair.document, repair.key);
      upserts.push_back(issue_rows(*repair.document, sync_.row_context()));
      if (repair.kind == Repair::Kind::kFetch) {
        if (key != repair.key) {
          store.mark_deleted(repair.key, now_utc());
          deleted.push_back(repair.key);
        }
        store.put(key, *repair.document);
      }
      touched.push_back(repair.key);
    } catch (const Error& e) {
      report.failed.push_back(repair.key + ": " + e.what());
    }
  }

  const JiraSettings& settings_;
  IssueSync& sync_;
  fs::path data_dir_;
};

}  // namespace

std::string CheckReport::status() const {
  if (dry_run) return "dry_run";
  if (!failed.empty()) return "failed";
  if (unrepaired > 0) return "over_budget";
  return repaired > 0 ? "repaired" : "ok";
}

std::string consistency_jql(const std::string& project, int window_days, Timestamp now) {
  std::string since = format_iso8601(window_start(window_days, now)).substr(0, 10);
  std::string until = format_iso8601(now - kSettleTime).substr(0, 16);
  until[10] = ' ';
  std::string jql = project.empty() ? "" : "project = " + jql_text(project) + " AND ";
  return jql + "created >= " + jql_text(since) + " AND created <= " + jql_text(until);
}

CheckReport run_consistency_check(const JiraSettings& settings, const fs::path& data_dir,
                                  const CheckOptions& options, Timestamp now) {
  CheckReport report;
  report.started_at = to_epoch_micros(now);
  report.deep = options.deep;
  report.dry_run = options.dry_run;
  report.window_days =
      options.deep ? settings.consistency.deep_window_days : settings.consistency.window_days;
  IssueSync sync(settings, data_dir);
  auto jira = jira_issues(sync, consistency_jql(settings.project, report.window_days, now));
  auto stored = stored_issues(sync.store());
  std::set<std::string> published = published_keys(data_dir, settings.folder);
  report.jira_count = static_cast<int64_t>(jira.size());
  report.stored_count = static_cast<int64_t>(stored.size());
  report.published_count = static_cast<int64_t>(published.size());

  for (const auto& [key, updated] : jira) {
    auto found = stored.find(key);
    if (found == stored.end())
      report.missing.push_back(key);
    else if (!found->second.readable || !found->second.updated ||
             (updated && *found->second.updated < *updated))
      report.stale.push_back(key);
  }
  Timestamp since = window_start(report.window_days, now);
  std::vector<std::string> gone_candidates;
  std::set<std::string> refetched(report.stale.begin(), report.stale.end());
  for (const auto& [key, issue] : stored) {
    if (jira.count(key) == 0 && issue.created && *issue.created >= since &&
        *issue.created <= now - kSettleTime)
      gone_candidates.push_back(key);
    else if (published.count(key) == 0 && issue.readable && refetched.count(key) == 0)
      report.parquet_gap.push_back(key);
  }
  if (options.dry_run) {
    report.gone = gone_candidates;  // not confirmed: a dry run asks Jira nothing more
    report.finished_at = now_micros();
    return report;
  }

  std::vector<Repair> repairs;
  auto plan = [&](Repair::Kind kind, const std::vector<std::string>& keys) {
    for (const std::string& key : keys) {
      if (repairs.size() < static_cast<size_t>(settings.consistency.max_repairs))
        repairs.push_back({kind, key, std::nullopt, false, {}});
      else
        ++report.unrepaired;
    }
  };
  plan(Repair::Kind::kFetch, report.missing);
  plan(Repair::Kind::kFetch, report.stale);
  plan(Repair::Kind::kConfirmGone, gone_candidates);
  plan(Repair::Kind::kRewrite, report.parquet_gap);
  Repairer(settings, sync, data_dir).run(repairs, report);
  std::sort(report.gone.begin(), report.gone.end());
  report.finished_at = now_micros();
  return report;
}

}  // namespace da::connectors::jira
