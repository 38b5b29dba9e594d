#include "jira/tables/month_writer.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <thread>

#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"
#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/atomic_file.hpp"
#include "da/common/hash.hpp"
#include "da/duck/appender.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"
#include "da/published/partition_manifest.hpp"

namespace {

// Where a forked writer SIGKILLs itself: at the `countdown`th rename onto a path ending in
// `suffix` (outside the staging folder). Armed only in a forked child; the parent's renames
// pass straight through.
struct KillPoint {
  const char* suffix = nullptr;
  int countdown = 0;
};
KillPoint kill_point;

}  // namespace

// Every rename of this test binary (the publisher's included) passes here, so that a test can
// crash a publication at an exact rename, as a kill -9 would.
extern "C" int rename(const char* from, const char* to) {
  std::string_view target(to);
  if (kill_point.suffix != nullptr && target.ends_with(kill_point.suffix) &&
      target.find(".staging-jira") == std::string_view::npos && --kill_point.countdown <= 0) {
    ::raise(SIGKILL);
  }
  return ::renameat(AT_FDCWD, from, AT_FDCWD, to);
}

namespace da::connectors::jira {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Rows = std::vector<std::vector<std::string>>;

Json adf(const std::string& text) {
  return {
      {"type", "doc"},
      {"version", 1},
      {"content", {{{"type", "paragraph"}, {"content", {{{"type", "text"}, {"text", text}}}}}}}};
}

Json user(const std::string& name) {
  return {
      {"accountId", "id-" + name}, {"emailAddress", name + "@example.com"}, {"displayName", name}};
}

// An issue document of the complete shape: `comments` comments, `histories` histories of two
// items each, one attachment, one remote link.
Json document(const std::string& key, const std::string& created, int comments = 2,
              int histories = 2, const std::string& summary = "first") {
  Json comment_list = Json::array();
  for (int i = 0; i < comments; ++i) {
    comment_list.push_back({{"id", key + "-c" + std::to_string(i)},
                            {"author", user("agent")},
                            {"body", adf(summary + " comment " + std::to_string(i))},
                            {"created", created},
                            {"updated", created}});
  }
  Json history_list = Json::array();
  for (int i = 0; i < histories; ++i) {
    history_list.push_back({{"id", key + "-h" + std::to_string(i)},
                            {"author", user("agent")},
                            {"created", created},
                            {"items",
                             {{{"field", "status"},
                               {"fieldtype", "jira"},
                               {"fromString", "Open"},
                               {"toString", "Done"}},
                              {{"field", "summary"},
                               {"fieldtype", "jira"},
                               {"fromString", "a"},
                               {"toString", summary}}}}});
  }
  Json fields = {{"summary", summary},
                 {"description", adf("Description of " + key)},
                 {"created", created},
                 {"updated", created},
                 {"status", {{"name", "Open"}, {"statusCategory", {{"name", "To Do"}}}}},
                 {"project", {{"key", "SUPPORT"}, {"name", "Support"}}},
                 {"reporter", user("customer")},
                 {"labels", {"x", summary}},
                 {"attachment",
                  {{{"id", key.substr(key.find('-') + 1) + "0"},
                    {"filename", "../" + summary + ".png"},
                    {"author", user("customer")},
                    {"created", created},
                    {"size", 100},
                    {"mimeType", "image/png"},
                    {"content", "https://example.atlassian.net/attachment/" + key}}}},
                 {"issuelinks", Json::array()},
                 {"comment", {{"comments", comment_list}, {"total", comments}, {"startAt", 0}}}};
  return {{"key", key},
          {"id", key.substr(key.find('-') + 1)},
          {"fields", fields},
          {"changelog", {{"histories", history_list}, {"total", histories}}},
          {"_remote_links",
           {{{"id", 1},
             {"object", {{"url", "https://example.com/" + key}, {"title", summary}}},
             {"application", {{"name", "Web"}, {"type", "web"}}}}}},
          {"_synced_at", "2026-12-08T03:04:05Z"}};
}

RowContext context() {
  return {"https://example.atlassian.net", {}, {}};
}

IssueRows rows(const Json& document) {
  return issue_rows(document, context());
}

class JiraParquet {
 public:
  const fs::path& data_dir() const { return dir_.path(); }
  fs::path folder() const { return dir_.path() / "parquet" / "jira"; }
  fs::path table_dir(size_t table) const { return folder() / jira_tables()[table].name; }
  fs::path month_file(size_t table, const std::string& month) const {
    return table_dir(table) / (month + ".parquet");
  }
  MonthWriter writer() const { return MonthWriter(data_dir(), "jira"); }

