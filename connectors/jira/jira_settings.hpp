// instance.yaml's `jira:` section, which this connector claims. No section: the connector is
// off (no routes, the worker refuses to start). A present section must name the site, the
// account and the webhook secret: webhooks are never accepted unsigned.
//
//   base_url            https://example.atlassian.net (Jira Data Center works too); required
//   email, api_token    the Basic-auth account; required; write ${JIRA_API_TOKEN}
//   webhook_secret      the HMAC-SHA256 key of the webhooks; required; ${JIRA_WEBHOOK_SECRET}
//   project             scope of the consistency check's JQL; optional
//   folder              Parquet folder and catalog dataset; default jira
//   sla                 {base_url, email, api_token}: the second account of the SLA overlay
//   custom_fields       <column>: customfield_<n>, for the keys of CustomFieldIds
//   attachments.max_mb  larger attachments are not downloaded; default 50
//   webhook.max_body_kb larger webhook bodies are refused (413); default 1024
//   requests            timeout_seconds (30), retries (5), parallel (4) for the REST API
//   consistency         window_days (30), deep_window_days (365), max_repairs (200) of
//                       `da jira check`; schedule (every 30 min) and deep_schedule (Sun 03:00)
//                       of the jobs jira-check and jira-check-deep
//   sla_poll            schedule (every 15 min) of the job jira-sla-poll; max_issues (1000)
//                       polled per run
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jira/tables/custom_fields.hpp"

#include "da/config/diagnostics.hpp"
#include "da/config/instance_config.hpp"
#include "da/config/section_owners.hpp"

namespace da::connectors::jira {

struct JiraSettings {
  struct Account {
    std::string base_url;  // without a trailing slash
    std::string email;
    std::string api_token;
  };

  bool configured = false;  // the section is present
  Account account;
  std::string webhook_secret;
  std::string project;
  std::string folder = "jira";
  std::optional<Account> sla;
  CustomFieldIds custom_fields;
  int64_t attachment_max_bytes = int64_t{50} * 1024 * 1024;
  int64_t webhook_max_body_bytes = int64_t{1024} * 1024;
  std::chrono::seconds request_timeout{30};
  int retries = 5;
  int parallel = 4;
  struct Consistency {
    int window_days = 30;
    int deep_window_days = 365;
    int max_repairs = 200;  // per run
    std::vector<std::string> schedule = {"*:0/30"};
    std::vector<std::string> deep_schedule = {"Sun *-*-* 03:00:00 UTC"};
  } consistency;
  std::vector<std::string> sla_poll_schedule = {"*:0/15"};
  int sla_poll_max_issues = 1000;  // per run

  // Reads and validates the section, reporting every problem to `diagnostics` with its file
  // and line; registers the tokens and the webhook secret as secrets to redact.
  static JiraSettings read(const config::InstanceConfig& config, config::Diagnostics& diagnostics);
  // read(), or Error(kConfig) listing every problem.
  static JiraSettings from(const config::InstanceConfig& config);
  // from(), or Error(kConfig) saying the connector is off when the file has no jira: section:
  // for the commands that need it.
  static JiraSettings required(const config::InstanceConfig& config);
  // Claims `jira` for read(), so that `da config check` validates it.
  static void claim_section(config::SectionOwners& owners);
};

}  // namespace da::connectors::jira
