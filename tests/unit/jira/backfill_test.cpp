// The backfill against the fake Jira Cloud: every issue of a search over several pages fetched
// and written, 429 waited out, a failed run continued by fetching only what is missing, the
// scope of --since and --jql, and a dry run that writes nothing.
#include "jira/backfill/backfill.hpp"

#include <chrono>

#include "fakes/jira/fake_jira.hpp"
#include "jira/raw/issue_store.hpp"
#include "support/expect_error.hpp"
#include "support/parquet_column.hpp"
#include "support/temp_dir.hpp"
#include <fmt/core.h>
#include <gtest/gtest.h>


namespace da::connectors::jira {
namespace {

namespace fs = std::filesystem;

class JiraBackfillTest : public ::testing::Test {
 protected:
  JiraBackfillTest() {
    settings_.configured = true;
    settings_.account = {jira_.url(), "bot@example.com", "jira-token"};
    settings_.webhook_secret = "secret";
    settings_.retries = 0;
    settings_.parallel = 4;
  }

  // SUPPORT-101 ... SUPPORT-<100 + count>, created one per 10 days from 2026-01-01 (so
  // several months), each with a comment.
  void add_issues(int count, const std::string& project = "SUPPORT") {
    for (int i = 1; i <= count; ++i) {
      fakes::FakeJiraIssue issue;
      issue.key = fmt::format("{}-{}", project, 100 + i);
      issue.summary = "Summary of " + issue.key;
      issue.created = fmt::format("2026-{:02}-{:02}T10:00:00.000+0000", 1 + (i - 1) / 3,
                                  1 + ((i - 1) % 3) * 10);
      issue.comments = 1;
      jira_.add_issue(issue);
    }
  }

  BackfillReport backfill(BackfillOptions options = {}) {
    return run_backfill(settings_, temp_ / "data", options, false);
  }

  // The issue keys of a published table, sorted.
  std::vector<std::string> keys_in(const std::string& table) {
    return testing::parquet_column(temp_ / "data" / "parquet" / "jira" / table, "issue_key");
  }

  static std::vector<std::string> keys(const std::string& project, int from, int to) {
    std::vector<std::string> keys;
    for (int i = from; i <= to; ++i)
      keys.push_back(fmt::format("{}-{}", project, 100 + i));
    return keys;
  }

  // Requests about one issue (its key is no other key's prefix: SUPPORT-101 ... SUPPORT-199).
  int fetches_of(const std::string& key) const {
    return jira_.requests_to("/rest/api/3/issue/" + key);
  }