  std::set<std::string> months(size_t table) const {
    std::set<std::string> found;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(table_dir(table), error)) {
      if (entry.path().extension() == ".parquet") found.insert(entry.path().stem().string());
    }
    return found;
  }

  // Every row of the table's month files (`month`, or all of them), as DuckDB renders them in
  // UTC, sorted.
  Rows published(size_t table, const std::string& month = "") const {
    std::vector<std::string> files;
    for (const std::string& found : months(table)) {
      if (month.empty() || found == month)
        files.push_back(duck::quote_path(month_file(table, found)));
    }
    if (files.empty()) return {};
    std::string list = "[";
    for (const std::string& file : files)
      list += (list.size() > 1 ? ", " : "") + file;
    return render("read_parquet(" + list + "])");
  }

  // Every file under parquet/jira with its contents (the writer's lock file aside).
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder())) {
      if (entry.is_regular_file() && entry.path().filename() != ".jira-writer.lock")
        files[fs::relative(entry.path(), folder()).string()] = read_file(entry.path());
    }
    return files;
  }

  static Rows render(const std::string& relation, duck::Connection* connection = nullptr) {
    duck::Database database;
    duck::Connection own(database);
    duck::Connection& use = connection != nullptr ? *connection : own;
    use.execute("SET TimeZone = 'UTC'");
    Rows rows;
    for (const auto& row :
         use.query("SELECT COLUMNS(*)::VARCHAR FROM " + relation + " ORDER BY ALL").fetch_all()) {
      std::vector<std::string> cells;
      for (const auto& value : row)
        cells.push_back(value.to_string());
      rows.push_back(std::move(cells));
    }
    return rows;
  }

 private:
  testing::TempDir dir_;
};

// The rows of `table` that `issues` give, rendered as published() renders them.
Rows expected(size_t table, const std::vector<IssueRows>& issues) {
  duck::Database database;
  duck::Connection connection(database);
  std::vector<std::string> columns;
  for (const auto& column : jira_tables()[table].schema.columns)
    columns.push_back(duck::quote_identifier(column.name) + " " + column.type);
  std::string list;
  for (const std::string& column : columns)
    list += (list.empty() ? "" : ", ") + column;
  connection.execute("CREATE TABLE expected (" + list + ")");
  duck::Appender appender(connection, "expected");
  for (const IssueRows& issue : issues) {
    for (const auto& row : issue.tables[table]) {
      for (const auto& value : row)
        appender.append(value);
      appender.end_row();
    }
  }
  appender.close();
  return JiraParquet::render("expected", &connection);
}

void expect_tables(const JiraParquet& parquet, const std::vector<IssueRows>& issues) {
  for (size_t table = 0; table < kTableCount; ++table)
    EXPECT_EQ(parquet.published(table), expected(table, issues)) << jira_tables()[table].name;
}

// Each table's manifest lists exactly its month files, with their rows, bytes and sha256.
void expect_manifests_match_files(const JiraParquet& parquet) {
  for (size_t table = 0; table < kTableCount; ++table) {
    const std::string& name = jira_tables()[table].name;
    auto manifest = published::PartitionManifest::read(parquet.table_dir(table) / "_manifest.json");
    ASSERT_TRUE(manifest) << name;
    EXPECT_EQ(manifest->partition_by, "created_at");
    EXPECT_EQ(manifest->granularity, "month");
    EXPECT_EQ(manifest->schema, jira_tables()[table].schema) << name;
    std::set<std::string> listed;
    for (const auto& entry : manifest->partitions) {
      listed.insert(entry.key);
      fs::path file = parquet.month_file(table, entry.key);
      ASSERT_TRUE(fs::exists(file)) << file;
      EXPECT_EQ(entry.bytes, static_cast<int64_t>(fs::file_size(file))) << file;
      EXPECT_EQ(entry.sha256, sha256_file_hex(file)) << file;
      EXPECT_EQ(entry.rows, static_cast<int64_t>(parquet.published(table, entry.key).size()))
          << file;
    }
    EXPECT_EQ(listed, parquet.months(table)) << name;
  }
}

