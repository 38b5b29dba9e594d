#include "jira/jira_settings.hpp"

#include <algorithm>
#include <array>
#include <regex>
#include <utility>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/config/sync_schedule.hpp"

namespace da::connectors::jira {

namespace {

using config::NodeReader;

constexpr std::array<std::pair<const char*, std::string CustomFieldIds::*>, 16> kCustomFields = {{
    {"request_type", &CustomFieldIds::request_type},
    {"severity", &CustomFieldIds::severity},
    {"triage", &CustomFieldIds::triage},
    {"configuration_item", &CustomFieldIds::configuration_item},
    {"participants", &CustomFieldIds::participants},
    {"organizations", &CustomFieldIds::organizations},
    {"spam", &CustomFieldIds::spam},
    {"context", &CustomFieldIds::context},
    {"custom_url", &CustomFieldIds::custom_url},
    {"slack_link", &CustomFieldIds::slack_link},
    {"technical_issue_category", &CustomFieldIds::technical_issue_category},
    {"email_address", &CustomFieldIds::email_address},
    {"satisfaction", &CustomFieldIds::satisfaction},
    {"first_response", &CustomFieldIds::first_response},
    {"time_to_resolution", &CustomFieldIds::time_to_resolution},
    {"l3_team", &CustomFieldIds::l3_team},
}};

void check(const config::InstanceConfig& config, config::Diagnostics& diagnostics) {
  JiraSettings::read(config, diagnostics);
}

// `key` of `node` as an http(s) URL without its trailing slashes.
std::string read_url(const NodeReader& node, const char* key) {
  std::string url = node.string(key);
  if (!url.empty() && url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
    node.child(key).error("must be an http(s) URL, found '" + url + "'");
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

JiraSettings::Account read_account(const NodeReader& node, const std::string& token_variable) {
  node.require("base_url", "(https://<site>.atlassian.net, or your Jira Data Center's URL)");
  node.require("email", "(the account the connector signs in as)");
  node.require("api_token", "(write ${" + token_variable + "} and put the token in .env)");
  JiraSettings::Account account;
  account.base_url = read_url(node, "base_url");
  account.email = node.string("email");
  account.api_token = node.string("api_token");
  log::add_secret(account.api_token);
  return account;
}

CustomFieldIds read_custom_fields(const NodeReader& node) {
  static const std::regex field_id("^customfield_[0-9]+$");
  CustomFieldIds ids;
  for (const auto& [key, value] : node.entries()) {
    auto known = std::find_if(kCustomFields.begin(), kCustomFields.end(),
                              [&key](const auto& field) { return key == field.first; });
    if (known == kCustomFields.end()) {
      value.warning("unknown key (ignored): no column is filled from it");
      continue;
    }
    std::string id = value.as_string();
    if (!id.empty() && !std::regex_match(id, field_id))
      value.error("must be a custom field id such as customfield_10010, found '" + id + "'");
    else
      ids.*(known->second) = id;
  }
  return ids;
}

void read_limits(const NodeReader& node, const config::InstanceConfig& config,
                 JiraSettings& settings) {
  NodeReader attachments = node.child("attachments");
  attachments.warn_unknown_keys({"max_mb"});
  settings.attachment_max_bytes = attachments.integer("max_mb", 50, 1, 100 * 1024) * 1024 * 1024;
  NodeReader webhook = node.child("webhook");
  webhook.warn_unknown_keys({"max_body_kb"});
  settings.webhook_max_body_bytes = webhook.integer("max_body_kb", 1024, 1, 64 * 1024) * 1024;
  if (settings.webhook_max_body_bytes > config.server.max_body_bytes)
    webhook.child("max_body_kb")
        .warning("is above server.max_body_kb (" +
                 std::to_string(config.server.max_body_bytes / 1024) +
                 "): the portal refuses larger bodies before the connector sees them");
  NodeReader requests = node.child("requests");
  requests.warn_unknown_keys({"timeout_seconds", "retries", "parallel"});
  settings.request_timeout = std::chrono::seconds(requests.integer("timeout_seconds", 30, 1, 600));
  settings.retries = static_cast<int>(requests.integer("retries", 5, 0, 20));
  settings.parallel = static_cast<int>(requests.integer("parallel", 4, 1, 32));
}

constexpr const char* kNeverRun = "to run the job never, disable its timer instead";

void read_jobs(const NodeReader& node, JiraSettings& settings) {
  NodeReader consistency = node.child("consistency");
  consistency.warn_unknown_keys(
      {"window_days", "deep_window_days", "max_repairs", "schedule", "deep_schedule"});
  auto& check = settings.consistency;
  check.window_days = static_cast<int>(consistency.integer("window_days", 30, 1, 3650));
  check.deep_window_days = static_cast<int>(consistency.integer("deep_window_days", 365, 1, 36500));
  if (check.deep_window_days < check.window_days)
    consistency.child("deep_window_days")
        .error("must be at least window_days (" + std::to_string(check.window_days) +
               "): the deep check looks further back than the regular one");
  check.max_repairs = static_cast<int>(consistency.integer("max_repairs", 200, 1, 100000));
  read_schedule(consistency.child("schedule"), check.schedule, kNeverRun);
  read_schedule(consistency.child("deep_schedule"), check.deep_schedule, kNeverRun);
  NodeReader sla_poll = node.child("sla_poll");
  sla_poll.warn_unknown_keys({"schedule", "max_issues"});
  settings.sla_poll_max_issues = static_cast<int>(sla_poll.integer("max_issues", 1000, 1, 100000));
  read_schedule(sla_poll.child("schedule"), settings.sla_poll_schedule, kNeverRun);
}

}  // namespace

JiraSettings JiraSettings::read(const config::InstanceConfig& config,
                                config::Diagnostics& diagnostics) {
  NodeReader node = config.section_reader("jira", diagnostics);
  JiraSettings settings;
  if (!node.present()) return settings;
  node.warn_unknown_keys({"base_url", "email", "api_token", "webhook_secret", "project", "folder",
                          "sla", "custom_fields", "attachments", "webhook", "requests",
                          "consistency", "sla_poll"});
  settings.configured = true;
  settings.account = read_account(node, "JIRA_API_TOKEN");
  node.require("webhook_secret",
               "(write ${JIRA_WEBHOOK_SECRET}: webhooks are never accepted unsigned)");
  settings.webhook_secret = node.string("webhook_secret");
  log::add_secret(settings.webhook_secret);
  settings.project = node.string("project");
  settings.folder = node.string("folder", settings.folder);
  static const std::regex folder_name("^[a-z0-9_][a-z0-9_-]*$");
  if (!std::regex_match(settings.folder, folder_name))
    node.child("folder").error(
        "must be a folder name of lower-case letters, digits, '_' and '-', "
        "found '" +
        settings.folder + "'");
  NodeReader sla = node.child("sla");
  if (sla.present()) {
    sla.warn_unknown_keys({"base_url", "email", "api_token"});
    settings.sla = read_account(sla, "JIRA_SLA_API_TOKEN");
  }
  settings.custom_fields = read_custom_fields(node.child("custom_fields"));
  read_limits(node, config, settings);
  read_jobs(node, settings);
  return settings;
}

JiraSettings JiraSettings::from(const config::InstanceConfig& config) {
  return config::read_settings_or_throw(config, &JiraSettings::read);
}

JiraSettings JiraSettings::required(const config::InstanceConfig& config) {
  JiraSettings settings = from(config);
  if (!settings.configured)
    throw Error(ErrorKind::kConfig, "the Jira connector is off: " + config.source_file.string() +
                                        " has no jira: section (docs/jira.md)");
  return settings;
}

void JiraSettings::claim_section(config::SectionOwners& owners) {
  owners.claim("jira", check);
}

}  // namespace da::connectors::jira
