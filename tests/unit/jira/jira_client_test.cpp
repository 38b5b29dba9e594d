#include "jira/api/jira_client.hpp"

#include <chrono>
#include <string>

#include "fakes/jira/fake_jira.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da::connectors::jira {
namespace {

using namespace std::chrono_literals;
using fakes::FakeJira;
using fakes::FakeJiraIssue;

ClientOptions options_for(const FakeJira& fake) {
  ClientOptions options;
  options.account = {fake.url() + "/", "bot@example.com", "jira-token"};
  options.timeout = 5s;
  options.retry.max_attempts = 3;
  options.retry.base_delay = 1ms;
  options.retry.max_delay = 20ms;
  return options;
}

FakeJiraIssue issue(const std::string& key) {
  FakeJiraIssue issue;
  issue.key = key;
  return issue;
}

std::string failure_of(const std::function<void()>& call, ErrorKind expected) {
  try {
    call();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), expected) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(JiraClient, GetsAnIssueWithRenderedFieldsAndTheChangelog) {
  FakeJira fake;
  FakeJiraIssue one = issue("SUPPORT-1");
  one.comments = 2;
  one.histories = 3;
  fake.add_issue(one);
  JiraClient client(options_for(fake));
  auto document = client.issue("SUPPORT-1");
  ASSERT_TRUE(document);
  EXPECT_EQ((*document)["key"], "SUPPORT-1");
  EXPECT_EQ((*document)["fields"]["comment"]["total"], 2);
  EXPECT_EQ((*document)["fields"]["comment"]["comments"][0]["body"]["type"], "doc");
  EXPECT_TRUE((*document)["renderedFields"].is_object());
  EXPECT_EQ((*document)["changelog"]["histories"].size(), 3u);
}

TEST(JiraClient, AnIssueJiraDoesNotKnowIsNullopt) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1"));
  fake.delete_issue("SUPPORT-1");
  JiraClient client(options_for(fake));
  EXPECT_FALSE(client.issue("SUPPORT-1"));
  EXPECT_FALSE(client.issue("SUPPORT-404"));
  EXPECT_EQ(fake.requests_to("/rest/api/3/issue/SUPPORT-1"), 1);  // a 404 is not retried
}

TEST(JiraClient, RefusedCredentialsSayWhatToCheckWithoutTheToken) {
  FakeJira fake("bot@example.com", "the-right-token");
  fake.add_issue(issue("SUPPORT-1"));
  ClientOptions options = options_for(fake);
  options.account.api_token = "a-wrong-secret";
  JiraClient client(options);
  std::string message = failure_of([&] { client.issue("SUPPORT-1"); }, ErrorKind::kSource);
  EXPECT_NE(message.find("GET /rest/api/3/issue/SUPPORT-1"), std::string::npos) << message;
  EXPECT_NE(message.find("HTTP 401"), std::string::npos) << message;
  EXPECT_NE(message.find("check jira.email and JIRA_API_TOKEN"), std::string::npos) << message;
  EXPECT_EQ(message.find("a-wrong-secret"), std::string::npos) << message;
}

TEST(JiraClient, AForbiddenAnswerSaysWhatToCheckToo) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1"));
  fake.fail_requests("/rest/api/3/issue/SUPPORT-1", 1, 403);
  ClientOptions options = options_for(fake);
  options.credentials_hint = "jira.sla.email and JIRA_SLA_API_TOKEN";
  JiraClient client(options);
  std::string message = failure_of([&] { client.issue("SUPPORT-1"); }, ErrorKind::kSource);
  EXPECT_NE(message.find("HTTP 403"), std::string::npos) << message;
  EXPECT_NE(message.find("check jira.sla.email and JIRA_SLA_API_TOKEN"), std::string::npos)
      << message;
  EXPECT_EQ(fake.requests_to("/rest/api/3/issue/SUPPORT-1"), 1);
}

TEST(JiraClient, WaitsAsLongAsRetryAfterSaysOn429) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1"));
  fake.fail_requests("/rest/api/3/issue/SUPPORT-1", 1, 429, 1);
  ClientOptions options = options_for(fake);
  options.retry.max_delay = 5s;
  JiraClient client(options);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.issue("SUPPORT-1"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 950ms);
  EXPECT_EQ(fake.requests_to("/rest/api/3/issue/SUPPORT-1"), 2);
}

