#include "jira/tables/jira_tables.hpp"

namespace da::connectors::jira {

namespace {

published::SchemaColumn text(const char* name) {
  return {name, kVarchar};
}
published::SchemaColumn count(const char* name) {
  return {name, kBigint};
}
published::SchemaColumn timestamp(const char* name) {
  return {name, kTimestampTz};
}

published::TableSchema issues() {
  return {{text("issue_key"),
           text("issue_id"),
           text("issue_url"),
           text("summary"),
           text("description"),
           text("issue_type"),
           text("status"),
           text("status_category"),
           text("priority"),
           text("resolution"),
           text("project_key"),
           text("project_name"),
           text("creator_email"),
           text("creator_name"),
           text("reporter_email"),
           text("reporter_name"),
           text("assignee_email"),
           text("assignee_name"),
           timestamp("created_at"),
           timestamp("updated_at"),
           timestamp("resolved_at"),
           text("due_date"),
           text("labels"),
           count("attachment_count"),
           count("comment_count"),
           count("issuelink_count"),
           text("request_type"),
           text("request_status"),
           text("severity"),
           text("triage"),
           text("configuration_item"),
           text("participants"),
           text("organizations"),
           text("spam"),
           text("context"),
           text("custom_url"),
           text("slack_link"),
           text("technical_issue_category"),
           text("email_address"),
           count("satisfaction"),
           text("first_response_breached"),
           count("first_response_goal_millis"),
           count("first_response_elapsed_millis"),
           text("time_to_resolution_breached"),
           count("time_to_resolution_goal_millis"),
           count("time_to_resolution_elapsed_millis"),
           text("l3_team"),
           text("_synced_at"),
           text("_raw_file")}};
}

published::TableSchema comments() {
  return {{text("comment_id"), text("issue_key"), text("author_email"), text("author_name"),
           text("body"), timestamp("created_at"), timestamp("updated_at"),
           text("update_author_email")}};
}

published::TableSchema attachments() {
  return {{text("attachment_id"), text("issue_key"), text("filename"), text("local_path"),
           text("hierarchical_path"), count("size_bytes"), text("mime_type"), text("author_email"),
           timestamp("created_at"), text("content_url"), text("thumbnail_url")}};
}

published::TableSchema changelog() {
  return {{text("change_id"), text("issue_key"), text("author_email"), text("author_name"),
           text("field_name"), text("field_type"), text("from_value"), text("to_value"),
           timestamp("changed_at")}};
}

published::TableSchema issuelinks() {
  return {{text("issue_key"), text("link_id"), text("link_type"), text("direction"),
           text("linked_issue_key"), text("linked_issue_summary"), text("linked_issue_status"),
           text("linked_issue_priority")}};
}

published::TableSchema remote_links() {
  return {{text("issue_key"), text("remote_link_id"), text("url"), text("title"),
           text("application_name"), text("application_type")}};
}

}  // namespace

const std::array<JiraTable, kTableCount>& jira_tables() {
  static const std::array<JiraTable, kTableCount> tables{{
      {"issues", issues()},
      {"comments", comments()},
      {"attachments", attachments()},
      {"changelog", changelog()},
      {"issuelinks", issuelinks()},
      {"remote_links", remote_links()},
  }};
  return tables;
}

}  // namespace da::connectors::jira
