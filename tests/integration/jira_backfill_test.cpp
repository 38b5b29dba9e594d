// `da jira backfill` and `da jira rebuild` in the real binary against the fake Jira Cloud: a
// backfill killed with SIGKILL is continued by the next run, which fetches only what is missing;
// failed issues are named with a non-zero exit; a dry run writes nothing; a rebuild restores
// deleted month files from the kept documents and leaves deleted issues out.
#include <csignal>
#include <thread>

#include "fakes/jira/fake_jira.hpp"
#include "support/background_process.hpp"
#include "support/parquet_column.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "da/common/atomic_file.hpp"

namespace da {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::ProcessResult;

class JiraBackfillCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_.write("docs/data_description.md", "# Tables\n```yaml\ntables: []\n```\n");
    temp_.write("config/instance.yaml",
                "instance: {name: Test}\npaths: {data_dir: ./data, docs_dir: ./docs}\n"
                "jira:\n  base_url: " +
                    jira_.url() +
                    "\n  email: bot@example.com\n  api_token: ${JIRA_API_TOKEN}\n"
                    "  webhook_secret: ${JIRA_WEBHOOK_SECRET}\n"
                    "  requests: {parallel: 1, retries: 0}\n");
    env_ = {{"DA_CONFIG_DIR", (temp_ / "config").string()},
            {"JIRA_API_TOKEN", "jira-token"},
            {"JIRA_WEBHOOK_SECRET", "secret-0123456789"}};
  }

  // SUPPORT-101 ... SUPPORT-<100 + count>, three created per month from 2026-01.
  void add_issues(int count) {
    for (int i = 1; i <= count; ++i) {
      fakes::FakeJiraIssue issue;
      issue.key = fmt::format("SUPPORT-{}", 100 + i);
      issue.created = fmt::format("2026-{:02}-{:02}T10:00:00.000+0000", 1 + (i - 1) / 3,
                                  1 + ((i - 1) % 3) * 10);
      issue.comments = 1;
      jira_.add_issue(issue);
    }
  }

  ProcessResult da(const std::vector<std::string>& args) {
    testing::ProcessOptions options;
    options.env = env_;
    options.working_dir = temp_.path();
    return testing::run_da(args, options);
  }

  fs::path documents() const { return temp_ / "data" / "raw" / "jira" / "issues"; }

  // The kept documents' keys (not the temp files of a write in progress).
  std::vector<std::string> kept() const {
    std::vector<std::string> keys;
    if (!fs::exists(documents())) return keys;
    for (const auto& entry : fs::directory_iterator(documents())) {
      std::string name = entry.path().filename();
      if (name.starts_with("SUPPORT-") && name.ends_with(".json"))
        keys.push_back(name.substr(0, name.size() - 5));
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  // Every row's issue_key of a published table, sorted (duplicates kept).
  std::vector<std::string> rows_of(const std::string& table) {
    return testing::parquet_column(temp_ / "data" / "parquet" / "jira" / table, "issue_key");
  }

  static std::vector<std::string> keys(int from, int to) {
    std::vector<std::string> keys;
    for (int i = from; i <= to; ++i)
      keys.push_back(fmt::format("SUPPORT-{}", 100 + i));
    return keys;
  }

  fakes::FakeJira jira_{"bot@example.com", "jira-token"};
  testing::TempDir temp_;
  std::map<std::string, std::string> env_;
};

TEST_F(JiraBackfillCliTest, ABackfillKilledWithSigkillIsContinuedByFetchingOnlyWhatIsMissing) {
  add_issues(40);
  jira_.delay_requests("/rest/api/3/issue/", 40ms);
  testing::BackgroundOptions options;
  options.env = env_;
  testing::BackgroundProcess first({DA_BINARY, "jira", "backfill", "--batch-size", "5"},
                                   temp_ / "first.log", options);
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (kept().size() < 10 && first.running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(first.running()) << first.output();
  ::kill(first.pid(), SIGKILL);
  int status = first.stop();
  ASSERT_TRUE(WIFSIGNALED(status)) << first.output();
  std::vector<std::string> done = kept();
  ASSERT_GE(done.size(), 10u);
  ASSERT_LT(done.size(), 40u) << "killed before the end";
  std::map<std::string, int> fetched_before;
  for (const std::string& key : keys(1, 40))
    fetched_before[key] = jira_.requests_to("/rest/api/3/issue/" + key);

  ProcessResult second = da({"jira", "backfill", "--batch-size", "5"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find(fmt::format("40 issue(s) matched, {} up to date, {} written",
                                        done.size(), 40 - done.size())),
            std::string::npos)
      << second.out;
  for (const std::string& key : keys(1, 40)) {
    bool was_done = std::find(done.begin(), done.end(), key) != done.end();
    int fetches = jira_.requests_to("/rest/api/3/issue/" + key) - fetched_before[key];
    EXPECT_EQ(fetches > 0, !was_done) << key << ": " << fetches << " request(s)";
  }
  EXPECT_EQ(rows_of("issues"), keys(1, 40)) << "every issue once";
  EXPECT_EQ(rows_of("comments"), keys(1, 40));
  EXPECT_EQ(kept(), keys(1, 40));
}

TEST_F(JiraBackfillCliTest, FailedIssuesAreNamedWithANonZeroExitAndADryRunWritesNothing) {
  add_issues(4);
  ProcessResult dry = da({"jira", "backfill", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_EQ(dry.out,
            "jira backfill (dry run, JQL: ORDER BY created ASC): 4 issue(s) matched, 0 up to "
            "date, 4 would be fetched\n");
  EXPECT_FALSE(fs::exists(temp_ / "data" / "raw"));
  EXPECT_FALSE(fs::exists(temp_ / "data" / "parquet"));
  EXPECT_EQ(jira_.requests_to("/rest/api/3/issue/"), 0);

  jira_.fail_requests("/rest/api/3/issue/SUPPORT-103", 1, 503);
  ProcessResult result = da({"jira", "backfill", "--since", "2026-01-11"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("jira backfill (JQL: created >= \"2026-01-11\" ORDER BY created "
                            "ASC): 3 issue(s) matched, 0 up to date, 2 written, 0 deleted in "
                            "Jira, 1 failed; 2 month(s) (2026-01 .. 2026-02) written"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.err.find("  SUPPORT-103: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("503"), std::string::npos) << result.err;
  EXPECT_EQ(rows_of("issues"), (std::vector<std::string>{"SUPPORT-102", "SUPPORT-104"}));
}

TEST_F(JiraBackfillCliTest, RebuildRestoresDeletedMonthFilesAndLeavesDeletedIssuesOut) {
  add_issues(7);
  ProcessResult backfill = da({"jira", "backfill"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.out << backfill.err;
  ASSERT_EQ(rows_of("issues"), keys(1, 7));
  fs::path parquet = temp_ / "data" / "parquet" / "jira";
  for (const char* table : {"issues", "comments"})
    ASSERT_TRUE(fs::remove(parquet / table / "2026-01.parquet")) << table;
  // SUPPORT-107, alone in 2026-03, deleted in Jira as the worker marks it.
  nlohmann::json deleted = nlohmann::json::parse(read_file(documents() / "SUPPORT-107.json"));
  deleted["_deleted_at"] = "2026-12-08T04:00:00Z";
  write_file_atomically(documents() / "SUPPORT-107.json", deleted.dump());

  ProcessResult rebuild = da({"jira", "rebuild"});
  ASSERT_EQ(rebuild.exit_code, 0) << rebuild.out << rebuild.err;
  EXPECT_NE(rebuild.out.find("jira rebuild: 7 document(s) in "), std::string::npos) << rebuild.out;
  EXPECT_NE(rebuild.out.find(": 6 issue(s) written (1 deleted skipped) into 2 month(s); 1 stale "
                             "month(s) removed (2026-03)"),
            std::string::npos)
      << rebuild.out;
  EXPECT_EQ(rows_of("issues"), keys(1, 6));
  EXPECT_EQ(rows_of("comments"), keys(1, 6));
  EXPECT_FALSE(fs::exists(parquet / "issues" / "2026-03.parquet"));
}

}  // namespace
}  // namespace da
