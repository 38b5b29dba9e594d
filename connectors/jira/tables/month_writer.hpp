// Writes the six Jira tables as monthly Parquet files (parquet/<folder>/<table>/<YYYY-MM>.parquet
// with _manifest.json, the sync engine's layout), replacing issues' rows transactionally: every
// call stages the new month files under parquet/<folder>/.staging-jira/ and publishes them and
// the six manifests with one journaled publication (da/sync/publisher.hpp), so a crash leaves
// each month whole, old or new, and the next call completes an interrupted publication first.
// One writer at a time: each call holds an flock on parquet/<folder>/.jira-writer.lock, waiting
// for another writer (worker, rebuild, backfill) to finish its call.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "jira/tables/issue_rows.hpp"

namespace da::connectors::jira {

struct WriteReport {
  std::vector<std::string> months_written;  // months whose files were rewritten, sorted
  std::vector<std::string> months_removed;  // months left without any issue, sorted
  int64_t issues_written = 0;
  int64_t issues_removed = 0;  // deleted keys that had rows
};

class MonthWriter {
 public:
  // Writes under <data_dir>/parquet/<folder>.
  MonthWriter(std::filesystem::path data_dir, std::string folder);

  // Each upserted issue's rows replace its rows wherever they were; each deleted key is removed
  // from every month (found by reading the issues table, not trusted to the caller); a key both
  // upserted and deleted keeps its upserted rows, and one upserted twice its last. The other
  // issues of a touched month stay. One publication for the whole call. A month file that cannot
  // be read is Error(kData) naming it, and nothing of the call is published. Works through one
  // touched month at a time, so memory grows with the largest month, not with the table. With
  // nothing to write it only completes an interrupted publication.
  WriteReport apply(const std::vector<IssueRows>& upserts, const std::vector<std::string>& deleted);

  // Every month rebuilt from the issue documents in `documents` (raw/jira/issues/<KEY>.json
  // files); those marked "_deleted_at" are skipped and every month no issue is in any more is
  // removed. Reads each document twice (once to find its month, once per month) so that only
  // one month's rows are held at a time. A file that is not a JSON issue is Error(kData) naming
  // it, and nothing is published.
  WriteReport rebuild(const std::vector<std::filesystem::path>& documents,
                      const RowContext& context);

 private:
  std::filesystem::path data_dir_;
  std::string folder_;
};

}  // namespace da::connectors::jira
