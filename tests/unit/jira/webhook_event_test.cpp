#include "jira/webhook/webhook_event.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace da::connectors::jira {
namespace {

// A webhook body of Jira Cloud's shape.
std::string payload(const std::string& event, const std::string& key = "SUPPORT-14991") {
  return nlohmann::json{
      {"timestamp", 1733630000000},
      {"webhookEvent", event},
      {"issue", {{"id", "10001"}, {"key", key}, {"fields", nlohmann::json::object()}}}}
      .dump();
}

TEST(WebhookEvent, OnlyIssueDeletedDeletesTheIssue) {
  EXPECT_EQ(action_for("jira:issue_deleted"), EventAction::kDelete);
  for (const char* event :
       {"jira:issue_created", "jira:issue_updated", "comment_created", "comment_updated",
        "comment_deleted", "issuelink_created", "issuelink_deleted", "attachment_created",
        "attachment_deleted", "worklog_deleted", "", "JIRA:ISSUE_DELETED"})
    EXPECT_EQ(action_for(event), EventAction::kFetch) << event;
}

TEST(WebhookEvent, EachEventKindIsRecordedWithItsIssueAndAction) {
  for (const auto& [event, action] : std::vector<std::pair<std::string, EventAction>>{
           {"jira:issue_created", EventAction::kFetch},
           {"jira:issue_updated", EventAction::kFetch},
           {"jira:issue_deleted", EventAction::kDelete},
           {"comment_created", EventAction::kFetch},
           {"comment_updated", EventAction::kFetch},
           {"comment_deleted", EventAction::kFetch},
           {"issuelink_deleted", EventAction::kFetch},
           {"attachment_deleted", EventAction::kFetch},
           {"worklog_deleted", EventAction::kFetch}}) {
    ParsedEvent parsed = parse_webhook_event(payload(event));
    ASSERT_TRUE(parsed.event.has_value()) << event << ": " << parsed.problem;
    EXPECT_EQ(parsed.event->event, event);
    EXPECT_EQ(parsed.event->issue_key, "SUPPORT-14991");
    EXPECT_EQ(parsed.event->action, action) << event;
    EXPECT_EQ(parsed.event->body, payload(event));
  }
}

TEST(WebhookEvent, AnAutomationPayloadNamesItsIssueAtTheTopLevel) {
  ParsedEvent parsed = parse_webhook_event(R"({"issue_key":"OPS-7"})");
  ASSERT_TRUE(parsed.event.has_value()) << parsed.problem;
  EXPECT_EQ(parsed.event->issue_key, "OPS-7");
  EXPECT_EQ(parsed.event->event, "");
  EXPECT_EQ(parsed.event->action, EventAction::kFetch);
}

TEST(WebhookEvent, BodiesThatCannotBeQueuedSayWhy) {
  EXPECT_EQ(parse_webhook_event("").problem, "empty body: Jira sends each event as a JSON object");
  EXPECT_EQ(parse_webhook_event(" \n").problem,
            "empty body: Jira sends each event as a JSON object");
  EXPECT_EQ(parse_webhook_event("{\"webhookEvent\": ").problem.rfind("invalid JSON payload: ", 0),
            0u);
  EXPECT_EQ(parse_webhook_event("[1,2]").problem,
            "invalid JSON payload: expected an object, found array");
  EXPECT_EQ(parse_webhook_event(R"({"webhookEvent":"jira:issue_updated"})").problem,
            "the event names no issue (neither issue.key nor issue_key)");
  EXPECT_EQ(parse_webhook_event(R"({"webhookEvent":7,"issue":{"key":"A-1"}})").problem,
            "webhookEvent is not a string");
}

TEST(WebhookEvent, IssueKeysThatTryToLeaveTheFolderAreRefused) {
  for (const char* key : {"../../etc/passwd", "SUPPORT-1/../../x", "support-1", "SUPPORT-", "-1",
                          "S-1", "SUPPORT-1\\x", "SUPPORT-1.json", ".."}) {
    ParsedEvent parsed = parse_webhook_event(payload("jira:issue_deleted", key));
    EXPECT_FALSE(parsed.event.has_value()) << key;
    EXPECT_NE(parsed.problem.find("is not of the form PROJECT-123"), std::string::npos) << key;
  }
  EXPECT_FALSE(parse_webhook_event(R"({"issue":{"key":12}})").event.has_value());
}

}  // namespace
}  // namespace da::connectors::jira
