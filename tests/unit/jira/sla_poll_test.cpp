// The SLA poll against the fake Jira Cloud's SLA account: open issues refreshed, one Done since
// healed, Done ones left alone, an answer without SLA data skipped, a 429 waited out.
#include "jira/check/sla_poll.hpp"

#include <thread>

#include "fakes/jira/fake_jira.hpp"
#include "jira/check/consistency_check.hpp"
#include "jira/raw/issue_store.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"

namespace da::connectors::jira {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Keys = std::vector<std::string>;

constexpr const char* kFirstResponse = "customfield_10328";

Json sla_value(int64_t elapsed_millis) {
  return {{"name", "Time to first response"},
          {"completedCycles", Json::array()},
          {"ongoingCycle", {{"breached", false}, {"elapsedTime", {{"millis", elapsed_millis}}}}}};
}

class JiraSlaPollTest : public ::testing::Test {
 protected:
  JiraSlaPollTest() {
    settings_.configured = true;
    settings_.account = {jira_.url(), "bot@example.com", "jira-token"};
    settings_.sla = JiraSettings::Account{jira_.sla_base_url(), "sla@example.com", "sla-token"};
    settings_.webhook_secret = "secret";
    settings_.retries = 2;
    settings_.custom_fields.first_response = kFirstResponse;
    jira_.add_issue(issue("SUPPORT-1", "To Do", 1000));
    jira_.add_issue(issue("SUPPORT-2", "In Progress", 1000));
    jira_.add_issue(issue("SUPPORT-3", "Done", 1000));
    jira_.add_issue(issue("SUPPORT-4", "To Do", 1000));
    run_consistency_check(settings_, data(), {}, now_utc());  // stores and publishes them
  }

  fakes::FakeJiraIssue issue(const std::string& key, const std::string& category, int64_t elapsed) {
    fakes::FakeJiraIssue issue;
    issue.key = key;
    auto day = std::chrono::floor<std::chrono::days>(now_utc()) - std::chrono::days(2);
    issue.created = format_date(day) + "T10:00:00.000+0000";
    issue.status = category == "Done" ? "Closed" : "Open";
    issue.status_category = category;
    issue.sla_fields = {{kFirstResponse, sla_value(elapsed)}};
    return issue;
  }

  fs::path data() const { return temp_ / "data"; }

  std::string published_status(const std::string& key) {
    duck::Database database;
    duck::Connection connection(database);
    fs::path files = data() / "parquet" / "jira" / "issues" / "*.parquet";
    return connection
        .query("SELECT status_category FROM read_parquet('" + files.string() +
               "') WHERE issue_key = '" + key + "'")
        .fetch_all()
        .at(0)
        .at(0)
        .to_string();
  }

  fakes::FakeJira jira_{"bot@example.com", "jira-token"};
  testing::TempDir temp_;
  JiraSettings settings_;
};

TEST_F(JiraSlaPollTest, OpenIssuesAreRefreshedOneDoneSinceIsHealedAndDoneOnesAreLeftAlone) {
  jira_.add_issue(issue("SUPPORT-1", "To Do", 5000));
  jira_.add_issue(issue("SUPPORT-2", "Done", 7000));  // its webhook was lost
  fakes::FakeJiraIssue no_sla = issue("SUPPORT-4", "To Do", 0);
  no_sla.sla_fields = {{kFirstResponse, {{"errorMessage", "no SLA"}}}};
  jira_.add_issue(no_sla);
  SlaPollReport report = run_sla_poll(settings_, data(), false);
  EXPECT_EQ(report.open, 3) << "SUPPORT-3 is Done";
  EXPECT_EQ(report.updated, Keys{"SUPPORT-1"});
  EXPECT_EQ(report.healed, Keys{"SUPPORT-2"});
  EXPECT_EQ(report.skipped, Keys{"SUPPORT-4"});
  EXPECT_TRUE(report.failed.empty());
  EXPECT_EQ(jira_.requests_to("/ex/jira/fake-cloud-id/rest/api/3/issue/SUPPORT-3"), 1)
      << "only the first fetch";
  IssueStore store(data());
  EXPECT_EQ((*store.get("SUPPORT-1"))["fields"][kFirstResponse], sla_value(5000));
  EXPECT_EQ((*store.get("SUPPORT-2"))["fields"]["status"]["statusCategory"]["name"], "Done");
  EXPECT_EQ(published_status("SUPPORT-2"), "Done");
  EXPECT_EQ(published_status("SUPPORT-1"), "To Do");
}

TEST_F(JiraSlaPollTest, ADocumentTheWorkerStoresDuringTheFetchKeepsItsChanges) {
  jira_.add_issue(issue("SUPPORT-1", "To Do", 5000));
  jira_.delay_requests("/ex/jira/fake-cloud-id/rest/api/3/issue/SUPPORT-1",
                       std::chrono::milliseconds(600));
  std::thread worker([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    IssueStore store(data());
    Json document = *store.get("SUPPORT-1");
    document["fields"]["summary"] = "Stored by the worker meanwhile";
    store.put("SUPPORT-1", document);
  });
  SlaPollReport report = run_sla_poll(settings_, data(), false);
  worker.join();
  EXPECT_EQ(report.updated, (Keys{"SUPPORT-1", "SUPPORT-2", "SUPPORT-4"}));
  Json stored = *IssueStore(data()).get("SUPPORT-1");
  EXPECT_EQ(stored["fields"]["summary"], "Stored by the worker meanwhile");
  EXPECT_EQ(stored["fields"][kFirstResponse], sla_value(5000));
}

TEST_F(JiraSlaPollTest, A429IsWaitedOutWithinTheClientsRetries) {
  jira_.fail_requests("/ex/jira/fake-cloud-id/rest/api/3/issue/SUPPORT-1", 1, 429, 1);
  SlaPollReport report = run_sla_poll(settings_, data(), false);
  EXPECT_TRUE(report.failed.empty()) << report.failed[0];
  EXPECT_EQ(report.updated, (Keys{"SUPPORT-1", "SUPPORT-2", "SUPPORT-4"}));
}

TEST_F(JiraSlaPollTest, A429BeyondTheRetriesFailsTheIssueOnly) {
  jira_.fail_requests("/ex/jira/fake-cloud-id/rest/api/3/issue/SUPPORT-1", 10, 429, 0);
  SlaPollReport report = run_sla_poll(settings_, data(), false);
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed[0].rfind("SUPPORT-1: ", 0), 0u);
  EXPECT_EQ(report.updated, (Keys{"SUPPORT-2", "SUPPORT-4"}));
}

TEST_F(JiraSlaPollTest, AnIssueDeletedInJiraFails) {
  jira_.delete_issue("SUPPORT-4");
  SlaPollReport report = run_sla_poll(settings_, data(), false);
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed[0].rfind("SUPPORT-4: ", 0), 0u);
}

TEST_F(JiraSlaPollTest, IssuesBeyondTheBoundAreLeftForTheNextRun) {
  settings_.sla_poll_max_issues = 2;
  SlaPollReport report = run_sla_poll(settings_, data(), false);
  EXPECT_EQ(report.open, 3);
  EXPECT_EQ(report.updated.size(), 2u);
  EXPECT_EQ(report.deferred, 1);
}

}  // namespace
}  // namespace da::connectors::jira
