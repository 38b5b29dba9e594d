// The Jira connector's commands in the real `da` binary: the section checked by `da config
// check`, `da jira status` and `retry-failed` on the queue, and `da jira worker` as its unit
// runs it.
#include <thread>

#include "support/background_process.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "da/store/state_store.hpp"

namespace da {
namespace {

using testing::ProcessOptions;
using testing::ProcessResult;

constexpr const char* kSection =
    "jira:\n"
    "  base_url: https://acme.atlassian.net\n"
    "  email: bot@acme.com\n"
    "  api_token: ${JIRA_API_TOKEN}\n"
    "  webhook_secret: ${JIRA_WEBHOOK_SECRET}\n";

class JiraCliTest : public ::testing::Test {
 protected:
  void write_instance(const std::string& extra) {
    dir_.write("config/instance.yaml",
               "instance: {name: Test}\npaths: {data_dir: ./data, catalog_dir: ./docs}\n" + extra);
    dir_.write("docs/data_description.md",
               "```yaml\ntables:\n  - {id: in.c-a.t, name: t, description: x, primary_key: id, "
               "sync_strategy: full_refresh}\n```\n");
  }

  ProcessResult da(const std::vector<std::string>& args,
                   std::map<std::string, std::string> env = {
                       {"JIRA_API_TOKEN", "token-0123456789"},
                       {"JIRA_WEBHOOK_SECRET", "secret-0123456789"}}) {
    ProcessOptions options;
    options.env = std::move(env);
    options.env["DA_CONFIG_DIR"] = (dir_ / "config").string();
    options.unset_env = {"JIRA_API_TOKEN", "JIRA_WEBHOOK_SECRET"};
    options.working_dir = dir_.path();
    return testing::run_da(args, options);
  }

  testing::TempDir dir_;
};

TEST_F(JiraCliTest, ConfigCheckRefusesASectionWithoutAWebhookSecret) {
  write_instance(kSection);
  ProcessResult result =
      da({"config", "check", "--for", "engine"}, {{"JIRA_API_TOKEN", "token-0123456789"}});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE((result.out + result.err)
                .find("instance.yaml:7: jira.webhook_secret: is required (write "
                      "${JIRA_WEBHOOK_SECRET}: webhooks are never accepted unsigned)"),
            std::string::npos)
      << result.out << result.err;
  ProcessResult ok = da({"config", "check", "--for", "engine"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
}

TEST_F(JiraCliTest, StatusShowsTheQueueAndRetryFailedPutsFailedEventsBack) {
  write_instance(kSection);
  {
    // A failed event and a pending one, as the worker leaves them.
    store::StateStore store(dir_ / "data" / "state.db");
    store.database().execute(
        "INSERT INTO jira_webhook_events (received_at, event, action, issue_key, body, state, "
        "attempts, next_attempt_at, last_error, processed_at) VALUES "
        "(1800000000000000, 'jira:issue_updated', 'fetch', 'SUPPORT-1', '{}', 'failed', 1, "
        "1800000000000000, 'Jira answered 503 Service Unavailable', 1800000001000000), "
        "(1800000002000000, 'comment_deleted', 'fetch', 'SUPPORT-2', '{}', 'pending', 0, "
        "1800000002000000, NULL, NULL)");
  }
  ProcessResult status = da({"jira", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("jira: https://acme.atlassian.net (Parquet folder jira)"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("queue: 1 pending, 0 processing, 0 done, 1 failed"), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("(SUPPORT-1, 1 attempt(s), failed): Jira answered 503"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("comment_deleted"), std::string::npos) << status.out;
  ProcessResult json = da({"--json", "jira", "status", "--limit", "1"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json body = nlohmann::json::parse(json.out);
  EXPECT_EQ(body["status"], "degraded");
  EXPECT_EQ(body["queue"]["failed"], 1);
  EXPECT_EQ(body["recent"].size(), 1u);
  EXPECT_EQ(body["recent"][0]["issue"], "SUPPORT-2");
  ProcessResult retried = da({"jira", "retry-failed"});
  EXPECT_EQ(retried.out, "1 failed event(s) pending again\n") << retried.err;
  EXPECT_NE(da({"jira", "status"}).out.find("queue: 2 pending, 0 processing, 0 done, 0 failed"),
            std::string::npos);
}

TEST_F(JiraCliTest, TheWorkerRefusesToStartWithoutTheSection) {
  write_instance("");
  ProcessResult result = da({"jira", "worker"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("the Jira connector is off"), std::string::npos) << result.err;
  ProcessResult status = da({"jira", "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("jira: not configured"), std::string::npos) << status.out;
}

TEST_F(JiraCliTest, TheWorkerRunsUntilSigtermAndExitsCleanly) {
  write_instance(kSection);
  testing::BackgroundOptions options;
  options.env = {{"DA_CONFIG_DIR", (dir_ / "config").string()},
                 {"JIRA_API_TOKEN", "token-0123456789"},
                 {"JIRA_WEBHOOK_SECRET", "secret-0123456789"}};
  testing::BackgroundProcess worker({DA_BINARY, "jira", "worker"}, dir_ / "worker.log", options);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (worker.output().find("jira worker started") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline && worker.running())
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_NE(worker.output().find("jira worker started (https://acme.atlassian.net)"),
            std::string::npos)
      << worker.output();
  int status = worker.stop();
  EXPECT_TRUE(WIFEXITED(status)) << worker.output();
  EXPECT_EQ(WEXITSTATUS(status), 0) << worker.output();
  EXPECT_NE(worker.output().find("jira worker stopped"), std::string::npos) << worker.output();
  EXPECT_EQ(worker.output().find("secret-0123456789"), std::string::npos);
}

}  // namespace
}  // namespace da
