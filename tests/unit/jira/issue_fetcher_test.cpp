#include "jira/api/issue_fetcher.hpp"

#include <chrono>
#include <regex>
#include <set>
#include <string>

#include "fakes/jira/fake_jira.hpp"
#include <gtest/gtest.h>

namespace da::connectors::jira {
namespace {

using namespace std::chrono_literals;
using fakes::FakeJira;
using fakes::FakeJiraIssue;
using Json = nlohmann::json;

ClientOptions main_account(const FakeJira& fake) {
  ClientOptions options;
  options.account = {fake.url(), "bot@example.com", "jira-token"};
  options.retry.base_delay = 1ms;
  options.retry.max_delay = 20ms;
  return options;
}

ClientOptions sla_account(const FakeJira& fake) {
  ClientOptions options = main_account(fake);
  options.account = {fake.sla_base_url(), "sla@example.com", "sla-token"};
  return options;
}

FakeJiraIssue issue(const std::string& key, int comments, int histories) {
  FakeJiraIssue issue;
  issue.key = key;
  issue.comments = comments;
  issue.histories = histories;
  return issue;
}

// The ids of the entries, checking they are all different.
std::set<std::string> ids_of(const Json& entries) {
  std::set<std::string> ids;
  for (const Json& entry : entries)
    ids.insert(entry["id"].get<std::string>());
  EXPECT_EQ(ids.size(), entries.size());
  return ids;
}

TEST(IssueFetcher, CollectsEveryCommentPastTheEmbeddedPage) {
  FakeJira fake;
  fake.set_embedded_comment_cap(5);
  fake.set_page_cap(5);
  fake.add_issue(issue("SUPPORT-1", 12, 0));
  JiraClient client(main_account(fake));
  auto document = IssueFetcher(client, nullptr, {}).fetch("SUPPORT-1");
  ASSERT_TRUE(document);
  const Json& comment = (*document)["fields"]["comment"];
  ASSERT_EQ(comment["comments"].size(), 12u);
  EXPECT_EQ(ids_of(comment["comments"]).size(), 12u);
  EXPECT_EQ(comment["comments"][11]["body"]["content"][0]["content"][0]["text"],
            "Comment 12 of SUPPORT-1");
  EXPECT_EQ(comment["total"], 12);
  EXPECT_EQ(comment["maxResults"], 12);
  EXPECT_EQ(comment["startAt"], 0);
  EXPECT_EQ(fake.requests_to("/rest/api/3/issue/SUPPORT-1/comment"), 3);  // 5 + 5 + 2
}

TEST(IssueFetcher, CollectsEveryChangelogHistoryPastTheEmbeddedHundred) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1", 0, 250));
  JiraClient client(main_account(fake));
  auto document = IssueFetcher(client, nullptr, {}).fetch("SUPPORT-1");
  ASSERT_TRUE(document);
  const Json& changelog = (*document)["changelog"];
  ASSERT_EQ(changelog["histories"].size(), 250u);
  EXPECT_EQ(ids_of(changelog["histories"]).size(), 250u);
  EXPECT_EQ(changelog["histories"][249]["items"][0]["toString"], "S250");
  EXPECT_EQ(changelog["total"], 250);
  EXPECT_EQ(fake.requests_to("/rest/api/3/issue/SUPPORT-1/changelog"), 3);
}

TEST(IssueFetcher, DoesNotPageWhatTheIssueEmbedsWhole) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1", 3, 4));
  JiraClient client(main_account(fake));
  auto document = IssueFetcher(client, nullptr, {}).fetch("SUPPORT-1");
  ASSERT_TRUE(document);
  EXPECT_EQ((*document)["fields"]["comment"]["comments"].size(), 3u);
  EXPECT_EQ((*document)["fields"]["comment"]["maxResults"], 3);
  EXPECT_EQ((*document)["changelog"]["histories"].size(), 4u);
  EXPECT_EQ(fake.requests_to("/rest/api/3/issue/SUPPORT-1/comment"), 0);
  EXPECT_EQ(fake.requests_to("/rest/api/3/issue/SUPPORT-1/changelog"), 0);
}

