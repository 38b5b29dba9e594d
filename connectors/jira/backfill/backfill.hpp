// `da jira backfill`: every issue a JQL search names (or the keys given) fetched complete,
// stored, its attachments downloaded and its rows written, the way the worker does it
// (sync/issue_sync.hpp). Issues are fetched jira.requests.parallel at a time (the client's
// retries honour 429 Retry-After) and written `batch_size` at a time with one MonthWriter call
// each, so memory holds one batch of documents. Resumable without a cursor: a document is kept
// only after its rows are published, and an issue whose kept document has the `updated` Jira's
// search reports is skipped, so a run killed at any point is continued by the next one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "jira/jira_settings.hpp"
namespace da::connectors::jira {

struct BackfillOptions {
  std::string jql;                // "" = the default: project = <jira.project> (if set)
  std::string since;              // YYYY-MM-DD: only issues created on or after it; "" = all
  std::vector<std::string> keys;  // these issues instead of a search (always fetched)
  bool refetch = false;           // fetch even the issues whose kept document is current
  bool dry_run = false;           // count what would be fetched; write nothing
  size_t batch_size = 500;
};

struct BackfillReport {
  std::string jql;                  // the search run ("" when keys were given)
  int64_t matched = 0;              // issues the search (or the keys) named
  int64_t up_to_date = 0;           // skipped: the kept document is current
  int64_t to_fetch = 0;             // matched - up_to_date
  int64_t written = 0;              // fetched and written
  int64_t gone = 0;                 // found by the search, 404 when fetched: rows removed
  std::vector<std::string> failed;  // "<KEY>: <why>", in the search's order
  std::set<std::string> months_written;
};

// The search of `options`: its JQL (or the default) with `created >= "<since>"` and
// `ORDER BY created ASC` (unless it has an ORDER BY). Error(kConfig) for a --since that is not
// YYYY-MM-DD, or with --jql (put the clause into the JQL).
std::string backfill_jql(const JiraSettings& settings, const BackfillOptions& options);

// Runs the backfill under `data_dir`. Issues that fail (Jira keeps failing, a document that is
// not an issue, a key given that Jira answers 404 for) are reported, not thrown; a month file
// that cannot be written ends the run with Error(kData) (what was published before stays).
// With `show_progress`, a progress bar of the issues to fetch goes to stderr (when there are any).
BackfillReport run_backfill(const JiraSettings& settings, const std::filesystem::path& data_dir,
                            const BackfillOptions& options, bool show_progress);

}  // namespace da::connectors::jira
