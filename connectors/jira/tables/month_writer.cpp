#include "jira/tables/month_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <map>
#include <optional>
#include <set>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <unistd.h>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/hash.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/common/time.hpp"
#include "da/duck/appender.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/duck_error.hpp"
#include "da/duck/sql_quote.hpp"
#include "da/published/partition_manifest.hpp"
#include "da/published/table_location.hpp"
#include "da/sync/publisher.hpp"

namespace da::connectors::jira {

namespace fs = std::filesystem;
using duck::quote_identifier;
using duck::quote_path;
using published::PartitionEntry;
using published::PartitionManifest;
using Row = std::vector<duck::Value>;

namespace {

constexpr const char* kLockFile = ".jira-writer.lock";
constexpr const char* kStagingFolder = ".staging-jira";
constexpr const char* kKeysTable = "dropped_keys";

// The exclusive flock on parquet/<folder>/.jira-writer.lock, waited for.
class WriterLock {
 public:
  explicit WriterLock(const fs::path& file) {
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw_system_error("cannot open the Jira writer lock", file.string(), errno);
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd_);
      throw_system_error("cannot lock the Jira writer lock", file.string(), error);
    }
  }
  WriterLock(WriterLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ~WriterLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  int fd_ = -1;
};

bool is_month(std::string_view text) {
  return text.size() == 7 && text[4] == '-' &&
         std::all_of(text.begin(), text.end(), [](char c) { return c == '-' || std::isdigit(c); });
}

// The month files of a table on disk, by month.
std::map<std::string, fs::path> month_files(const fs::path& table_dir) {
  std::map<std::string, fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(table_dir, error)) {
    std::string month = entry.path().stem().string();
    if (entry.path().extension() == ".parquet" && is_month(month) && entry.is_regular_file())
      files.emplace(month, entry.path());
  }
  return files;
}

std::string select_columns(const published::TableSchema& schema) {
  std::vector<std::string> columns;
  for (const published::SchemaColumn& column : schema.columns) {
    columns.push_back("CAST(" + quote_identifier(column.name) + " AS " + column.type + ") AS " +
                      quote_identifier(column.name));
  }
  return join(columns, ", ");
}

std::string stage_table(size_t table) {
  return "stage_" + jira_tables()[table].name;
}

// One call's work: a DuckDB session in memory, the month files staged so far and the
// publication that swaps them in.
class MonthBatch {
 public:
  MonthBatch(fs::path folder_dir, std::string folder)
      : folder_dir_(std::move(folder_dir)),
        folder_(std::move(folder)),
        staging_(folder_dir_ / kStagingFolder),
        connection_(database_) {
    connection_.execute("SET TimeZone = 'UTC'");
    for (size_t table = 0; table < kTableCount; ++table) {
      std::vector<std::string> columns;
      for (const published::SchemaColumn& column : jira_tables()[table].schema.columns)
        columns.push_back(quote_identifier(column.name) + " " + column.type);
      connection_.execute("CREATE TABLE " + quote_identifier(stage_table(table)) + " (" +
                          join(columns, ", ") + ")");
    }
    connection_.execute(std::string("CREATE TABLE ") + kKeysTable + " (issue_key VARCHAR)");
    fs::create_directories(staging_);
  }
  ~MonthBatch() {
    // Once publishing began, a journal may name the staged files: the next writer completes it.
    if (!publishing_) {
      std::error_code error;
      fs::remove_all(staging_, error);
    }
  }
  MonthBatch(const MonthBatch&) = delete;
  MonthBatch& operator=(const MonthBatch&) = delete;

  fs::path table_dir(size_t table) const { return folder_dir_ / jira_tables()[table].name; }

  // The keys whose published rows are dropped from every month this batch rewrites.
  void drop_keys(const std::set<std::string>& keys) {
    duck::Appender appender(connection_, kKeysTable);
    for (const std::string& key : keys)
      appender.append_row(key);
    appender.close();
  }

  // The months whose issues table holds one of the dropped keys; `found` gets those keys.
  std::set<std::string> months_holding_dropped_keys(std::set<std::string>& found) {
    std::set<std::string> months;
    for (const auto& [month, file] : month_files(table_dir(kIssues))) {
      std::vector<std::vector<duck::Value>> keys =
          read(file, "SELECT DISTINCT issue_key FROM read_parquet(" + quote_path(file) +
                         ") WHERE issue_key IN (SELECT issue_key FROM " + kKeysTable + ")");
      for (const auto& row : keys)
        found.insert(row[0].text());
      if (!keys.empty()) months.insert(month);
    }
    return months;
  }

  // The published rows of `month` whose key is not dropped.
  void keep_rows(size_t table, const std::string& month) {
    fs::path file = table_dir(table) / published::partition_file_name(month);
    if (!fs::exists(file)) return;
    read(file, "INSERT INTO " + quote_identifier(stage_table(table)) + " SELECT " +
                   select_columns(jira_tables()[table].schema) + " FROM read_parquet(" +
                   quote_path(file) + ") WHERE issue_key NOT IN (SELECT issue_key FROM " +
                   kKeysTable + ")");
  }

