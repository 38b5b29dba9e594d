// The Jira connector end to end with the real binaries: Jira (the fake Jira Cloud) posts a
// signed webhook to `da serve`, which answers 202 with the event already in the state store;
// `da jira worker` then fetches the issue and publishes it, and a jira:issue_deleted removes it.
#include <regex>
#include <thread>

#include "fakes/jira/fake_jira.hpp"
#include "support/background_process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "da/common/atomic_file.hpp"
#include "da/common/crypto.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/net/http_client.hpp"
#include "da/store/state_store.hpp"

namespace da {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Json = nlohmann::json;

constexpr const char* kSecret = "end-to-end-webhook-secret-0123456789";

std::string hex_signature(const std::string& body) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex = "sha256=";
  for (unsigned char byte : hmac_sha256(kSecret, body)) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

class JiraWebhookEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fakes::FakeJiraIssue issue;
    issue.key = "SUPPORT-14991";
    issue.summary = "Printer on fire";
    issue.comments = 3;
    jira_.add_issue(issue);
    temp_.write("docs/data_description.md", "# Tables\n```yaml\ntables: []\n```\n");
    temp_.write("config/instance.yaml",
                "instance: {name: Test}\n"
                "server: {hostname: 127.0.0.1, base_url: 'http://127.0.0.1', listen: "
                "'127.0.0.1:0'}\n"
                "auth:\n  allowed_domain: example.com\n"
                "  webapp_secret_key: 0123456789abcdef0123456789abcdef01\n"
                "paths: {data_dir: ./data, docs_dir: ./docs}\n"
                "jira:\n  base_url: " +
                    jira_.url() +
                    "\n  email: bot@example.com\n  api_token: ${JIRA_API_TOKEN}\n"
                    "  webhook_secret: ${JIRA_WEBHOOK_SECRET}\n");
    options_.env = {{"JIRA_API_TOKEN", "jira-token"}, {"JIRA_WEBHOOK_SECRET", kSecret}};
    portal_.emplace(testing::da_command({"--config", (temp_ / "config").string(), "serve"}),
                    temp_ / "portal.log", options_);
    std::smatch match;
    for (int i = 0; i < 400 && port_ == 0; ++i) {
      std::string log = portal_->output();
      if (std::regex_search(log, match, std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)")))
        port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
      ASSERT_TRUE(portal_->running()) << log;
      std::this_thread::sleep_for(50ms);
    }
    ASSERT_NE(port_, 0) << portal_->output();
  }

  net::HttpResponse deliver(const std::string& event) {
    std::string body =
        Json{{"timestamp", 1733630000000},
             {"webhookEvent", event},
             {"issue", {{"id", jira_.issue_id("SUPPORT-14991")}, {"key", "SUPPORT-14991"}}}}
            .dump();
    net::HttpRequest request;
    request.method = "POST";
    request.url = "http://127.0.0.1:" + std::to_string(port_) + "/webhooks/jira";
    request.body = body;
    request.headers = {{"Content-Type", "application/json"},
                       {"X-Hub-Signature-256", hex_signature(body)}};
    request.total_timeout = 10s;
    return net::HttpClient().send(request);
  }

  std::string event_states() {
    store::StateStore store(temp_ / "data" / "state.db");
    auto rows = store.database().prepare("SELECT state FROM jira_webhook_events ORDER BY id");
    std::string states;
    while (rows.step())
      states += (states.empty() ? "" : " ") + rows.column_text(0);
    return states;
  }

  // Runs `da jira worker` until every event is done (at most 60 s).
  void run_worker_until_done() {
    testing::BackgroundProcess worker(
        testing::da_command({"--config", (temp_ / "config").string(), "jira", "worker"}),
        temp_ / "worker.log", options_);
    for (int i = 0; i < 600; ++i) {
      std::string states = event_states();
      if (states.find("pending") == std::string::npos &&
          states.find("processing") == std::string::npos)
        break;
      ASSERT_TRUE(worker.running()) << worker.output();
      std::this_thread::sleep_for(100ms);
    }
    worker.stop();
  }

  std::vector<std::string> published_keys() {
    fs::path folder = temp_ / "data" / "parquet" / "jira" / "issues";
    duck::Database database;
    duck::Connection connection(database);
    std::vector<std::string> keys;
    if (!fs::exists(folder)) return keys;
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (entry.path().extension() != ".parquet") continue;
      for (const auto& row :
           connection.query("SELECT issue_key FROM read_parquet('" + entry.path().string() + "')")
               .fetch_all())
        keys.push_back(row[0].to_string());
    }
    return keys;
  }

  fakes::FakeJira jira_{"bot@example.com", "jira-token"};
  testing::TempDir temp_;
  testing::BackgroundOptions options_;
  std::optional<testing::BackgroundProcess> portal_;
  uint16_t port_ = 0;
};

TEST_F(JiraWebhookEndToEndTest, AWebhookIsQueuedAtOnceAndTheWorkerPublishesAndDeletesTheIssue) {
  auto answer = deliver("jira:issue_updated");
  ASSERT_EQ(answer.status, 202) << answer.body << portal_->output();
  EXPECT_EQ(event_states(), "pending") << "committed before the answer";
  EXPECT_EQ(jira_.requests_to("/rest/api/3/issue"), 0) << "nothing fetched in the request";
  ASSERT_EQ(deliver("comment_deleted").status, 202);

  run_worker_until_done();
  EXPECT_EQ(event_states(), "done done");
  EXPECT_EQ(published_keys(), std::vector<std::string>{"SUPPORT-14991"});
  Json document =
      Json::parse(read_file(temp_ / "data" / "raw" / "jira" / "issues" / "SUPPORT-14991.json"));
  EXPECT_EQ(document["fields"]["comment"]["total"], 3);

  jira_.delete_issue("SUPPORT-14991");
  ASSERT_EQ(deliver("jira:issue_deleted").status, 202);
  run_worker_until_done();
  EXPECT_EQ(event_states(), "done done done");
  EXPECT_TRUE(published_keys().empty());
  document =
      Json::parse(read_file(temp_ / "data" / "raw" / "jira" / "issues" / "SUPPORT-14991.json"));
  EXPECT_TRUE(document.contains("_deleted_at"));
  EXPECT_EQ(portal_->output().find(kSecret), std::string::npos);
}

}  // namespace
}  // namespace da
