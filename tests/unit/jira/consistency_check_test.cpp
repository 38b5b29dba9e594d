// The consistency check against the fake Jira Cloud: what it finds missing, stale, gone or not
// published, how it repairs each within its budget, the window of a regular and a deep run, and
// the report it records.
#include "jira/check/consistency_check.hpp"

#include "fakes/jira/fake_jira.hpp"
#include "jira/check/consistency_runs.hpp"
#include "jira/raw/issue_store.hpp"
#include "jira/sync/issue_sync.hpp"
#include "support/parquet_column.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/store/state_store.hpp"

namespace da::connectors::jira {
namespace {

namespace fs = std::filesystem;
using Keys = std::vector<std::string>;

// Jira's form of a time `days` before now, at 10:00 UTC.
std::string days_ago(int days) {
  auto day = std::chrono::floor<std::chrono::days>(now_utc()) - std::chrono::days(days);
  return format_date(day) + "T10:00:00.000+0000";
}

class JiraConsistencyCheckTest : public ::testing::Test {
 protected:
  JiraConsistencyCheckTest() {
    settings_.configured = true;
    settings_.account = {jira_.url(), "bot@example.com", "jira-token"};
    settings_.webhook_secret = "secret";
    settings_.retries = 0;
    for (const char* key : {"SUPPORT-1", "SUPPORT-2", "SUPPORT-3"})
      jira_.add_issue(issue(key, 3));
  }

  static fakes::FakeJiraIssue issue(const std::string& key, int age_days) {
    fakes::FakeJiraIssue issue;
    issue.key = key;
    issue.summary = "Summary of " + key;
    issue.created = days_ago(age_days);
    issue.comments = 1;
    return issue;
  }

  CheckReport check(CheckOptions options = {}) {
    return run_consistency_check(settings_, data(), options, now_utc());
  }

  fs::path data() const { return temp_ / "data"; }

  Keys published() {
    return testing::parquet_column(data() / "parquet" / "jira" / "issues", "issue_key", true);
  }