TEST(JiraMonthWriter, WritesEachIssuesRowsIntoItsCreatedMonthWithAnExplicitSchemaAndManifests) {
  JiraParquet parquet;
  std::vector<IssueRows> issues{rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000")),
                                rows(document("SUPPORT-2", "2024-02-01T00:30:00.000+0100")),
                                rows(document("SUPPORT-3", "2024-02-20T10:00:00.000-0800", 0, 0))};
  WriteReport report = parquet.writer().apply(issues, {});
  EXPECT_EQ(report.months_written, (std::vector<std::string>{"2024-01", "2024-02"}));
  EXPECT_EQ(report.issues_written, 3);
  expect_tables(parquet, issues);
  Rows february = parquet.published(kIssues, "2024-02");  // SUPPORT-2 is January in UTC
  ASSERT_EQ(february.size(), 2u);
  EXPECT_EQ(february[0][18], "2024-01-31 23:30:00+00");  // created_at, stored in UTC
  EXPECT_EQ(february[1][18], "2024-02-20 18:00:00+00");
  Rows attachments = parquet.published(kAttachments, "2024-01");
  ASSERT_EQ(attachments.size(), 1u);
  EXPECT_EQ(attachments[0][4], "0/001/10_first.png");  // hierarchical_path
  expect_manifests_match_files(parquet);
  duck::Database database;
  duck::Connection connection(database);
  for (size_t table = 0; table < kTableCount; ++table) {
    if (parquet.months(table).empty()) continue;
    published::TableSchema schema;
    for (const auto& row : connection
                               .query("DESCRIBE SELECT * FROM read_parquet(" +
                                      duck::quote_path(parquet.month_file(table, "2024-01")) + ")")
                               .fetch_all())
      schema.columns.push_back({row[0].text(), row[1].text()});
    EXPECT_EQ(schema, jira_tables()[table].schema) << jira_tables()[table].name;
  }
  EXPECT_FALSE(fs::exists(parquet.folder() / ".staging-jira"));
  EXPECT_FALSE(fs::exists(parquet.folder() / ".da-publish-jira.json"));
}

TEST(JiraMonthWriter, ReplacingAnIssueKeepsTheOtherIssuesOfItsMonth) {
  JiraParquet parquet;
  IssueRows first = rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000", 3, 3));
  IssueRows other = rows(document("SUPPORT-2", "2024-01-11T10:00:00.000+0000", 3, 3));
  IssueRows later = rows(document("SUPPORT-9", "2024-03-11T10:00:00.000+0000"));
  parquet.writer().apply({first, other, later}, {});
  IssueRows updated = rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000", 1, 5, "second"));
  WriteReport report = parquet.writer().apply({updated}, {});
  EXPECT_EQ(report.months_written, std::vector<std::string>{"2024-01"});
  expect_tables(parquet, {updated, other, later});
  expect_manifests_match_files(parquet);
}

