#include "jira/check/consistency_runs.hpp"

#include "da/common/time.hpp"

namespace da::connectors::jira {

namespace {

std::string capped(const std::vector<std::string>& keys) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < keys.size() && i < ConsistencyRuns::kListCap; ++i)
    list.push_back(keys[i]);
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string iso(int64_t micros) {
  return format_iso8601(from_epoch_micros(micros));
}

}  // namespace

void ConsistencyRuns::record(const CheckReport& report, const std::optional<std::string>& error) {
  database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT INTO jira_consistency_runs (started_at, finished_at, mode, dry_run, "
            "window_days, jira_count, stored_count, published_count, missing_count, stale_count, "
            "gone_count, parquet_gap_count, missing, stale, gone, parquet_gap, repaired, failed, "
            "unrepaired, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?)")
        .bind_all(report.started_at, report.finished_at,
                  std::string(report.deep ? "deep" : "regular"), int64_t{report.dry_run},
                  int64_t{report.window_days}, report.jira_count, report.stored_count,
                  report.published_count, static_cast<int64_t>(report.missing.size()),
                  static_cast<int64_t>(report.stale.size()),
                  static_cast<int64_t>(report.gone.size()),
                  static_cast<int64_t>(report.parquet_gap.size()), capped(report.missing),
                  capped(report.stale), capped(report.gone), capped(report.parquet_gap),
                  report.repaired, capped(report.failed), report.unrepaired,
                  error ? std::string("failed") : report.status(), error)
        .run();
  });
}

std::optional<nlohmann::json> ConsistencyRuns::latest() const {
  auto newest = database_.prepare(
      "SELECT started_at, finished_at, mode, dry_run, window_days, jira_count, stored_count, "
      "published_count, missing_count, stale_count, gone_count, parquet_gap_count, missing, "
      "stale, gone, parquet_gap, repaired, failed, unrepaired, status, error "
      "FROM jira_consistency_runs ORDER BY id DESC LIMIT 1");
  if (!newest.step()) return std::nullopt;
  nlohmann::json run = {
      {"started_at", iso(newest.column_int(0))},
      {"finished_at", iso(newest.column_int(1))},
      {"mode", newest.column_text(2)},
      {"dry_run", newest.column_int(3) != 0},
      {"window_days", newest.column_int(4)},
      {"counts",
       {{"jira", newest.column_int(5)},
        {"stored", newest.column_int(6)},
        {"published", newest.column_int(7)},
        {"missing", newest.column_int(8)},
        {"stale", newest.column_int(9)},
        {"gone", newest.column_int(10)},
        {"parquet_gap", newest.column_int(11)}}},
      {"missing", nlohmann::json::parse(newest.column_text(12))},
      {"stale", nlohmann::json::parse(newest.column_text(13))},
      {"gone", nlohmann::json::parse(newest.column_text(14))},
      {"parquet_gap", nlohmann::json::parse(newest.column_text(15))},
      {"repaired", newest.column_int(16)},
      {"failed", nlohmann::json::parse(newest.column_text(17))},
      {"unrepaired", newest.column_int(18)},
      {"status", newest.column_text(19)},
  };
  run["error"] = newest.is_null(20) ? nlohmann::json() : nlohmann::json(newest.column_text(20));
  return run;
}

}  // namespace da::connectors::jira
