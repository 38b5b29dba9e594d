#include "sync_report_output.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/common/strings.hpp"

namespace da::commands::sync {

namespace {

std::string human_bytes(int64_t bytes) {
  if (bytes >= 1'000'000'000) return fmt::format("{:.1f} GB", static_cast<double>(bytes) / 1e9);
  if (bytes >= 1'000'000) return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
  if (bytes >= 1'000) return fmt::format("{:.1f} kB", static_cast<double>(bytes) / 1e3);
  return fmt::format("{} B", bytes);
}

std::string changes(const da::sync::TableSyncResult& r, const std::string& strategy) {
  std::vector<std::string> parts;
  if (strategy == "incremental") {
    parts.push_back(
        fmt::format("+{} added, {} updated, {} unchanged", r.added, r.updated, r.unchanged));
  }
  if (r.partitions_written > 0)
    parts.push_back(fmt::format("{} partition(s) written", r.partitions_written));
  if (r.null_partition_rows > 0)
    parts.push_back(
        fmt::format("{} row(s) without a partition value in __null__", r.null_partition_rows));
  if (r.bad_values > 0)
    parts.push_back(fmt::format("{} bad value(s) stored as NULL", r.bad_values));
  if (r.duplicates > 0) parts.push_back(fmt::format("{} duplicate key(s) resolved", r.duplicates));
  return parts.empty() ? "" : " (" + join(parts, "; ") + ")";
}

}  // namespace

std::string format_report_text(const da::sync::SyncReport& report,
                               const std::optional<profiler::ProfileReport>& profile) {
  std::string text;
  int succeeded = 0;
  for (const da::sync::TableOutcome& table : report.tables) {
    if (table.succeeded) {
      ++succeeded;
      const da::sync::TableSyncResult& r = table.result;
      text += fmt::format("ok      {:<32} {:<13} {} rows read, {} rows, {}{} in {:.1f}s\n",
                          table.table_id, table.strategy, r.rows_read, r.rows_total,
                          human_bytes(r.bytes_total), changes(r, table.strategy), table.seconds);
      for (const std::string& warning : r.warnings)
        text += "        warning: " + warning + "\n";
    } else {
      text += fmt::format("FAILED  {}\n", table.error);
    }
  }
  text += fmt::format("{} of {} table(s) synced in {:.1f}s (run {}){}\n", succeeded,
                      report.tables.size(), report.seconds, report.run_id,
                      report.interrupted ? ", interrupted" : "");
  if (report.error) text += "error: " + *report.error + "\n";
  if (profile) {
    text += fmt::format("profiled {} changed table(s) in {:.1f}s", profile->profiled.size(),
                        profile->seconds);
    text += profile->errors.empty() ? "\n" : "; failed: " + join(profile->errors, "; ") + "\n";
  }
  return text;
}

std::string format_report_json(const da::sync::SyncReport& report,
                               const std::optional<profiler::ProfileReport>& profile) {
  nlohmann::ordered_json tables = nlohmann::ordered_json::array();
  for (const da::sync::TableOutcome& table : report.tables) {
    const da::sync::TableSyncResult& r = table.result;
    nlohmann::ordered_json item = {{"table_id", table.table_id},
                                   {"table_name", table.table_name},
                                   {"strategy", table.strategy},
                                   {"status", table.succeeded ? "succeeded" : "failed"},
                                   {"seconds", table.seconds}};
    if (table.succeeded) {
      item.update({{"rows_read", r.rows_read},
                   {"rows", r.rows_total},
                   {"bytes", r.bytes_total},
                   {"columns", r.columns},
                   {"added", r.added},
                   {"updated", r.updated},
                   {"unchanged", r.unchanged},
                   {"duplicates", r.duplicates},
                   {"bad_values", r.bad_values},
                   {"null_partition_rows", r.null_partition_rows},
                   {"partitions_written", r.partitions_written},
                   {"warnings", r.warnings}});
    } else {
      item["error"] = table.error;
    }
    tables.push_back(item);
  }
  nlohmann::ordered_json document = {
      {"run_id", report.run_id},
      {"status", report.interrupted   ? "interrupted"
                 : report.succeeded() ? "succeeded"
                                      : "failed"},
      {"seconds", report.seconds},
      {"error",
       report.error ? nlohmann::ordered_json(*report.error) : nlohmann::ordered_json(nullptr)},
      {"tables", tables},
      {"profile", profile ? nlohmann::ordered_json{{"profiled", profile->profiled},
                                                   {"errors", profile->errors}}
                          : nlohmann::ordered_json(nullptr)}};
  return document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace da::commands::sync
