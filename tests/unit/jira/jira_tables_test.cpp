#include "jira/tables/jira_tables.hpp"

#include <set>

#include <gtest/gtest.h>

namespace da::connectors::jira {
namespace {

std::vector<std::string> names(size_t table) {
  return jira_tables()[table].schema.names();
}

TEST(JiraTables, TheSixTablesComeInTheOriginalsOrder) {
  std::vector<std::string> tables;
  for (const JiraTable& table : jira_tables())
    tables.push_back(table.name);
  EXPECT_EQ(tables, (std::vector<std::string>{"issues", "comments", "attachments", "changelog",
                                              "issuelinks", "remote_links"}));
}

TEST(JiraTables, IssuesHasTheOriginals49ColumnsInOrder) {
  EXPECT_EQ(names(kIssues), (std::vector<std::string>{"issue_key",
                                                      "issue_id",
                                                      "issue_url",
                                                      "summary",
                                                      "description",
                                                      "issue_type",
                                                      "status",
                                                      "status_category",
                                                      "priority",
                                                      "resolution",
                                                      "project_key",
                                                      "project_name",
                                                      "creator_email",
                                                      "creator_name",
                                                      "reporter_email",
                                                      "reporter_name",
                                                      "assignee_email",
                                                      "assignee_name",
                                                      "created_at",
                                                      "updated_at",
                                                      "resolved_at",
                                                      "due_date",
                                                      "labels",
                                                      "attachment_count",
                                                      "comment_count",
                                                      "issuelink_count",
                                                      "request_type",
                                                      "request_status",
                                                      "severity",
                                                      "triage",
                                                      "configuration_item",
                                                      "participants",
                                                      "organizations",
                                                      "spam",
                                                      "context",
                                                      "custom_url",
                                                      "slack_link",
                                                      "technical_issue_category",
                                                      "email_address",
                                                      "satisfaction",
                                                      "first_response_breached",
                                                      "first_response_goal_millis",
                                                      "first_response_elapsed_millis",
                                                      "time_to_resolution_breached",
                                                      "time_to_resolution_goal_millis",
                                                      "time_to_resolution_elapsed_millis",
                                                      "l3_team",
                                                      "_synced_at",
                                                      "_raw_file"}));
  EXPECT_EQ(names(kIssues).size(), 49u);
}

TEST(JiraTables, TheOtherTablesHaveTheOriginalsColumnsInOrder) {
  EXPECT_EQ(names(kComments),
            (std::vector<std::string>{"comment_id", "issue_key", "author_email", "author_name",
                                      "body", "created_at", "updated_at", "update_author_email"}));
  EXPECT_EQ(names(kAttachments), (std::vector<std::string>{
                                     "attachment_id", "issue_key", "filename", "local_path",
                                     "hierarchical_path", "size_bytes", "mime_type", "author_email",
                                     "created_at", "content_url", "thumbnail_url"}));
  EXPECT_EQ(names(kChangelog), (std::vector<std::string>{"change_id", "issue_key", "author_email",
                                                         "author_name", "field_name", "field_type",
                                                         "from_value", "to_value", "changed_at"}));
  EXPECT_EQ(names(kIssueLinks),
            (std::vector<std::string>{"issue_key", "link_id", "link_type", "direction",
                                      "linked_issue_key", "linked_issue_summary",
                                      "linked_issue_status", "linked_issue_priority"}));
  EXPECT_EQ(names(kRemoteLinks),
            (std::vector<std::string>{"issue_key", "remote_link_id", "url", "title",
                                      "application_name", "application_type"}));
}

TEST(JiraTables, TimestampsAreTimestamptzCountsBigintAndEverythingElseText) {
  const std::set<std::string> timestamps{"created_at", "updated_at", "resolved_at", "changed_at"};
  const std::set<std::string> counts{"attachment_count",
                                     "comment_count",
                                     "issuelink_count",
                                     "satisfaction",
                                     "first_response_goal_millis",
                                     "first_response_elapsed_millis",
                                     "time_to_resolution_goal_millis",
                                     "time_to_resolution_elapsed_millis",
                                     "size_bytes"};
  for (const JiraTable& table : jira_tables()) {
    for (const published::SchemaColumn& column : table.schema.columns) {
      std::string expected = timestamps.count(column.name) ? "TIMESTAMP WITH TIME ZONE"
                             : counts.count(column.name)   ? "BIGINT"
                                                           : "VARCHAR";
      EXPECT_EQ(column.type, expected) << table.name << "." << column.name;
    }
  }
}

}  // namespace
}  // namespace da::connectors::jira