TEST(JiraClient, RetryAfterIsCappedAndTheAttemptsAreBounded) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1"));
  fake.fail_requests("/rest/api/3/issue/SUPPORT-1", 100, 429, 3600);
  JiraClient client(options_for(fake));
  auto start = std::chrono::steady_clock::now();
  std::string message = failure_of([&] { client.issue("SUPPORT-1"); }, ErrorKind::kSource);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(fake.requests_to("/rest/api/3/issue/SUPPORT-1"), 3);
  EXPECT_NE(message.find("HTTP 429: Rate limit exceeded."), std::string::npos) << message;
  EXPECT_NE(message.find("after 3 attempts"), std::string::npos) << message;
}

TEST(JiraClient, RetriesServerErrors) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1"));
  fake.fail_requests("/rest/api/3/issue/SUPPORT-1/remotelink", 2, 503);
  JiraClient client(options_for(fake));
  EXPECT_EQ(client.remote_links("SUPPORT-1"), nlohmann::json::array());
  EXPECT_EQ(fake.requests_to("/rest/api/3/issue/SUPPORT-1/remotelink"), 3);
}

TEST(JiraClient, ASlowAnswerTimesOutAndIsRetried) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1"));
  fake.delay_requests("/rest/api/3/issue/SUPPORT-1", 3s);
  ClientOptions options = options_for(fake);
  options.timeout = 200ms;
  options.retry.max_attempts = 2;
  JiraClient client(options);
  auto start = std::chrono::steady_clock::now();
  std::string message = failure_of([&] { client.issue("SUPPORT-1"); }, ErrorKind::kSource);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_NE(message.find("failed after 2 attempts"), std::string::npos) << message;
  EXPECT_NE(message.find("/rest/api/3/issue/SUPPORT-1"), std::string::npos) << message;
}

TEST(JiraClient, SearchFollowsNextPageTokensUntilTheLastPage) {
  FakeJira fake;
  for (int n = 1; n <= 250; ++n)
    fake.add_issue(issue("SUPPORT-" + std::to_string(n)));
  fake.add_issue(issue("OTHER-1"));
  JiraClient client(options_for(fake));
  std::vector<std::string> keys = client.search_keys("project = SUPPORT ORDER BY created ASC");
  ASSERT_EQ(keys.size(), 250u);
  EXPECT_EQ(keys.front(), "SUPPORT-1");
  EXPECT_EQ(keys.back(), "SUPPORT-250");
  std::vector<nlohmann::json> requests = fake.search_requests();
  ASSERT_EQ(requests.size(), 3u);  // pages of 100, 100, 50
  EXPECT_FALSE(requests[0].contains("nextPageToken"));
  EXPECT_TRUE(requests[1]["nextPageToken"].is_string());
  EXPECT_EQ(requests[2]["fields"], nlohmann::json::array({"key"}));
  EXPECT_EQ(requests[2]["maxResults"], 100);
}

TEST(JiraClient, SearchPagesCarryTheAskedFields) {
  FakeJira fake;
  fake.set_page_cap(2);
  for (int n = 1; n <= 5; ++n)
    fake.add_issue(issue("SUPPORT-" + std::to_string(n)));
  JiraClient client(options_for(fake));
  int pages = 0;
  std::vector<std::string> summaries;
  client.search("project = SUPPORT", {"summary"}, [&](const nlohmann::json& issues) {
    ++pages;
    for (const auto& found : issues)
      summaries.push_back(found["fields"]["summary"]);
  });
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(summaries.size(), 5u);
}

TEST(JiraClient, FailuresNameTheCallAndJirasErrorMessages) {
  FakeJira fake;
  JiraClient client(options_for(fake));
  std::string message =
      failure_of([&] { client.search_keys("summary ~ nonsense"); }, ErrorKind::kSource);
  EXPECT_NE(message.find("Jira POST /rest/api/3/search/jql: HTTP 400: Error in the JQL Query"),
            std::string::npos)
      << message;
}

TEST(JiraClient, ABaseUrlWithAPathWorksAsForDataCenterOrTheCloudGateway) {
  FakeJira fake;
  FakeJiraIssue one = issue("SUPPORT-1");
  one.sla_fields = {{"customfield_10328", {{"name", "First response"}}}};
  fake.add_issue(one);
  ClientOptions options = options_for(fake);
  options.account = {fake.sla_base_url(), "sla@example.com", "sla-token"};
  JiraClient client(options);
  auto fields = client.issue_fields("SUPPORT-1", {"customfield_10328"});
  ASSERT_TRUE(fields);
  EXPECT_EQ((*fields)["fields"]["customfield_10328"]["name"], "First response");
  EXPECT_EQ(fake.requests_to("/ex/jira/fake-cloud-id/rest/api/3/issue/SUPPORT-1"), 1);
}

}  // namespace
}  // namespace da::connectors::jira