  fakes::FakeJira jira_{"bot@example.com", "jira-token"};
  testing::TempDir temp_;
  JiraSettings settings_;
};

TEST_F(JiraConsistencyCheckTest, MissingIssuesAreFetchedStoredAndPublished) {
  CheckReport report = check();
  EXPECT_EQ(report.jira_count, 3);
  EXPECT_EQ(report.missing, (Keys{"SUPPORT-1", "SUPPORT-2", "SUPPORT-3"}));
  EXPECT_EQ(report.repaired, 3);
  EXPECT_TRUE(report.succeeded());
  EXPECT_EQ(report.status(), "repaired");
  EXPECT_EQ(IssueStore(data()).keys(), (Keys{"SUPPORT-1", "SUPPORT-2", "SUPPORT-3"}));
  EXPECT_EQ(published(), (Keys{"SUPPORT-1", "SUPPORT-2", "SUPPORT-3"}));

  CheckReport again = check();
  EXPECT_TRUE(again.missing.empty());
  EXPECT_TRUE(again.stale.empty());
  EXPECT_EQ(again.stored_count, 3);
  EXPECT_EQ(again.published_count, 3);
  EXPECT_EQ(again.status(), "ok");
}

TEST_F(JiraConsistencyCheckTest, AStaleIssueIsRefreshed) {
  check();
  fakes::FakeJiraIssue changed = issue("SUPPORT-2", 3);
  changed.summary = "Changed while a webhook was lost";
  jira_.update_issue(changed);
  CheckReport report = check();
  EXPECT_EQ(report.stale, Keys{"SUPPORT-2"});
  EXPECT_EQ(report.repaired, 1);
  EXPECT_EQ((*IssueStore(data()).get("SUPPORT-2"))["fields"]["summary"],
            "Changed while a webhook was lost");
}

TEST_F(JiraConsistencyCheckTest, AnIssueDeletedInJiraIsRemovedAfterA404) {
  check();
  jira_.delete_issue("SUPPORT-3");
  int asked_before = jira_.requests_to("/rest/api/3/issue/SUPPORT-3");
  CheckReport report = check();
  EXPECT_EQ(report.gone, Keys{"SUPPORT-3"});
  EXPECT_EQ(jira_.requests_to("/rest/api/3/issue/SUPPORT-3"), asked_before + 1)
      << "confirmed by Jira's 404";
  EXPECT_TRUE(IssueStore(data()).get("SUPPORT-3")->contains("_deleted_at"));
  EXPECT_EQ(published(), (Keys{"SUPPORT-1", "SUPPORT-2"}));
  EXPECT_TRUE(check().gone.empty()) << "a deleted document is not gone twice";
}

TEST_F(JiraConsistencyCheckTest, AStoredIssueOlderThanTheWindowIsNotGone) {
  jira_.add_issue(issue("SUPPORT-4", 100));
  ASSERT_EQ(check({true, false}).missing.size(), 4u) << "the deep check stores SUPPORT-4";
  int asked = jira_.requests_to("/rest/api/3/issue/SUPPORT-4");
  CheckReport report = check();
  EXPECT_EQ(jira_.requests_to("/rest/api/3/issue/SUPPORT-4"), asked) << "not even asked about";
  EXPECT_EQ(report.jira_count, 3);
  EXPECT_TRUE(report.gone.empty());
  EXPECT_FALSE(IssueStore(data()).get("SUPPORT-4")->contains("_deleted_at"));
}

TEST_F(JiraConsistencyCheckTest, AStoredIssueMissingFromParquetIsRewrittenFromItsDocument) {
  check();
  IssueSync sync(settings_, data());
  jira_.add_issue(issue("OPS-9", 400));  // outside even the deep window
  sync.store().put("OPS-9", *sync.fetch("OPS-9"));
  int fetches = jira_.requests_to("/rest/api/3/issue/OPS-9");
  CheckReport report = check();
  EXPECT_EQ(report.parquet_gap, Keys{"OPS-9"});
  EXPECT_EQ(report.repaired, 1);
  EXPECT_EQ(jira_.requests_to("/rest/api/3/issue/OPS-9"), fetches) << "nothing fetched";
  EXPECT_EQ(published(), (Keys{"OPS-9", "SUPPORT-1", "SUPPORT-2", "SUPPORT-3"}));
}

TEST_F(JiraConsistencyCheckTest, RepairsBeyondTheBudgetAreReportedAndLeftForTheNextRun) {
  settings_.consistency.max_repairs = 2;
  CheckReport report = check();
  EXPECT_EQ(report.missing.size(), 3u) << "all reported";
  EXPECT_EQ(report.repaired, 2);
  EXPECT_EQ(report.unrepaired, 1);
  EXPECT_EQ(report.status(), "over_budget");
  EXPECT_FALSE(report.succeeded());
  CheckReport next = check();
  EXPECT_EQ(next.missing, Keys{"SUPPORT-3"});
  EXPECT_TRUE(next.succeeded());
}

TEST_F(JiraConsistencyCheckTest, AFailedFetchIsReportedAsFailed) {
  jira_.fail_requests("/rest/api/3/issue/SUPPORT-2", 1, 500);
  CheckReport report = check();
  EXPECT_EQ(report.repaired, 2);
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed[0].rfind("SUPPORT-2: ", 0), 0u) << report.failed[0];
  EXPECT_EQ(report.status(), "failed");
}

TEST_F(JiraConsistencyCheckTest, TheDeepCheckSearchesAWiderWindowThanTheRegularOne) {
  jira_.add_issue(issue("SUPPORT-4", 100));
  CheckReport regular = check();
  CheckReport deep = check({true, false});
  ASSERT_EQ(jira_.search_requests().size(), 2u);
  std::string regular_jql = jira_.search_requests()[0]["jql"];
  std::string deep_jql = jira_.search_requests()[1]["jql"];
  auto day = std::chrono::floor<std::chrono::days>(now_utc());
  EXPECT_NE(regular_jql.find("created >= \"" + format_date(day - std::chrono::days(30)) + "\""),
            std::string::npos)
      << regular_jql;
  EXPECT_NE(deep_jql.find("created >= \"" + format_date(day - std::chrono::days(365)) + "\""),
            std::string::npos)
      << deep_jql;
  EXPECT_EQ(regular.window_days, 30);
  EXPECT_EQ(deep.window_days, 365);
  EXPECT_EQ(regular.jira_count, 3);
  EXPECT_EQ(deep.jira_count, 4);
  EXPECT_EQ(deep.missing, Keys{"SUPPORT-4"});
}

TEST_F(JiraConsistencyCheckTest, TheJqlIsScopedToTheConfiguredProject) {
  settings_.project = "SUPPORT";
  jira_.add_issue(issue("OPS-1", 2));
  CheckReport report = check();
  EXPECT_EQ(report.jira_count, 3);
  EXPECT_EQ(
      jira_.search_requests()[0]["jql"].get<std::string>().rfind("project = \"SUPPORT\" AND ", 0),
      0u);
}

TEST_F(JiraConsistencyCheckTest, ADryRunReportsWithoutFetchingOrWriting) {
  CheckReport report = check({false, true});
  EXPECT_EQ(report.missing.size(), 3u);
  EXPECT_EQ(report.repaired, 0);
  EXPECT_EQ(report.status(), "dry_run");
  EXPECT_TRUE(IssueStore(data()).keys().empty());
  EXPECT_EQ(jira_.requests_to("/rest/api/3/issue/"), 0);
}

TEST_F(JiraConsistencyCheckTest, TheRunIsRecordedWithItsCountsAndCappedLists) {
  settings_.consistency.max_repairs = 1;
  CheckReport report = check();
  for (int i = 0; i < 60; ++i)
    report.stale.push_back("X-" + std::to_string(i));
  store::StateStore store(temp_ / "state.db");
  ConsistencyRuns runs(store.database());
  EXPECT_FALSE(runs.latest());
  runs.record(report);
  nlohmann::json run = *runs.latest();
  EXPECT_EQ(run["mode"], "regular");
  EXPECT_EQ(run["window_days"], 30);
  EXPECT_EQ(run["counts"]["jira"], 3);
  EXPECT_EQ(run["counts"]["missing"], 3);
  EXPECT_EQ(run["counts"]["stale"], 60);
  EXPECT_EQ(run["stale"].size(), ConsistencyRuns::kListCap);
  EXPECT_EQ(run["missing"], (nlohmann::json{"SUPPORT-1", "SUPPORT-2", "SUPPORT-3"}));
  EXPECT_EQ(run["repaired"], 1);
  EXPECT_EQ(run["unrepaired"], 2);
  EXPECT_EQ(run["status"], "over_budget");
  runs.record(report, std::string("search failed"));
  EXPECT_EQ((*runs.latest())["status"], "failed");
  EXPECT_EQ((*runs.latest())["error"], "search failed");
}

}  // namespace
}  // namespace da::connectors::jira
