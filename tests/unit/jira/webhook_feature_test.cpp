// POST /webhooks/jira and GET /webhooks/jira/health on a real portal over 127.0.0.1.
#include "jira/check/consistency_runs.hpp"
#include "jira/webhook/signature.hpp"
#include "unit/web/portal_fixture.hpp"

#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::connectors::jira {
namespace {

using Json = nlohmann::json;

constexpr const char* kSecret = "webhook-secret-for-tests-0123456789";

class JiraWebhookTest : public web::PortalFixture {
 protected:
  std::string extra_yaml() const override {
    return std::string(
               "jira:\n  base_url: https://acme.atlassian.net\n  email: bot@acme.com\n"
               "  api_token: api-token-for-tests-0123456789\n  webhook_secret: ") +
           kSecret + "\n  webhook: {max_body_kb: 2}\n";
  }

  static std::string payload(const std::string& event, const std::string& key = "SUPPORT-14991") {
    return Json{{"timestamp", 1733630000000},
                {"webhookEvent", event},
                {"issue", {{"id", "10001"}, {"key", key}, {"fields", {{"summary", "Printer"}}}}}}
        .dump();
  }

  // Posts `body` as Jira does: JSON, signed in `header` (none when empty).
  net::HttpResponse deliver(const std::string& body,
                            const std::string& header = "X-Hub-Signature-256",
                            std::string signature = "") {
    if (signature.empty()) signature = webhook_signature(kSecret, body);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!header.empty()) headers.emplace_back(header, signature);
    return call("POST", "/webhooks/jira", "", body, "application/json; charset=UTF-8", headers);
  }

  // The queued events as the table holds them: "<event> <issue> <action> <state>".
  std::vector<std::string> queued() {
    store::StateStore store(config_.paths.state_db);
    auto rows = store.database().prepare(
        "SELECT event, issue_key, action, state FROM jira_webhook_events ORDER BY id");
    std::vector<std::string> found;
    while (rows.step())
      found.push_back(rows.column_text(0) + " " + rows.column_text(1) + " " + rows.column_text(2) +
                      " " + rows.column_text(3));
    return found;
  }
};

TEST_F(JiraWebhookTest, ASignedEventIsStoredBeforeThe202Arrives) {
  std::string body = payload("jira:issue_updated");
  auto answer = deliver(body);
  ASSERT_EQ(answer.status, 202) << answer.body;
  Json reply = Json::parse(answer.body);
  EXPECT_EQ(reply["status"], "queued");
  EXPECT_EQ(reply["event"], "jira:issue_updated");
  EXPECT_EQ(reply["issue"], "SUPPORT-14991");
  // Read right after the answer, from another connection: the row is committed.
  store::StateStore store(config_.paths.state_db);
  auto row = store.database().prepare("SELECT id, body, state, attempts FROM jira_webhook_events");
  ASSERT_TRUE(row.step());
  EXPECT_EQ(row.column_int(0), reply["id"].get<int64_t>());
  EXPECT_EQ(row.column_text(1), body) << "the raw body, as signed";
  EXPECT_EQ(row.column_text(2), "pending");
  EXPECT_EQ(row.column_int(3), 0);
}

TEST_F(JiraWebhookTest, AMissingOrWrongSignatureIs401AndQueuesNothing) {
  std::string body = payload("jira:issue_deleted");
  auto missing = deliver(body, "");
  EXPECT_EQ(missing.status, 401);
  EXPECT_NE(missing.body.find("missing signature"), std::string::npos) << missing.body;
  EXPECT_EQ(deliver(body, "X-Hub-Signature-256", webhook_signature("not the secret", body)).status,
            401);
  EXPECT_EQ(deliver(body, "X-Hub-Signature", webhook_signature(kSecret, body + " ")).status, 401);
  EXPECT_EQ(deliver(body, "X-Hub-Signature-256", "sha256=").status, 401);
  EXPECT_EQ(deliver(body, "X-Signature", webhook_signature(kSecret, body)).status, 401)
      << "only the two headers count";
  EXPECT_TRUE(queued().empty());
}

TEST_F(JiraWebhookTest, BothHeadersAreAcceptedWithAndWithoutThePrefix) {
  std::string body = payload("jira:issue_created");
  std::string hex = webhook_signature(kSecret, body).substr(7);
  EXPECT_EQ(deliver(body, "X-Hub-Signature-256", "sha256=" + hex).status, 202);
  EXPECT_EQ(deliver(body, "X-Hub-Signature-256", hex).status, 202);
  EXPECT_EQ(deliver(body, "X-Hub-Signature", "sha256=" + hex).status, 202);
  EXPECT_EQ(deliver(body, "X-Hub-Signature", hex).status, 202);
  EXPECT_EQ(queued().size(), 4u);
}

