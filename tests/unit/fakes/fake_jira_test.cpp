#include "fakes/jira/fake_jira.hpp"

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "da/common/crypto.hpp"
#include "da/net/http_client.hpp"

namespace da::fakes {
namespace {

using Json = nlohmann::json;

net::HttpResponse call(const FakeJira& fake, const std::string& method, const std::string& path,
                       const Json& body = nullptr,
                       const std::string& credentials = "bot@example.com:jira-token") {
  net::HttpRequest request;
  request.method = method;
  request.url = fake.url() + path;
  request.headers = {{"Authorization", "Basic " + base64_encode(credentials)},
                     {"Content-Type", "application/json"}};
  if (!body.is_null()) request.body = body.dump();
  return net::HttpClient().send(request);
}

std::vector<std::string> keys_of(const net::HttpResponse& response) {
  std::vector<std::string> keys;
  Json answer = Json::parse(response.body);
  for (const Json& issue : answer["issues"])
    keys.push_back(issue["key"]);
  return keys;
}

FakeJiraIssue issue(const std::string& key, const std::string& created,
                    const std::string& category = "To Do") {
  FakeJiraIssue issue;
  issue.key = key;
  issue.created = created;
  issue.status_category = category;
  return issue;
}

TEST(FakeJira, RefusesCallsWithoutTheAccountsBasicAuth) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1", "2026-01-01T00:00:00.000+0000"));
  EXPECT_EQ(call(fake, "GET", "/rest/api/3/issue/SUPPORT-1").status, 200);
  net::HttpResponse refused =
      call(fake, "GET", "/rest/api/3/issue/SUPPORT-1", nullptr, "bot@example.com:wrong");
  EXPECT_EQ(refused.status, 401);
  EXPECT_TRUE(Json::parse(refused.body)["errorMessages"].is_array());
  // The SLA account is accepted under its own base URL only.
  EXPECT_EQ(
      call(fake, "GET", "/rest/api/3/issue/SUPPORT-1", nullptr, "sla@example.com:sla-token").status,
      401);
  EXPECT_EQ(call(fake, "GET", "/ex/jira/fake-cloud-id/rest/api/3/issue/SUPPORT-1", nullptr,
                 "sla@example.com:sla-token")
                .status,
            200);
}

TEST(FakeJira, SearchJqlFiltersByProjectCreatedWindowAndStatusCategory) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1", "2026-01-10T10:00:00.000+0100"));
  fake.add_issue(issue("SUPPORT-2", "2026-02-10T10:00:00.000+0100", "Done"));
  fake.add_issue(issue("SUPPORT-3", "2026-03-10T10:00:00.000+0100"));
  fake.add_issue(issue("OTHER-1", "2026-02-10T10:00:00.000+0100"));
  auto search = [&](const std::string& jql) {
    return keys_of(call(fake, "POST", "/rest/api/3/search/jql", {{"jql", jql}}));
  };
  EXPECT_EQ(search("project = \"SUPPORT\" AND created >= \"2026-02-01\" AND created <= "
                   "\"2026/03/31 23:59\" ORDER BY created DESC"),
            (std::vector<std::string>{"SUPPORT-3", "SUPPORT-2"}));
  EXPECT_EQ(search("statusCategory != Done AND key in (SUPPORT-1, SUPPORT-2, OTHER-1)"),
            (std::vector<std::string>{"OTHER-1", "SUPPORT-1"}));
  fake.delete_issue("SUPPORT-3");
  EXPECT_EQ(search("created >= -3650d AND project = SUPPORT"),
            (std::vector<std::string>{"SUPPORT-1", "SUPPORT-2"}));
  EXPECT_EQ(call(fake, "POST", "/rest/api/3/search/jql", {{"jql", "text ~ x"}}).status, 400);
}

TEST(FakeJira, ANextPageTokenOnlyContinuesItsOwnQuery) {
  FakeJira fake;
  for (int n = 1; n <= 3; ++n)
    fake.add_issue(issue("SUPPORT-" + std::to_string(n), "2026-01-01T00:00:00.000+0000"));
  Json first = Json::parse(call(fake, "POST", "/rest/api/3/search/jql",
                                {{"jql", "project = SUPPORT"}, {"maxResults", 2}})
                               .body);
  ASSERT_TRUE(first["nextPageToken"].is_string());
  Json next = {{"jql", "project = SUPPORT"}, {"nextPageToken", first["nextPageToken"]}};
  net::HttpResponse second = call(fake, "POST", "/rest/api/3/search/jql", next);
  EXPECT_EQ(keys_of(second), std::vector<std::string>{"SUPPORT-3"});
  EXPECT_EQ(Json::parse(second.body)["isLast"], true);
  next["jql"] = "project = OTHER";
  EXPECT_EQ(call(fake, "POST", "/rest/api/3/search/jql", next).status, 400);
}

TEST(FakeJira, ServesManyClientsAtOnce) {
  FakeJira fake;
  constexpr int kIssues = 2'000;
  for (int n = 1; n <= kIssues; ++n) {
    FakeJiraIssue one = issue("SUPPORT-" + std::to_string(n), "2026-01-01T00:00:00.000+0000");
    one.comments = 3;
    one.histories = 5;
    fake.add_issue(one);
  }
  constexpr int kThreads = 8;
  constexpr int kEach = 250;
  std::atomic<int> ok{0};
  auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> clients;
    for (int t = 0; t < kThreads; ++t)
      clients.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          std::string key = "SUPPORT-" + std::to_string((t * kEach + i) % kIssues + 1);
          auto response =
              call(fake, "GET", "/rest/api/3/issue/" + key + "?expand=renderedFields,changelog");
          if (response.status == 200 && Json::parse(response.body)["key"] == key) ++ok;
        }
      });
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  std::cout << kThreads * kEach << " issue GETs from " << kThreads << " threads in " << seconds
            << " s (" << kThreads * kEach / seconds << "/s)\n";
}

}  // namespace
}  // namespace da::fakes