  // Adds the rows of `table` that `issues` give.
  void append(size_t table, const std::vector<const IssueRows*>& issues) {
    duck::Appender appender(connection_, stage_table(table));
    for (const IssueRows* issue : issues) {
      for (const Row& row : issue->tables[table]) {
        for (const duck::Value& value : row)
          appender.append(value);
        appender.end_row();
      }
    }
    appender.close();
  }

  // Stages the rows gathered for `month` of `table` as its new file (or its removal when there
  // are none) and empties the stage.
  void stage(size_t table, const std::string& month) {
    std::string stage = quote_identifier(stage_table(table));
    int64_t rows = connection_.query("SELECT count(*) FROM " + stage).scalar().as_int();
    if (rows > 0) {
      fs::path file = staging_ / jira_tables()[table].name / published::partition_file_name(month);
      fs::create_directories(file.parent_path());
      connection_.execute("COPY " + stage + " TO " + quote_path(file) +
                          " (FORMAT parquet, COMPRESSION zstd)");
      changes_[table][month] =
          PartitionEntry{month, published::partition_file_name(month), rows,
                         static_cast<int64_t>(fs::file_size(file)), sha256_file_hex(file)};
      publication_.moves.emplace_back(file,
                                      table_dir(table) / published::partition_file_name(month));
      months_written_.insert(month);
    } else {
      if (table == kIssues) months_removed_.insert(month);
      changes_[table][month] = std::nullopt;
      fs::path published_file = table_dir(table) / published::partition_file_name(month);
      if (fs::exists(published_file)) publication_.removals.push_back(published_file);
    }
    connection_.execute("DELETE FROM " + stage);
  }

  // Publishes every staged month and the six manifests in one journaled publication. With
  // `replace_all`, every published month not staged is removed.
  void publish(bool replace_all) {
    for (size_t table = 0; table < kTableCount; ++table) {
      if (replace_all) {
        for (const auto& [month, file] : month_files(table_dir(table))) {
          if (!changes_[table].count(month)) {
            changes_[table][month] = std::nullopt;
            publication_.removals.push_back(file);
            if (table == kIssues) months_removed_.insert(month);
          }
        }
      }
      stage_manifest(table);
    }
    publishing_ = true;
    sync::publish(publication_,
                  folder_dir_ / (std::string(published::kJournalPrefix) + "jira.json"));
    std::error_code error;
    fs::remove_all(staging_, error);
  }

  // The months written and removed, for the report.
  void describe(WriteReport& report) const {
    report.months_written = {months_written_.begin(), months_written_.end()};
    for (const std::string& month : months_removed_) {
      if (!months_written_.count(month)) report.months_removed.push_back(month);
    }
  }

 private:
  // Runs `sql`, which reads the month file `file`; a file DuckDB cannot read is Error(kData).
  std::vector<std::vector<duck::Value>> read(const fs::path& file, const std::string& sql) {
    try {
      return connection_.query(sql).fetch_all();
    } catch (const duck::DuckError& error) {
      throw Error(ErrorKind::kData,
                  "cannot read the Jira month file " + file.string() + ": " + error.what() +
                      ". Nothing was published and the file is kept; restore it (or rebuild "
                      "the Jira tables from the raw issues) and the next write completes.");
    }
  }

  // The manifest as published, or described from the month files when there is none.
  PartitionManifest published_manifest(size_t table) {
    fs::path dir = table_dir(table);
    if (auto manifest = PartitionManifest::read(dir / published::kManifestFile)) return *manifest;
    PartitionManifest manifest;
    for (const auto& [month, file] : month_files(dir)) {
      int64_t rows = read(file, "SELECT count(*) FROM read_parquet(" + quote_path(file) + ")")
                         .at(0)
                         .at(0)
                         .as_int();
      manifest.partitions.push_back({month, published::partition_file_name(month), rows,
                                     static_cast<int64_t>(fs::file_size(file)),
                                     sha256_file_hex(file)});
    }
    return manifest;
  }

  void stage_manifest(size_t table) {
    const JiraTable& definition = jira_tables()[table];
    PartitionManifest manifest = published_manifest(table);
    std::map<std::string, PartitionEntry> entries;
    for (const PartitionEntry& entry : manifest.partitions)
      entries[entry.key] = entry;
    for (const auto& [month, entry] : changes_[table]) {
      if (entry) {
        entries[month] = *entry;
      } else {
        entries.erase(month);
      }
    }
    manifest.table_id = folder_ + "." + definition.name;
    manifest.table_name = definition.name;
    manifest.partition_by = "created_at";
    manifest.granularity = "month";
    manifest.updated_at = format_iso8601(now_utc());
    manifest.schema = definition.schema;
    manifest.partitions.clear();
    for (auto& [month, entry] : entries)
      manifest.partitions.push_back(std::move(entry));
    fs::path staged = staging_ / definition.name / published::kManifestFile;
    fs::create_directories(staged.parent_path());
    write_file_atomically(staged, manifest.to_json(), 0644);
    publication_.moves.emplace_back(staged, table_dir(table) / published::kManifestFile);
  }