  fakes::FakeJira jira_{"bot@example.com", "jira-token"};
  testing::TempDir temp_;
  JiraSettings settings_;
};

TEST_F(JiraBackfillTest, EveryIssueOfSeveralSearchPagesIsStoredAndWrittenInBatches) {
  add_issues(25);
  jira_.set_page_cap(10);
  BackfillOptions options;
  options.batch_size = 7;
  BackfillReport report = backfill(options);
  EXPECT_EQ(report.jql, "ORDER BY created ASC");
  EXPECT_EQ(report.matched, 25);
  EXPECT_EQ(report.written, 25);
  EXPECT_TRUE(report.failed.empty());
  EXPECT_EQ(report.months_written,
            (std::set<std::string>{"2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
                                   "2026-07", "2026-08", "2026-09"}));
  EXPECT_EQ(jira_.search_requests().size(), 3u) << "25 issues in pages of 10";
  EXPECT_EQ(jira_.search_requests()[1]["nextPageToken"].is_string(), true);
  EXPECT_EQ(keys_in("issues"), keys("SUPPORT", 1, 25));
  EXPECT_EQ(keys_in("comments"), keys("SUPPORT", 1, 25));
  EXPECT_EQ(IssueStore(temp_ / "data").keys(), keys("SUPPORT", 1, 25));
}

TEST_F(JiraBackfillTest, TheSlaOverlayIsAppliedAsTheWorkerAppliesIt) {
  fakes::FakeJiraIssue issue;
  issue.key = "SUPPORT-101";
  issue.sla_fields = {{"customfield_10328", {{"name", "Time to first response"}}}};
  jira_.add_issue(issue);
  settings_.sla = JiraSettings::Account{jira_.sla_base_url(), "sla@example.com", "sla-token"};
  settings_.custom_fields.first_response = "customfield_10328";
  backfill();
  auto document = IssueStore(temp_ / "data").get("SUPPORT-101");
  ASSERT_TRUE(document.has_value());
  EXPECT_EQ((*document)["fields"]["customfield_10328"]["name"], "Time to first response");
}

TEST_F(JiraBackfillTest, A429WithRetryAfterIsWaitedOutAndNothingFails) {
  add_issues(6);
  settings_.retries = 2;
  jira_.fail_requests("/rest/api/3/search/jql", 1, 429, 1);
  jira_.fail_requests("/rest/api/3/issue/SUPPORT-103", 1, 429, 1);
  auto start = std::chrono::steady_clock::now();
  BackfillReport report = backfill();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(2))
      << "both Retry-After waits honoured";
  EXPECT_TRUE(report.failed.empty()) << report.failed.front();
  EXPECT_EQ(report.written, 6);
  EXPECT_EQ(keys_in("issues"), keys("SUPPORT", 1, 6));
}

TEST_F(JiraBackfillTest, AFailedRunIsContinuedByFetchingOnlyWhatIsMissing) {
  add_issues(20);
  jira_.fail_requests("/rest/api/3/issue/SUPPORT-112", 1, 503);
  BackfillOptions options;
  options.batch_size = 5;
  BackfillReport first = backfill(options);
  ASSERT_EQ(first.failed.size(), 1u);
  EXPECT_EQ(first.failed[0].substr(0, 13), "SUPPORT-112: ") << first.failed[0];
  EXPECT_EQ(first.written, 19);
  int before = jira_.requests_to("/rest/api/3/issue/");
  int before_missing = fetches_of("SUPPORT-112");
  BackfillReport second = backfill(options);
  EXPECT_TRUE(second.failed.empty());
  EXPECT_EQ(second.up_to_date, 19);
  EXPECT_EQ(second.written, 1);
  EXPECT_EQ(jira_.requests_to("/rest/api/3/issue/") - before,
            fetches_of("SUPPORT-112") - before_missing)
      << "only the missing issue was fetched";
  EXPECT_EQ(keys_in("issues"), keys("SUPPORT", 1, 20));
}

TEST_F(JiraBackfillTest, AnIssueUpdatedInJiraIsFetchedAgainAndRefetchFetchesEveryIssue) {
  add_issues(4);
  backfill();
  fakes::FakeJiraIssue changed;
  changed.key = "SUPPORT-102";
  changed.summary = "Changed";
  changed.created = "2026-01-11T10:00:00.000+0000";
  jira_.update_issue(changed);
  int before = fetches_of("SUPPORT-101");
  BackfillReport second = backfill();
  EXPECT_EQ(second.up_to_date, 3);
  EXPECT_EQ(second.written, 1);
  EXPECT_EQ((*IssueStore(temp_ / "data").get("SUPPORT-102"))["fields"]["summary"], "Changed");
  EXPECT_EQ(fetches_of("SUPPORT-101"), before);
  BackfillOptions options;
  options.refetch = true;
  BackfillReport third = backfill(options);
  EXPECT_EQ(third.up_to_date, 0);
  EXPECT_EQ(third.written, 4);
  EXPECT_GT(fetches_of("SUPPORT-101"), before);
}

TEST_F(JiraBackfillTest, SinceAndJqlLimitWhatIsFetched) {
  add_issues(9);
  add_issues(2, "OPS");
  BackfillOptions since;
  since.since = "2026-02-11";
  BackfillReport report = backfill(since);
  EXPECT_EQ(report.jql, "created >= \"2026-02-11\" ORDER BY created ASC");
  EXPECT_EQ(keys_in("issues"),
            (std::vector<std::string>{"SUPPORT-105", "SUPPORT-106", "SUPPORT-107", "SUPPORT-108",
                                      "SUPPORT-109"}));
  BackfillOptions jql;
  jql.jql = "project = OPS";
  EXPECT_EQ(backfill(jql).written, 2);
  EXPECT_EQ(keys_in("issues").front(), "OPS-101");
  EXPECT_EQ(keys_in("issues").size(), 7u);
  settings_.project = "SUPPORT";
  EXPECT_EQ(backfill_jql(settings_, since),
            "project = \"SUPPORT\" AND created >= \"2026-02-11\" ORDER BY created ASC");
  jql.jql = "project = OPS ORDER BY key DESC";
  EXPECT_EQ(backfill_jql(settings_, jql), "project = OPS ORDER BY key DESC");
}

TEST_F(JiraBackfillTest, ABadSinceOrSinceWithJqlIsAUsageError) {
  BackfillOptions options;
  options.since = "2026-13-45";
  EXPECT_NE(testing::thrown_message(ErrorKind::kConfig, [&] { backfill_jql(settings_, options); })
                .find("--since 2026-13-45: not a date (YYYY-MM-DD)"),
            std::string::npos);
  options.since = "2026-01-01";
  options.jql = "project = OPS";
  EXPECT_NE(testing::thrown_message(ErrorKind::kConfig, [&] { backfill_jql(settings_, options); })
                .find("--since cannot be combined with --jql"),
            std::string::npos);
}

TEST_F(JiraBackfillTest, ADryRunCountsAndWritesNothing) {
  add_issues(5);
  BackfillOptions options;
  options.dry_run = true;
  BackfillReport report = backfill(options);
  EXPECT_EQ(report.matched, 5);
  EXPECT_EQ(report.to_fetch, 5);
  EXPECT_EQ(report.written, 0);
  EXPECT_EQ(jira_.requests_to("/rest/api/3/issue/"), 0);
  EXPECT_FALSE(fs::exists(temp_ / "data")) << "nothing created";
}

TEST_F(JiraBackfillTest, GivenKeysAreFetchedAndOneJiraDoesNotKnowFails) {
  add_issues(3);
  BackfillOptions options;
  options.keys = {"SUPPORT-102", "SUPPORT-999"};
  BackfillReport report = backfill(options);
  EXPECT_EQ(report.jql, "");
  EXPECT_EQ(jira_.search_requests().size(), 0u);
  EXPECT_EQ(report.written, 1);
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_NE(report.failed[0].find("SUPPORT-999: Jira answers 404"), std::string::npos)
      << report.failed[0];
  EXPECT_EQ(keys_in("issues"), (std::vector<std::string>{"SUPPORT-102"}));
  options.keys = {"support-1"};
  EXPECT_NE(testing::thrown_message(ErrorKind::kConfig, [&] { backfill(options); })
                .find("--issue support-1: not an issue key"),
            std::string::npos);
}

}  // namespace
}  // namespace da::connectors::jira