TEST(JiraMonthWriter, AnIssueWhoseMonthChangedLeavesItsOldMonth) {
  JiraParquet parquet;
  parquet.writer().apply({rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000"))}, {});
  IssueRows moved = rows(document("SUPPORT-1", "2024-05-10T10:00:00.000+0000"));
  WriteReport report = parquet.writer().apply({moved}, {});
  EXPECT_EQ(report.months_removed, std::vector<std::string>{"2024-01"});
  EXPECT_EQ(parquet.months(kIssues), std::set<std::string>{"2024-05"});
  expect_tables(parquet, {moved});
  expect_manifests_match_files(parquet);
}

TEST(JiraMonthWriter, ADeletedKeyIsRemovedFromEveryTableAndMonth) {
  JiraParquet parquet;
  IssueRows kept = rows(document("SUPPORT-2", "2024-01-11T10:00:00.000+0000"));
  parquet.writer().apply({rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000")), kept,
                          rows(document("SUPPORT-3", "2024-02-10T10:00:00.000+0000"))},
                         {});
  WriteReport report = parquet.writer().apply({}, {"SUPPORT-3", "SUPPORT-1", "SUPPORT-404"});
  EXPECT_EQ(report.issues_removed, 2);
  EXPECT_EQ(report.months_removed, std::vector<std::string>{"2024-02"});
  expect_tables(parquet, {kept});
  for (size_t table = 0; table < kTableCount; ++table)
    EXPECT_FALSE(parquet.months(table).count("2024-02")) << jira_tables()[table].name;
  expect_manifests_match_files(parquet);
}

TEST(JiraMonthWriter, AnUnreadableMonthFileKeepsEverythingAndNamesTheFile) {
  JiraParquet parquet;
  IssueRows january = rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000"));
  IssueRows february = rows(document("SUPPORT-2", "2024-02-10T10:00:00.000+0000"));
  IssueRows neighbour = rows(document("SUPPORT-3", "2024-02-11T10:00:00.000+0000"));
  parquet.writer().apply({january, february, neighbour}, {});
  fs::path comments = parquet.month_file(kComments, "2024-02");
  std::string good = read_file(comments);
  write_file_atomically(comments, "PAR1 this is not Parquet any more PAR1");
  auto before = parquet.snapshot();
  IssueRows updated = rows(document("SUPPORT-2", "2024-02-10T10:00:00.000+0000", 5, 1, "second"));
  std::string message =
      testing::thrown_message(ErrorKind::kData, [&] { parquet.writer().apply({updated}, {}); });
  EXPECT_NE(message.find(comments.string()), std::string::npos) << message;
  EXPECT_EQ(parquet.snapshot(), before);  // nothing published, nothing staged left behind

  fs::path issues = parquet.month_file(kIssues, "2024-01");
  std::string good_issues = read_file(issues);
  write_file_atomically(issues, "garbage");
  message =
      testing::thrown_message(ErrorKind::kData, [&] { parquet.writer().apply({}, {"SUPPORT-3"}); });
  EXPECT_NE(message.find(issues.string()), std::string::npos) << message;

  write_file_atomically(comments, good);
  write_file_atomically(issues, good_issues);
  parquet.writer().apply({updated}, {});
  expect_tables(parquet, {january, updated, neighbour});
  expect_manifests_match_files(parquet);
}

TEST(JiraMonthWriter, RebuildSkipsDeletedIssuesAndRemovesMonthsNoIssueIsIn) {
  JiraParquet parquet;
  testing::TempDir raw;
  Json january = document("SUPPORT-1", "2024-01-10T10:00:00.000+0000", 2, 2, "new");
  Json deleted = document("SUPPORT-2", "2024-02-10T10:00:00.000+0000");
  deleted["_deleted_at"] = "2026-12-01T00:00:00Z";
  Json march = document("SUPPORT-4", "2024-03-10T10:00:00.000+0000", 4, 1);
  std::vector<fs::path> files{raw.write("SUPPORT-1.json", january.dump()),
                              raw.write("SUPPORT-2.json", deleted.dump()),
                              raw.write("SUPPORT-4.json", march.dump())};
  parquet.writer().apply({rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000", 5, 5, "old")),
                          rows(document("SUPPORT-2", "2024-02-10T10:00:00.000+0000")),
                          rows(document("SUPPORT-3", "2023-12-10T10:00:00.000+0000"))},
                         {});
  WriteReport report = parquet.writer().rebuild(files, context());
  EXPECT_EQ(report.issues_written, 2);
  EXPECT_EQ(report.months_written, (std::vector<std::string>{"2024-01", "2024-03"}));
  EXPECT_EQ(report.months_removed, (std::vector<std::string>{"2023-12", "2024-02"}));
  expect_tables(parquet, {rows(january), rows(march)});
  EXPECT_EQ(parquet.months(kIssues), (std::set<std::string>{"2024-01", "2024-03"}));
  expect_manifests_match_files(parquet);

  fs::path broken = raw.write("SUPPORT-5.json", "{not json");
  auto before = parquet.snapshot();
  files.push_back(broken);
  std::string message = testing::thrown_message(
      ErrorKind::kData, [&] { parquet.writer().rebuild(files, context()); });
  EXPECT_NE(message.find(broken.string()), std::string::npos) << message;
  EXPECT_EQ(parquet.snapshot(), before);
}

// Runs `write` in a forked child that SIGKILLs itself at the kill point, and waits for it.
void write_and_kill(KillPoint point, const std::function<void()>& write) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    kill_point = point;
    try {
      write();
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the writer was not killed at its kill point (status " << status << ")";
}

struct FourMonths {
  std::vector<IssueRows> before{rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000")),
                                rows(document("SUPPORT-2", "2024-02-10T10:00:00.000+0000")),
                                rows(document("SUPPORT-3", "2024-03-10T10:00:00.000+0000")),
                                rows(document("SUPPORT-4", "2024-04-10T10:00:00.000+0000")),
                                rows(document("SUPPORT-5", "2024-01-11T10:00:00.000+0000"))};
  std::vector<IssueRows> updates{
      rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000", 4, 1, "second")),
      rows(document("SUPPORT-2", "2024-02-10T10:00:00.000+0000", 4, 1, "second")),
      rows(document("SUPPORT-3", "2024-03-10T10:00:00.000+0000", 4, 1, "second")),
      rows(document("SUPPORT-4", "2024-04-10T10:00:00.000+0000", 4, 1, "second"))};
  std::vector<IssueRows> after{updates[0], updates[1], updates[2], updates[3], before[4]};
};

TEST(JiraMonthWriter, AKillBetweenTheRenamesLeavesWholeMonthsAndTheNextCallCompletesIt) {
  JiraParquet parquet;
  FourMonths data;
  parquet.writer().apply(data.before, {});
  Rows april = parquet.published(kIssues, "2024-04");
  write_and_kill({".parquet", 3}, [&] { parquet.writer().apply(data.updates, {}); });
  ASSERT_TRUE(fs::exists(parquet.folder() / ".da-publish-jira.json"));
  for (size_t table = 0; table < kTableCount; ++table) {
    for (const std::string& month : parquet.months(table))
      EXPECT_NO_THROW(parquet.published(table, month)) << jira_tables()[table].name << " " << month;
  }
  EXPECT_EQ(parquet.published(kIssues, "2024-04"), april);  // not renamed yet: the old month
  EXPECT_EQ(parquet.published(kIssues, "2024-01"),
            expected(kIssues, {data.updates[0], data.before[4]}));

  WriteReport report = parquet.writer().apply({}, {});
  EXPECT_TRUE(report.months_written.empty());
  expect_tables(parquet, data.after);
  expect_manifests_match_files(parquet);
  EXPECT_FALSE(fs::exists(parquet.folder() / ".da-publish-jira.json"));
  EXPECT_FALSE(fs::exists(parquet.folder() / ".staging-jira"));
}

TEST(JiraMonthWriter, AKillAfterTheMonthsAreStagedLeavesTheOldMonthsAndTheNextCallWritesThem) {
  JiraParquet parquet;
  FourMonths data;
  parquet.writer().apply(data.before, {});
  write_and_kill({".da-publish-jira.json", 1}, [&] { parquet.writer().apply(data.updates, {}); });
  ASSERT_TRUE(fs::exists(parquet.folder() / ".staging-jira"));
  expect_tables(parquet, data.before);
  expect_manifests_match_files(parquet);

  parquet.writer().apply(data.updates, {});
  expect_tables(parquet, data.after);
  expect_manifests_match_files(parquet);
  EXPECT_FALSE(fs::exists(parquet.folder() / ".staging-jira"));
}

TEST(JiraMonthWriter, OneBatchHoldingAnIssueTwiceKeepsItsLastRows) {
  JiraParquet parquet;
  IssueRows last = rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000", 1, 1, "last"));
  parquet.writer().apply({rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000")), last}, {});
  expect_tables(parquet, {last});
}

TEST(JiraMonthWriter, AWriterWaitsWhileAnotherHoldsTheWriterLock) {
  JiraParquet parquet;
  fs::create_directories(parquet.folder());
  int other = ::open((parquet.folder() / ".jira-writer.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_EQ(::flock(other, LOCK_EX), 0);
  std::atomic<bool> written{false};
  std::thread writer([&] {
    parquet.writer().apply({rows(document("SUPPORT-1", "2024-01-10T10:00:00.000+0000"))}, {});
    written = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(written);
  EXPECT_TRUE(parquet.months(kIssues).empty());
  ::close(other);
  writer.join();
  EXPECT_TRUE(written);
  EXPECT_EQ(parquet.months(kIssues), std::set<std::string>{"2024-01"});
}

long peak_rss_kb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// A measurement for the Jira benchmark, not a check: run it alone with
// --gtest_also_run_disabled_tests --gtest_filter='JiraMonthWriterMeasure.*'.
TEST(JiraMonthWriterMeasure, DISABLED_TwoThousandIssuesOverTwoYearsThenFiveHundredUpdates) {
  JiraParquet parquet;
  auto created = [](int issue) {
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT10:00:00.000+0100", 2023 + (issue % 24) / 12,
                  issue % 12 + 1, issue % 28 + 1);
    return std::string(text);
  };
  std::vector<IssueRows> issues;
  for (int issue = 1; issue <= 2000; ++issue)
    issues.push_back(rows(document("SUPPORT-" + std::to_string(issue), created(issue), 5, 5)));
  auto start = std::chrono::steady_clock::now();
  WriteReport first = parquet.writer().apply(issues, {});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("apply(2000 issues, %zu months): %.2f s, peak RSS %ld MB\n",
              first.months_written.size(), seconds, peak_rss_kb() / 1024);
  std::vector<IssueRows> updates;
  for (int issue = 1; issue <= 500; ++issue)
    updates.push_back(
        rows(document("SUPPORT-" + std::to_string(issue), created(issue), 6, 5, "updated")));
  start = std::chrono::steady_clock::now();
  WriteReport second = parquet.writer().apply(updates, {});
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("apply(%zu updates, %zu months): %.2f s, peak RSS %ld MB\n", updates.size(),
              second.months_written.size(), seconds, peak_rss_kb() / 1024);
  EXPECT_EQ(parquet.published(kIssues).size(), 2000u);
}

}  // namespace
}  // namespace da::connectors::jira