  fs::path folder_dir_;
  std::string folder_;
  fs::path staging_;
  duck::Database database_;
  duck::Connection connection_;
  std::map<std::string, std::optional<PartitionEntry>> changes_[kTableCount];
  sync::Publication publication_;
  bool publishing_ = false;
  std::set<std::string> months_written_;
  std::set<std::string> months_removed_;
};

// Takes the writer lock, completes an interrupted publication and clears a killed writer's
// staged files, in that order (a journal may name staged files).
WriterLock start_writing(const fs::path& parquet_root, const fs::path& folder_dir) {
  fs::create_directories(folder_dir);
  WriterLock lock(folder_dir / kLockFile);
  if (int completed = sync::complete_interrupted_publications(parquet_root); completed > 0)
    log::info("completed {} interrupted publication(s) under {}", completed, parquet_root.string());
  fs::remove_all(folder_dir / kStagingFolder);
  return lock;
}

nlohmann::json read_document(const fs::path& file) {
  try {
    return nlohmann::json::parse(read_file(file));
  } catch (const nlohmann::json::exception& error) {
    throw Error(ErrorKind::kData, "Jira issue file " + file.string() +
                                      " is not JSON: " + error.what() + "; nothing was published");
  }
}

IssueRows rows_of(const fs::path& file, const RowContext& context) {
  nlohmann::json document = read_document(file);
  try {
    return issue_rows(document, context);
  } catch (const Error& error) {
    throw Error(error.kind(), file.string() + ": " + error.what() + "; nothing was published");
  }
}

}  // namespace

MonthWriter::MonthWriter(fs::path data_dir, std::string folder)
    : data_dir_(std::move(data_dir)), folder_(std::move(folder)) {}

WriteReport MonthWriter::apply(const std::vector<IssueRows>& upserts,
                               const std::vector<std::string>& deleted) {
  fs::path parquet_root = published::parquet_root(data_dir_);
  fs::path folder_dir = parquet_root / folder_;
  WriterLock lock = start_writing(parquet_root, folder_dir);
  WriteReport report;
  if (upserts.empty() && deleted.empty()) return report;
  // The last rows of a key win when a batch holds one issue twice.
  std::map<std::string, const IssueRows*> latest;
  for (const IssueRows& issue : upserts) {
    if (!is_month(issue.month))
      throw Error(ErrorKind::kInternal, "issue " + issue.issue_key + " has no month ('" +
                                            issue.month + "'): expected YYYY-MM");
    latest[issue.issue_key] = &issue;
  }
  std::map<std::string, std::vector<const IssueRows*>> by_month;
  std::set<std::string> dropped(deleted.begin(), deleted.end());
  for (const auto& [key, issue] : latest) {
    by_month[issue->month].push_back(issue);
    dropped.insert(key);
  }
  MonthBatch batch(folder_dir, folder_);
  batch.drop_keys(dropped);
  std::set<std::string> published_keys;
  std::set<std::string> months = batch.months_holding_dropped_keys(published_keys);
  for (const auto& [month, issues] : by_month)
    months.insert(month);
  for (const std::string& month : months) {
    for (size_t table = 0; table < kTableCount; ++table) {
      batch.keep_rows(table, month);
      batch.append(table, by_month[month]);
      batch.stage(table, month);
    }
  }
  batch.publish(false);
  batch.describe(report);
  report.issues_written = static_cast<int64_t>(latest.size());
  for (const std::string& key : deleted) {
    if (published_keys.count(key) && !latest.count(key)) ++report.issues_removed;
  }
  return report;
}

WriteReport MonthWriter::rebuild(const std::vector<fs::path>& documents,
                                 const RowContext& context) {
  fs::path parquet_root = published::parquet_root(data_dir_);
  fs::path folder_dir = parquet_root / folder_;
  WriterLock lock = start_writing(parquet_root, folder_dir);
  std::map<std::string, std::vector<fs::path>> by_month;
  for (const fs::path& file : documents) {
    nlohmann::json document = read_document(file);
    if (document.is_object() && !document.value("_deleted_at", nlohmann::json()).is_null())
      continue;
    by_month[issue_month(document)].push_back(file);
  }
  MonthBatch batch(folder_dir, folder_);
  WriteReport report;
  for (const auto& [month, files] : by_month) {
    std::vector<IssueRows> issues;
    for (const fs::path& file : files)
      issues.push_back(rows_of(file, context));
    std::vector<const IssueRows*> month_issues;
    for (const IssueRows& issue : issues)
      month_issues.push_back(&issue);
    for (size_t table = 0; table < kTableCount; ++table) {
      batch.append(table, month_issues);
      batch.stage(table, month);
    }
  }
  batch.publish(true);
  batch.describe(report);
  for (const auto& [month, files] : by_month)
    report.issues_written += static_cast<int64_t>(files.size());
  return report;
}

}  // namespace da::connectors::jira
