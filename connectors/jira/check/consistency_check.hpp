// `da jira check`: the stored documents and the published issues table compared with Jira, and
// repaired. Truth is a JQL search ([project = X AND] created >= <today - window> AND
// created <= <now - 5 min>, keys and `updated` only). An issue is
//   missing      in Jira's answer, without a stored document;
//   stale        stored with a `fields.updated` older than Jira's (or a document unreadable);
//   gone         stored, created within the window, absent from Jira's answer and answered 404
//                (a key Jira still answers for is left alone: moved or out of the JQL's scope);
//   parquet gap  stored, but not in the published issues table.
// Repairs take at most jira.consistency.max_repairs keys per run (missing, stale, gone, gaps in
// that order); the rest are counted as unrepaired, to be taken by the next run. Missing and stale
// issues are re-fetched through IssueSync (as the worker does), gone ones marked deleted, gaps
// re-written from their documents, all rows with one MonthWriter::apply.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "jira/jira_settings.hpp"

#include "da/common/time.hpp"

namespace da::connectors::jira {

struct CheckOptions {
  bool deep = false;     // jira.consistency.deep_window_days instead of window_days
  bool dry_run = false;  // compare only: nothing fetched but the search, nothing written
};

struct CheckReport {
  int64_t started_at = 0;  // epoch microseconds
  int64_t finished_at = 0;
  bool deep = false;
  bool dry_run = false;
  int window_days = 0;
  int64_t jira_count = 0;       // keys the search answered
  int64_t stored_count = 0;     // stored documents not marked deleted
  int64_t published_count = 0;  // distinct keys of the published issues table
  std::vector<std::string> missing, stale, gone, parquet_gap;  // sorted
  int64_t repaired = 0;
  std::vector<std::string> failed;  // "KEY: why"
  int64_t unrepaired = 0;           // left for the next run by the budget

  // "dry_run", "failed" (a repair failed), "over_budget", "repaired" or "ok".
  std::string status() const;
  // Nothing failed and nothing was left over.
  bool succeeded() const { return failed.empty() && unrepaired == 0; }
};

// One check of the connector's issues under `data_dir` at `now`. Throws Error(kSource) when
// the search fails (nothing is repaired then).
CheckReport run_consistency_check(const JiraSettings& settings,
                                  const std::filesystem::path& data_dir,
                                  const CheckOptions& options, Timestamp now);

// The JQL of a check with `window_days` at `now`.
std::string consistency_jql(const std::string& project, int window_days, Timestamp now);

}  // namespace da::connectors::jira
