// `da jira check` and `da jira sla-poll` in the real binary against the fake Jira Cloud: the
// repairs, the exit status when the budget is exceeded, the report `da jira status` shows, and
// the periodic jobs `da schedule` lists.
#include "fakes/jira/fake_jira.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "da/common/time.hpp"

namespace da {
namespace {

using testing::ProcessOptions;
using testing::ProcessResult;

class JiraCheckCliTest : public ::testing::Test {
 protected:
  JiraCheckCliTest() {
    auto day = std::chrono::floor<std::chrono::days>(now_utc()) - std::chrono::days(2);
    for (const char* key : {"SUPPORT-1", "SUPPORT-2", "SUPPORT-3"}) {
      fakes::FakeJiraIssue issue;
      issue.key = key;
      issue.created = format_date(day) + "T10:00:00.000+0000";
      issue.sla_fields = {{"customfield_10328", {{"name", "Time to first response"}}}};
      issue.fields = issue.sla_fields;
      jira_.add_issue(issue);
    }
  }

  void write_instance(const std::string& extra = "") {
    dir_.write("config/instance.yaml",
               "instance: {name: Test}\npaths: {data_dir: ./data, catalog_dir: ./docs}\n"
               "jira:\n"
               "  base_url: " +
                   jira_.url() +
                   "\n"
                   "  email: bot@example.com\n"
                   "  api_token: ${JIRA_API_TOKEN}\n"
                   "  webhook_secret: ${JIRA_WEBHOOK_SECRET}\n"
                   "  custom_fields: {first_response: customfield_10328}\n"
                   "  requests: {retries: 0}\n" +
                   extra);
    dir_.write("docs/data_description.md",
               "```yaml\ntables:\n  - {id: in.c-a.t, name: t, description: x, primary_key: id, "
               "sync_strategy: full_refresh}\n```\n");
  }

  ProcessResult da(const std::vector<std::string>& args) {
    ProcessOptions options;
    options.env = {{"JIRA_API_TOKEN", "jira-token"}, {"JIRA_WEBHOOK_SECRET", "secret-0123456789"}};
    options.env["DA_CONFIG_DIR"] = (dir_ / "config").string();
    options.unset_env = {"JIRA_API_TOKEN", "JIRA_WEBHOOK_SECRET"};
    options.working_dir = dir_.path();
    return testing::run_da(args, options);
  }

  fakes::FakeJira jira_{"bot@example.com", "jira-token"};
  testing::TempDir dir_;
};

TEST_F(JiraCheckCliTest, ACheckRepairsWhatIsMissingAndStatusShowsItsReport) {
  write_instance();
  ProcessResult check = da({"jira", "check"});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("missing: 3 (SUPPORT-1, SUPPORT-2, SUPPORT-3)"), std::string::npos)
      << check.out;
  EXPECT_NE(check.out.find("repaired: 3, failed: 0"), std::string::npos) << check.out;
  ProcessResult status = da({"jira", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("(regular, 30 days): jira 3, stored 0, published 0; missing 3"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("repaired 3, failed 0, left over 0; repaired"), std::string::npos)
      << status.out;
  ProcessResult json = da({"--json", "jira", "status"});
  nlohmann::json body = nlohmann::json::parse(json.out);
  EXPECT_EQ(body["consistency_check"]["status"], "repaired");

  ProcessResult again = da({"--json", "jira", "check", "--deep"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  nlohmann::json deep = nlohmann::json::parse(again.out);
  EXPECT_EQ(deep["mode"], "deep");
  EXPECT_EQ(deep["window_days"], 365);
  EXPECT_EQ(deep["counts"]["stored"], 3);
  EXPECT_EQ(deep["counts"]["published"], 3);
  EXPECT_EQ(deep["status"], "ok");
}

TEST_F(JiraCheckCliTest, ACheckBeyondItsBudgetExitsOne) {
  write_instance("  consistency: {max_repairs: 2}\n");
  ProcessResult check = da({"jira", "check"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_NE(check.out.find("left for the next run: 1; status over_budget"), std::string::npos)
      << check.out;
  EXPECT_EQ(da({"jira", "check"}).exit_code, 0) << "the next run takes the rest";
}

TEST_F(JiraCheckCliTest, TheSlaPollRefreshesTheOpenIssues) {
  write_instance();
  ASSERT_EQ(da({"jira", "check"}).exit_code, 0);
  ProcessResult poll = da({"jira", "sla-poll"});
  EXPECT_EQ(poll.exit_code, 0) << poll.out << poll.err;
  EXPECT_NE(poll.out.find("3 open issue(s) with SLA fields: updated 3"), std::string::npos)
      << poll.out;
}

TEST_F(JiraCheckCliTest, TheJobsAreListedWithTheirTimersAndSchedules) {
  write_instance("  consistency: {deep_schedule: 'Sat 04:00'}\n");
  ProcessResult list = da({"schedule", "--list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const char* line :
       {"jira-check da-jira-check.timer\n", "jira-check-deep da-jira-check-deep.timer\n",
        "jira-sla-poll da-jira-sla-poll.timer\n"})
    EXPECT_NE(list.out.find(line), std::string::npos) << list.out;
  ProcessResult dropin = da({"schedule", "--systemd", "jira-check-deep"});
  ASSERT_EQ(dropin.exit_code, 0) << dropin.err;
  EXPECT_NE(dropin.out.find("OnCalendar=\nOnCalendar=Sat 04:00\n"), std::string::npos)
      << dropin.out;
  ProcessResult poll = da({"schedule", "--systemd", "jira-sla-poll"});
  EXPECT_NE(poll.out.find("OnCalendar=*:0/15\n"), std::string::npos) << poll.out;
}

// With the connector configured, da status expects the jobs' timers (where it is not, setup leaves
// them disabled and status does not look for them: OperationsCli.StatusReports...).
TEST_F(JiraCheckCliTest, StatusChecksTheJobsTimersWhereTheConnectorIsConfigured) {
  write_instance();
  nlohmann::json status = nlohmann::json::parse(da({"--json", "status"}).out);
  std::string jobs = status["jobs"].dump();
  for (const char* name :
       {"\"sync\"", "\"jira-check\"", "\"jira-check-deep\"", "\"jira-sla-poll\""})
    EXPECT_NE(jobs.find(name), std::string::npos) << jobs;
}

}  // namespace
}  // namespace da
