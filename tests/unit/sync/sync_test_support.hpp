// Helpers for the sync engine tests: a file-based DataSource over a test folder, and a
// harness that runs TableSync the way SyncRunner does, carrying the state between runs.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/catalog/data_description.hpp"
#include "da/common/error.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"
#include "da/sync/table_sync.hpp"

namespace da::sync::testing {

// Serves <folder>/<table name>*.csv, like the CSV connector with a glob template.
class FolderSource : public DataSource {
 public:
  explicit FolderSource(std::filesystem::path folder) : folder_(std::move(folder)) {}
  std::string name() const override { return "test folder"; }
  std::string check_connection() override { return name(); }
  std::vector<DiscoveredTable> discover_tables() override { return {}; }
  Extract extract(const ExtractRequest& request, StagingArea&) override {
    ++extracts;
    if (fail_next) {
      fail_next = false;
      throw Error(ErrorKind::kSource, request.table.id + ": source unavailable");
    }
    Extract extract;
    extract.started_at = now_utc();
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(folder_)) {
      std::string file = entry.path().filename().string();
      if (file.rfind(request.table.name, 0) == 0 && entry.path().extension() == ".csv")
        paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      SourceFile file{path, static_cast<int64_t>(std::filesystem::file_size(path)),
                      std::filesystem::last_write_time(path).time_since_epoch().count()};
      extract.fingerprint.push_back(file);
      bool known = request.incremental &&
                   std::find(request.known_files.begin(), request.known_files.end(), file) !=
                       request.known_files.end();
      if (!known) extract.files.push_back(file);
    }
    if (extract.fingerprint.empty())
      throw Error(ErrorKind::kSource, request.table.id + ": no file");
    return extract;
  }

  int extracts = 0;
  bool fail_next = false;

 private:
  std::filesystem::path folder_;
};

class SyncHarness {
 public:
  SyncHarness() : source_(dir_ / "incoming"), connection_(database_) {
    std::filesystem::create_directories(dir_ / "incoming");
  }
  // Syncs from `source` instead of the folder source.
  explicit SyncHarness(DataSource& source) : SyncHarness() { active_ = &source; }

  // The table from a YAML mapping (the text of one `tables:` item).
  void define(const std::string& yaml_table) {
    catalog::DataDescriptionLoad load = catalog::parse_data_description(
        {{"test.md", "```yaml\ntables:\n  - " + indent(yaml_table) + "\n```\n"}});
    if (load.diagnostics.has_errors())
      throw std::runtime_error(load.diagnostics.errors().front().format());
    catalog_ = load.description;
  }

  void write_csv(const std::string& file, const std::string& content) const {
    dir_.write("incoming/" + file, content);
  }
  void remove_csv(const std::string& file) const {
    std::filesystem::remove(dir_ / "incoming" / file);
  }

  // Runs one sync of the table; on success keeps the new state for the next run.
  TableSyncResult sync() {
    const catalog::TableConfig& table = catalog_.tables.at(0);
    TableSyncInput input{table,
                         catalog_.folder_of(table),
                         state_,
                         now_utc(),
                         dir_ / ("staging-" + std::to_string(++runs_)),
                         dir_ / "resume",
                         nullptr};
    input.save_progress = [this](const sync::TableSyncState& state) {
      state_ = state;
      if (crash_after_progress_saves_ > 0 && --crash_after_progress_saves_ == 0) {
        throw std::runtime_error("simulated crash after a chunk");
      }
    };
    TableSyncResult result =
        TableSync(*active_, connection_, {dir_ / "data", {"zstd", 100000}}).run(input);
    state_ = result.state;
    std::filesystem::remove_all(input.staging_dir);
    return result;
  }

  // "a|b|c" per row, ordered as the query orders them.
  std::vector<std::string> rows(const std::string& sql) {
    std::vector<std::string> result;
    for (const auto& row : connection_.query(sql).fetch_all()) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i)
        line += (i ? "|" : "") + row[i].to_string();
      result.push_back(line);
    }
    return result;
  }

  std::string table_sql() const {
    const catalog::TableConfig& table = catalog_.tables.at(0);
    auto folder = dir_ / "data" / "parquet" / catalog_.folder_of(table);
    auto path = table.is_partitioned() ? folder / table.name / "*.parquet"
                                       : folder / (table.name + ".parquet");
    return "read_parquet(" + duck::quote_path(path) + ", union_by_name = true)";
  }

  std::vector<std::string> published(const std::string& order_by) {
    return rows("SELECT * FROM " + table_sql() + " ORDER BY " + order_by);
  }

  std::vector<std::string> partition_files() const {
    const catalog::TableConfig& table = catalog_.tables.at(0);
    std::vector<std::string> names;
    auto folder = dir_ / "data" / "parquet" / catalog_.folder_of(table) / table.name;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string column_type(const std::string& column) {
    for (const auto& row : connection_.query("DESCRIBE SELECT * FROM " + table_sql()).fetch_all()) {
      if (row[0].text() == column) return row[1].text();
    }
    return "";
  }

  const std::optional<sync::TableSyncState>& state() const { return state_; }
  FolderSource& source() { return source_; }
  const da::testing::TempDir& dir() const { return dir_; }
  void crash_after_progress_saves(int count) { crash_after_progress_saves_ = count; }

 private:
  static std::string indent(const std::string& text) {
    std::string result;
    for (char c : text) {
      result += c;
      if (c == '\n') result += "    ";
    }
    return result;
  }

  da::testing::TempDir dir_;
  FolderSource source_;
  DataSource* active_ = &source_;
  duck::Database database_;
  duck::Connection connection_;
  catalog::DataDescription catalog_;
  std::optional<sync::TableSyncState> state_;
  int runs_ = 0;
  int crash_after_progress_saves_ = 0;
};

// The message of the da::Error that `action` throws, or "" if it throws none.
template <typename Action>
std::string error_of(Action action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace da::sync::testing
