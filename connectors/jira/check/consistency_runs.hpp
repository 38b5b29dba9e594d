// The repository of jira_consistency_runs: one row per `da jira check`, read by `da jira status`
// and GET /webhooks/jira/health. Key lists are kept to their first kListCap keys; their counts
// are whole.
#pragma once

#include <optional>
#include <string>

#include "jira/check/consistency_check.hpp"
#include <nlohmann/json.hpp>

#include "da/store/sqlite_database.hpp"

namespace da::connectors::jira {

class ConsistencyRuns {
 public:
  static constexpr size_t kListCap = 50;

  explicit ConsistencyRuns(store::SqliteDatabase& database) : database_(database) {}

  // Records a finished run; `error` names why a run stopped before its repairs (status failed).
  void record(const CheckReport& report, const std::optional<std::string>& error = std::nullopt);
  // The newest run as {started_at, finished_at (ISO-8601), mode, dry_run, window_days, counts
  // {jira, stored, published, missing, stale, gone, parquet_gap}, missing[], stale[], gone[],
  // parquet_gap[], repaired, failed[], unrepaired, status, error}; nullopt when none ran.
  std::optional<nlohmann::json> latest() const;

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::connectors::jira
