#include "jira/jira_settings.hpp"

#include <map>

#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/config/instance_config_loader.hpp"

namespace da::connectors::jira {
namespace {

using config::ConfigLoadResult;

constexpr const char* kComplete =
    "jira:\n"                                     // 1
    "  base_url: https://acme.atlassian.net/\n"   // 2
    "  email: bot@acme.com\n"                     // 3
    "  api_token: ${JIRA_API_TOKEN}\n"            // 4
    "  webhook_secret: ${JIRA_WEBHOOK_SECRET}\n"  // 5
    "  custom_fields:\n"                          // 6
    "    severity: customfield_10004\n"           // 7
    "    first_response: customfield_10328\n";    // 8

const std::map<std::string, std::string> kEnvironment = {
    {"JIRA_API_TOKEN", "jira-api-token-0123456789"},
    {"JIRA_WEBHOOK_SECRET", "jira-webhook-secret-0123456789"}};

struct Loaded {
  ConfigLoadResult load;
  JiraSettings settings;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

// Loads `yaml` as `da config check` does (the section claimed, interpolated from `env`), then
// reads the settings as the module does.
Loaded load(const std::string& yaml, std::map<std::string, std::string> env = kEnvironment) {
  config::SectionOwners owners;
  JiraSettings::claim_section(owners);
  Loaded loaded;
  loaded.load = config::parse_instance_config(
      yaml, "instance.yaml", "/srv/instance/config",
      [env](const std::string& name) -> std::optional<std::string> {
        auto found = env.find(name);
        return found == env.end() ? std::nullopt : std::optional(found->second);
      },
      &owners);
  for (const auto& item : loaded.load.diagnostics.errors())
    loaded.errors.push_back(item.format());
  for (const auto& item : loaded.load.diagnostics.warnings())
    loaded.warnings.push_back(item.format());
  config::Diagnostics diagnostics;
  loaded.settings = JiraSettings::read(loaded.load.config, diagnostics);
  return loaded;
}

TEST(JiraSettings, NoSectionLeavesTheConnectorOffWithoutAnyProblem) {
  Loaded loaded = load("instance: {name: Acme}\n");
  EXPECT_TRUE(loaded.errors.empty());
  EXPECT_FALSE(loaded.settings.configured);
}

TEST(JiraSettings, ACompleteSectionIsReadWithItsDefaultsAndItsSecretsRedacted) {
  Loaded loaded = load(kComplete);
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors.front();
  const JiraSettings& settings = loaded.settings;
  EXPECT_TRUE(settings.configured);
  EXPECT_EQ(settings.account.base_url, "https://acme.atlassian.net");
  EXPECT_EQ(settings.account.email, "bot@acme.com");
  EXPECT_EQ(settings.account.api_token, "jira-api-token-0123456789");
  EXPECT_EQ(settings.webhook_secret, "jira-webhook-secret-0123456789");
  EXPECT_EQ(settings.folder, "jira");
  EXPECT_FALSE(settings.sla.has_value());
  EXPECT_EQ(settings.custom_fields.severity, "customfield_10004");
  EXPECT_EQ(settings.custom_fields.first_response, "customfield_10328");
  EXPECT_EQ(settings.custom_fields.request_type, "");
  EXPECT_EQ(settings.attachment_max_bytes, 50 * 1024 * 1024);
  EXPECT_EQ(settings.webhook_max_body_bytes, 1024 * 1024);
  EXPECT_EQ(settings.request_timeout, std::chrono::seconds(30));
  EXPECT_EQ(settings.retries, 5);
  EXPECT_EQ(settings.parallel, 4);
  EXPECT_EQ(log::redact("jira-api-token-0123456789 jira-webhook-secret-0123456789"), "*** ***");
}

// A missing key is reported at the first line of its mapping, as for every section.
TEST(JiraSettings, AMissingWebhookSecretIsAnErrorWithItsLineNeverAcceptEverything) {
  Loaded loaded = load(kComplete, {{"JIRA_API_TOKEN", "jira-api-token-0123456789"}});
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0],
            "instance.yaml:5: jira.webhook_secret: is required (write ${JIRA_WEBHOOK_SECRET}: "
            "webhooks are never accepted unsigned); its value '${JIRA_WEBHOOK_SECRET}' refers to "
            "an unset or empty variable");
  Loaded absent = load(
      "jira:\n  base_url: https://acme.atlassian.net\n  email: a@b.c\n"
      "  api_token: t\n");
  ASSERT_EQ(absent.errors.size(), 1u);
  EXPECT_EQ(absent.errors[0].rfind("instance.yaml:2: jira.webhook_secret: is required", 0), 0u)
      << absent.errors[0];
  EXPECT_THROW(JiraSettings::from(absent.load.config), Error);
}

TEST(JiraSettings, EveryProblemIsReportedAtOnceWithItsFileAndLine) {
  Loaded loaded = load(
      "jira:\n"                                    // 1
      "  base_url: acme.atlassian.net\n"           // 2
      "  webhook_secret: s3cret-value-1234\n"      // 3
      "  folder: Jira Tickets\n"                   // 4
      "  sla:\n"                                   // 5
      "    base_url: https://api.atlassian.com\n"  // 6
      "  custom_fields:\n"                         // 7
      "    severity: 10004\n"                      // 8
      "    colour: customfield_1\n"                // 9
      "  webhook: {max_body_kb: 0}\n"              // 10
      "  requests: {parallel: many}\n");           // 11
  EXPECT_EQ(loaded.errors,
            (std::vector<std::string>{
                "instance.yaml:2: jira.email: is required (the account the connector signs in as)",
                "instance.yaml:2: jira.api_token: is required (write ${JIRA_API_TOKEN} and put "
                "the token in .env)",
                "instance.yaml:2: jira.base_url: must be an http(s) URL, found "
                "'acme.atlassian.net'",
                "instance.yaml:4: jira.folder: must be a folder name of lower-case letters, "
                "digits, '_' and '-', found 'Jira Tickets'",
                "instance.yaml:6: jira.sla.email: is required (the account the connector signs "
                "in as)",
                "instance.yaml:6: jira.sla.api_token: is required (write ${JIRA_SLA_API_TOKEN} "
                "and put the token in .env)",
                "instance.yaml:8: jira.custom_fields.severity: must be a custom field id such as "
                "customfield_10010, found '10004'",
                "instance.yaml:10: jira.webhook.max_body_kb: must be between 1 and 65536, found 0",
                "instance.yaml:11: jira.requests.parallel: expected an integer, found 'many'"}));
  EXPECT_EQ(loaded.warnings,
            (std::vector<std::string>{"instance.yaml:9: jira.custom_fields.colour: unknown key "
                                      "(ignored): no column is filled from it"}));
}

TEST(JiraSettings, ABodyLimitAboveThePortalsIsAWarning) {
  Loaded loaded = load(std::string(kComplete) + "  webhook: {max_body_kb: 4096}\n" +
                       "server: {max_body_kb: 1024}\n");
  EXPECT_TRUE(loaded.errors.empty());
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_NE(loaded.warnings[0].find("jira.webhook.max_body_kb: is above server.max_body_kb (1024)"),
            std::string::npos)
      << loaded.warnings[0];
}

TEST(JiraSettings, TheCheckAndSlaPollDefaultToTheOriginalsTimesWithARealDeepWindow) {
  Loaded loaded = load(kComplete);
  EXPECT_TRUE(loaded.errors.empty());
  const JiraSettings& settings = loaded.settings;
  EXPECT_EQ(settings.consistency.window_days, 30);
  EXPECT_EQ(settings.consistency.deep_window_days, 365);
  EXPECT_EQ(settings.consistency.max_repairs, 200);
  EXPECT_EQ(settings.consistency.schedule, std::vector<std::string>{"*:0/30"});
  EXPECT_EQ(settings.consistency.deep_schedule, std::vector<std::string>{"Sun *-*-* 03:00:00 UTC"});
  EXPECT_EQ(settings.sla_poll_schedule, std::vector<std::string>{"*:0/15"});
  EXPECT_EQ(settings.sla_poll_max_issues, 1000);
}

TEST(JiraSettings, TheCheckAndSlaPollSettingsAreReadAndTheirProblemsHaveTheirLines) {
  Loaded good = load(std::string(kComplete) +
                     "  consistency:\n"
                     "    window_days: 7\n"
                     "    deep_window_days: 90\n"
                     "    max_repairs: 50\n"
                     "    schedule: ['*:0/10', '12:00']\n"
                     "    deep_schedule: 'Sat 04:00'\n"
                     "  sla_poll: {schedule: '*:0/5', max_issues: 20}\n");
  EXPECT_TRUE(good.errors.empty()) << good.errors[0];
  EXPECT_EQ(good.settings.consistency.window_days, 7);
  EXPECT_EQ(good.settings.consistency.deep_window_days, 90);
  EXPECT_EQ(good.settings.consistency.max_repairs, 50);
  EXPECT_EQ(good.settings.consistency.schedule, (std::vector<std::string>{"*:0/10", "12:00"}));
  EXPECT_EQ(good.settings.consistency.deep_schedule, std::vector<std::string>{"Sat 04:00"});
  EXPECT_EQ(good.settings.sla_poll_schedule, std::vector<std::string>{"*:0/5"});
  EXPECT_EQ(good.settings.sla_poll_max_issues, 20);

  Loaded bad = load(std::string(kComplete) +          // 1-8
                    "  consistency:\n"                // 9
                    "    window_days: 60\n"           // 10
                    "    deep_window_days: 30\n"      // 11
                    "    max_repairs: 0\n"            // 12
                    "    schedule: ['25:00']\n"       // 13
                    "  sla_poll: {schedule: []}\n");  // 14
  ASSERT_EQ(bad.errors.size(), 4u);
  EXPECT_EQ(bad.errors[0].rfind("instance.yaml:11: jira.consistency.deep_window_days: must be at "
                                "least window_days (60)",
                                0),
            0u)
      << bad.errors[0];
  EXPECT_EQ(
      bad.errors[1],
      "instance.yaml:12: jira.consistency.max_repairs: must be between 1 and 100000, found 0");
  EXPECT_EQ(bad.errors[2].rfind("instance.yaml:13: jira.consistency.schedule", 0), 0u)
      << bad.errors[2];
  EXPECT_EQ(bad.errors[3].rfind("instance.yaml:14: jira.sla_poll.schedule: list at least one", 0),
            0u)
      << bad.errors[3];
}

}  // namespace
}  // namespace da::connectors::jira