TEST_F(JiraWebhookTest, ABodyOverTheLimitIs413) {
  Json big = Json::parse(payload("jira:issue_updated"));
  big["issue"]["fields"]["description"] = std::string(3000, 'x');
  auto answer = deliver(big.dump());
  EXPECT_EQ(answer.status, 413) << answer.body;
  EXPECT_NE(answer.body.find("jira.webhook.max_body_kb allows 2 KiB"), std::string::npos)
      << answer.body;
  EXPECT_TRUE(queued().empty());
}

TEST_F(JiraWebhookTest, BodiesThatAreNoEventAre400NamingTheProblem) {
  auto invalid = deliver("{\"webhookEvent\": ");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_NE(invalid.body.find("invalid JSON payload"), std::string::npos) << invalid.body;
  auto empty = deliver("");
  EXPECT_EQ(empty.status, 400);
  EXPECT_NE(empty.body.find("empty body"), std::string::npos) << empty.body;
  auto no_issue = deliver(R"({"webhookEvent":"jira:issue_updated"})");
  EXPECT_EQ(no_issue.status, 400);
  EXPECT_NE(no_issue.body.find("names no issue"), std::string::npos) << no_issue.body;
  auto traversal = deliver(payload("jira:issue_deleted", "../../etc/passwd"));
  EXPECT_EQ(traversal.status, 400);
  EXPECT_NE(traversal.body.find("is not of the form PROJECT-123"), std::string::npos)
      << traversal.body;
  EXPECT_TRUE(queued().empty());
}

TEST_F(JiraWebhookTest, OnlyIssueDeletedIsQueuedAsADeletion) {
  for (const char* event : {"jira:issue_created", "comment_deleted", "issuelink_deleted",
                            "attachment_deleted", "worklog_deleted", "jira:issue_deleted"})
    ASSERT_EQ(deliver(payload(event)).status, 202) << event;
  EXPECT_EQ(queued(),
            (std::vector<std::string>{"jira:issue_created SUPPORT-14991 fetch pending",
                                      "comment_deleted SUPPORT-14991 fetch pending",
                                      "issuelink_deleted SUPPORT-14991 fetch pending",
                                      "attachment_deleted SUPPORT-14991 fetch pending",
                                      "worklog_deleted SUPPORT-14991 fetch pending",
                                      "jira:issue_deleted SUPPORT-14991 delete pending"}));
}

TEST_F(JiraWebhookTest, TheHealthIsForAdministratorsOnly) {
  EXPECT_EQ(call("GET", "/webhooks/jira/health").status, 303) << "to the sign-in page";
  std::string analyst = sign_in("ana@example.com");
  EXPECT_EQ(call("GET", "/webhooks/jira/health", analyst).status, 403);
  ASSERT_EQ(deliver(payload("jira:issue_updated")).status, 202);
  std::string admin = sign_in("root@example.com");
  {
    store::StateStore store(config_.paths.state_db);
    identity::UserStore(store.database()).grant_role("root@example.com", "admin");
  }
  EXPECT_TRUE(
      Json::parse(call("GET", "/webhooks/jira/health", admin).body)["consistency_check"].is_null())
      << "no check ran yet";
  {
    store::StateStore store(config_.paths.state_db);
    CheckReport check;
    check.deep = true;
    check.window_days = 365;
    check.jira_count = 7;
    check.missing = {"SUPPORT-9"};
    check.repaired = 1;
    ConsistencyRuns(store.database()).record(check);
  }
  auto answer = call("GET", "/webhooks/jira/health", admin);
  ASSERT_EQ(answer.status, 200) << answer.body;
  Json health = Json::parse(answer.body);
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["configured"], true);
  EXPECT_EQ(health["webhook_secret_set"], true);
  EXPECT_EQ(health["base_url"], "https://acme.atlassian.net");
  EXPECT_EQ(health["queue"]["pending"], 1);
  EXPECT_EQ(health["queue"]["failed"], 0);
  EXPECT_TRUE(health["newest_event_age_seconds"].is_number());
  EXPECT_TRUE(health["last_error"].is_null());
  EXPECT_EQ(health["consistency_check"]["mode"], "deep");
  EXPECT_EQ(health["consistency_check"]["counts"]["jira"], 7);
  EXPECT_EQ(health["consistency_check"]["missing"], Json{"SUPPORT-9"});
  EXPECT_EQ(health["consistency_check"]["status"], "repaired");
  EXPECT_EQ(answer.body.find(kSecret), std::string::npos);
}

class JiraOffTest : public web::PortalFixture {};

TEST_F(JiraOffTest, WithoutTheSectionTheRoutesAre404) {
  EXPECT_EQ(
      call("POST", "/webhooks/jira", "",
           R"({"webhookEvent":"jira:issue_updated","issue":{"key":"A1-1"}})", "application/json")
          .status,
      404);
  EXPECT_EQ(call("GET", "/webhooks/jira/health").status, 404);
}

}  // namespace
}  // namespace da::connectors::jira