TEST(IssueFetcher, AddsTheRemoteLinksAndTheSyncTime) {
  FakeJira fake;
  FakeJiraIssue one = issue("SUPPORT-1", 0, 0);
  one.remote_link_urls = {"https://wiki.example.com/a", "https://wiki.example.com/b"};
  fake.add_issue(one);
  fake.add_issue(issue("SUPPORT-2", 0, 0));
  JiraClient client(main_account(fake));
  IssueFetcher fetcher(client, nullptr, {});
  auto document = fetcher.fetch("SUPPORT-1");
  ASSERT_TRUE(document);
  ASSERT_EQ((*document)["_remote_links"].size(), 2u);
  EXPECT_EQ((*document)["_remote_links"][1]["object"]["url"], "https://wiki.example.com/b");
  EXPECT_TRUE(std::regex_match((*document)["_synced_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << (*document)["_synced_at"];
  EXPECT_EQ((*fetcher.fetch("SUPPORT-2"))["_remote_links"], Json::array());
}

TEST(IssueFetcher, OverlaysTheSlaAccountsFields) {
  FakeJira fake;
  FakeJiraIssue one = issue("SUPPORT-1", 0, 0);
  one.fields = {{"customfield_10328", {{"errorMessage", "No JSM licence"}}},
                {"customfield_10161", nullptr},
                {"customfield_10004", {{"value", "High"}}}};
  one.sla_fields = {{"customfield_10328", {{"ongoingCycle", {{"breached", false}}}}},
                    {"customfield_10161", {{"completedCycles", Json::array()}}},
                    {"customfield_10004", {{"value", "changed by SLA account"}}}};
  fake.add_issue(one);
  JiraClient client(main_account(fake));
  JiraClient sla(sla_account(fake));
  IssueFetcher fetcher(client, &sla, {"customfield_10328", "customfield_10161"});
  auto document = fetcher.fetch("SUPPORT-1");
  ASSERT_TRUE(document);
  const Json& fields = (*document)["fields"];
  EXPECT_EQ(fields["customfield_10328"]["ongoingCycle"]["breached"], false);
  EXPECT_EQ(fields["customfield_10161"]["completedCycles"], Json::array());
  EXPECT_EQ(fields["customfield_10004"]["value"], "High");  // not an SLA field
  EXPECT_EQ(fake.requests_to("/ex/jira/fake-cloud-id/rest/api/3/issue/SUPPORT-1"), 1);
}

TEST(IssueFetcher, SkipsTheSlaOverlayWhenNoAccountOrFieldIsConfigured) {
  FakeJira fake;
  FakeJiraIssue one = issue("SUPPORT-1", 0, 0);
  one.fields = {{"customfield_10328", {{"errorMessage", "No JSM licence"}}}};
  one.sla_fields = {{"customfield_10328", {{"ongoingCycle", Json::object()}}}};
  fake.add_issue(one);
  JiraClient client(main_account(fake));
  JiraClient sla(sla_account(fake));
  auto without_account = IssueFetcher(client, nullptr, {"customfield_10328"}).fetch("SUPPORT-1");
  auto without_fields = IssueFetcher(client, &sla, {"", ""}).fetch("SUPPORT-1");
  EXPECT_EQ((*without_account)["fields"]["customfield_10328"]["errorMessage"], "No JSM licence");
  EXPECT_EQ((*without_fields)["fields"]["customfield_10328"]["errorMessage"], "No JSM licence");
  EXPECT_EQ(fake.requests_to("/ex/jira"), 0);
}

TEST(IssueFetcher, ADeletedIssueIsNullopt) {
  FakeJira fake;
  fake.add_issue(issue("SUPPORT-1", 1, 1));
  fake.delete_issue("SUPPORT-1");
  JiraClient client(main_account(fake));
  EXPECT_FALSE(IssueFetcher(client, nullptr, {}).fetch("SUPPORT-1"));
}

TEST(IssueFetcher, AnIssueDeletedWhileItsCommentsArePagedIsNullopt) {
  FakeJira fake;
  fake.set_embedded_comment_cap(1);
  fake.add_issue(issue("SUPPORT-1", 3, 0));
  fake.fail_requests("/rest/api/3/issue/SUPPORT-1/comment", 1, 404);
  JiraClient client(main_account(fake));
  EXPECT_FALSE(IssueFetcher(client, nullptr, {}).fetch("SUPPORT-1"));
}

}  // namespace
}  // namespace da::connectors::jira
