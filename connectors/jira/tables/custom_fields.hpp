// This Jira instance's custom field ids (jira.custom_fields in instance.yaml), one per column
// that reads a custom field. "" = not configured: the column is NULL.
#pragma once

#include <string>

namespace da::connectors::jira {

struct CustomFieldIds {
  std::string request_type;              // JSM request type and status (customfield_10010)
  std::string severity;                  // option
  std::string triage;                    // options, as a JSON list
  std::string configuration_item;        // options, as a JSON list
  std::string participants;              // users, as a JSON list of emails
  std::string organizations;             // JSM organizations, as a JSON list of names
  std::string spam;                      // option
  std::string context;                   // rich text (ADF)
  std::string custom_url;                // text
  std::string slack_link;                // text
  std::string technical_issue_category;  // option
  std::string email_address;             // text
  std::string satisfaction;              // JSM satisfaction (its rating)
  std::string first_response;            // JSM SLA
  std::string time_to_resolution;        // JSM SLA
  std::string l3_team;                   // option
};

}  // namespace da::connectors::jira
