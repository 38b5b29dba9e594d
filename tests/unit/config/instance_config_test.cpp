#include <map>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/config/instance_config_loader.hpp"
#include "da/identity/desktop_settings.hpp"
#include "da/mail/email_settings.hpp"
#include "da/notify/notifications_settings.hpp"
#include "da/module/module_registry.hpp"

namespace da::config {
namespace {

using testing::TempDir;

EnvLookup fake_env(std::map<std::string, std::string> values = {}) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

ConfigLoadResult parse(std::string_view yaml, std::map<std::string, std::string> env = {}) {
  return parse_instance_config(yaml, "instance.yaml", "/srv/instance/config",
                               fake_env(std::move(env)));
}

// The sections the modules of this build claim (email, desktop, telegram, notifications, ...).
const SectionOwners* module_owners() {
  static const auto registry = [] {
    auto modules = std::make_unique<ModuleRegistry>();
    register_all_modules(*modules);
    return modules;
  }();
  return &registry->config_sections;
}

// parse() as a command loads the file: the modules read and check their sections too.
ConfigLoadResult parse_with_modules(std::string_view yaml,
                                    std::map<std::string, std::string> env = {}) {
  return parse_instance_config(yaml, "instance.yaml", "/srv/instance/config",
                               fake_env(std::move(env)), module_owners());
}

std::vector<std::string> formatted_errors(const Diagnostics& diagnostics) {
  std::vector<std::string> result;
  for (const auto& item : diagnostics.errors())
    result.push_back(item.format());
  return result;
}

bool has_error(const Diagnostics& diagnostics, std::string_view text) {
  for (const auto& item : formatted_errors(diagnostics)) {
    if (item.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(InstanceConfig, MinimalFileGetsDefaultsAndPathsResolveAgainstTheInstanceRoot) {
  ConfigLoadResult result = parse_with_modules("instance:\n  name: Acme\n");
  EXPECT_FALSE(result.diagnostics.has_errors());
  const InstanceConfig& config = result.config;
  EXPECT_EQ(config.instance.name, "Acme");
  EXPECT_EQ(config.data_source.type, "csv");
  EXPECT_EQ(config.paths.data_dir, "/srv/instance/data");
  EXPECT_EQ(config.paths.docs_dir, "/srv/instance/docs");
  EXPECT_EQ(config.paths.state_db, "/srv/instance/data/state.db");
  EXPECT_EQ(config.sync.memory_limit_bytes, 2'000'000'000u);
  EXPECT_EQ(config.sync.parallel_tables, 2);
  EXPECT_EQ(config.sync.compression, "zstd");
  EXPECT_EQ(identity::DesktopSettings::from(config).jwt_issuer, "data-analyst");
  EXPECT_EQ(mail::EmailSettings::from(config).smtp_port, 587);
}

TEST(InstanceConfig, TheShippedExampleIsValid) {
  auto text = testing::read_text(std::string(DA_SOURCE_DIR) + "/config/instance.yaml.example");
  ConfigLoadResult result = parse_with_modules(text);
  EXPECT_FALSE(result.diagnostics.has_errors()) << formatted_errors(result.diagnostics).front();
  EXPECT_TRUE(result.diagnostics.warnings().empty())
      << result.diagnostics.warnings().front().format();
  EXPECT_EQ(result.config.auth.allowed_domains, (std::vector<std::string>{"example.com"}));
  EXPECT_EQ(result.config.server.hostname, "data.example.com");
}

TEST(InstanceConfig, InterpolatesStringsIntegersAndDefaults) {
  ConfigLoadResult result = parse_with_modules(
      "paths:\n  data_dir: ${DATA_DIR:-/data}\n"
      "email:\n  smtp_port: ${SMTP_PORT}\n"
      "sync:\n  threads: ${THREADS:-4}\n",
      {{"SMTP_PORT", "2525"}});
  EXPECT_FALSE(result.diagnostics.has_errors());
  EXPECT_EQ(result.config.paths.data_dir, "/data");
  EXPECT_EQ(mail::EmailSettings::from(result.config).smtp_port, 2525);
  EXPECT_EQ(result.config.sync.threads, 4);
}

TEST(InstanceConfig, ReportsEveryProblemAtOnceWithLineAndKeyPath) {
  ConfigLoadResult result = parse_with_modules(
      "instance:\n"
      "  name: ''\n"  // 2
      "sync:\n"
      "  memory_limit: lots\n"  // 4
      "  threads: many\n"       // 5
      "  parallel_tables: 0\n"  // 6
      "  compression: rar\n"    // 7
      "email:\n"
      "  smtp_port: 99999\n"     // 9
      "  smtp_use_tls: maybe\n"  // 10
      "deployment:\n"
      "  method: ftp\n"  // 12
      "auth:\n"
      "  allowed_domain: 'acme.com, not a domain'\n"  // 14
      "logging:\n"
      "  level: loud\n"  // 16
      "admins:\n"
      "  - username: Bad User\n");  // 18
  const Diagnostics& d = result.diagnostics;
  EXPECT_TRUE(has_error(d, "instance.yaml:2: instance.name: must not be empty"));
  EXPECT_TRUE(has_error(d, "instance.yaml:4: sync.memory_limit: expected a size"));
  EXPECT_TRUE(has_error(d, "instance.yaml:5: sync.threads: expected an integer, found 'many'"));
  EXPECT_TRUE(has_error(d, "instance.yaml:6: sync.parallel_tables: must be between 1 and 64"));
  EXPECT_TRUE(has_error(d, "instance.yaml:7: sync.compression: must be one of"));
  EXPECT_TRUE(has_error(d, "instance.yaml:9: email.smtp_port: must be between 1 and 65535"));
  EXPECT_TRUE(has_error(d, "instance.yaml:10: email.smtp_use_tls: expected true or false"));
  EXPECT_TRUE(has_error(d, "instance.yaml:12: deployment.method"));
  EXPECT_TRUE(
      has_error(d, "instance.yaml:14: auth.allowed_domain: 'not a domain' is not a domain name"));
  EXPECT_TRUE(has_error(d, "instance.yaml:16: logging.level: unknown log level 'loud'"));
  EXPECT_TRUE(has_error(d, "instance.yaml:18: admins[0].ssh_public_key: is required"));
  EXPECT_TRUE(has_error(d, "admins[0].username: 'Bad User' is not a valid Linux user name"));
  EXPECT_EQ(d.errors().size(), 12u) << ::testing::PrintToString(formatted_errors(d));
}

TEST(InstanceConfig, WrongShapesAreErrorsNotCrashes) {
  ConfigLoadResult result = parse("sync: [1, 2]\nauth: text\ndatasets: [a]\n");
  EXPECT_TRUE(has_error(result.diagnostics, "instance.yaml:1: sync: expected a mapping"));
  EXPECT_TRUE(has_error(result.diagnostics, "instance.yaml:2: auth: expected a mapping"));
  EXPECT_TRUE(has_error(result.diagnostics, "instance.yaml:3: datasets: expected a mapping"));
  EXPECT_THROW(parse("- just\n- a list\n").diagnostics.throw_if_errors("bad"), Error);
  EXPECT_THROW(parse(""), Error);
}

TEST(InstanceConfig, TheNotificationRunnersWorkersAndContainmentAreChecked) {
  ConfigLoadResult defaults = parse_with_modules("instance:\n  name: Acme\n");
  auto default_settings = notify::NotificationsSettings::from(defaults.config);
  EXPECT_EQ(default_settings.runner_workers, 4);
  EXPECT_EQ(default_settings.script_containment, "auto");
  ConfigLoadResult set =
      parse_with_modules("notifications:\n  runner_workers: 8\n  script_containment: subreaper\n");
  EXPECT_FALSE(set.diagnostics.has_errors());
  auto settings = notify::NotificationsSettings::from(set.config);
  EXPECT_EQ(settings.runner_workers, 8);
  EXPECT_EQ(settings.script_containment, "subreaper");
  ConfigLoadResult wrong =
      parse_with_modules("notifications:\n  runner_workers: 0\n  script_containment: jail\n");
  EXPECT_TRUE(has_error(wrong.diagnostics, "notifications.runner_workers"));
  EXPECT_TRUE(has_error(
      wrong.diagnostics,
      "notifications.script_containment: must be one of auto, cgroup, subreaper, found 'jail'"))
      << formatted_errors(wrong.diagnostics).back();
}

TEST(InstanceConfig, TheCatalogFolderIsCatalogDirAndItsOldNameDocsDirStillWorksWithAWarning) {
  ConfigLoadResult current = parse("paths:\n  catalog_dir: /srv/catalog\n");
  EXPECT_FALSE(current.diagnostics.has_errors());
  EXPECT_TRUE(current.diagnostics.warnings().empty());
  EXPECT_EQ(current.config.paths.docs_dir, "/srv/catalog");

  ConfigLoadResult old = parse("paths:\n  docs_dir: /srv/old\n");
  EXPECT_FALSE(old.diagnostics.has_errors());
  EXPECT_EQ(old.config.paths.docs_dir, "/srv/old");
  ASSERT_EQ(old.diagnostics.warnings().size(), 1u);
  EXPECT_EQ(old.diagnostics.warnings()[0].format(),
            "instance.yaml:2: paths.docs_dir: docs_dir is deprecated: rename it to catalog_dir");

  ConfigLoadResult both = parse("paths:\n  catalog_dir: /a\n  docs_dir: /b\n");
  EXPECT_TRUE(has_error(both.diagnostics, "paths.docs_dir: docs_dir is the old name of catalog_dir"))
      << formatted_errors(both.diagnostics).front();
}

TEST(InstanceConfig, UnknownKeysAreWarningsWithTheirLine) {
  ConfigLoadResult result = parse("sync:\n  memory_limt: 1GB\nextra_section: 1\n");
  EXPECT_FALSE(result.diagnostics.has_errors());
  auto warnings = result.diagnostics.warnings();
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].format(), "instance.yaml:3: extra_section: unknown key (ignored)");
  EXPECT_EQ(warnings[1].format(), "instance.yaml:2: sync.memory_limt: unknown key (ignored)");
}

TEST(InstanceConfig, MissingSecretOfAConfiguredFeatureIsAnError) {
  ConfigLoadResult result = parse_with_modules(
      "email:\n  smtp_host: relay.acme.com\n  smtp_user: mailer\n"
      "  smtp_password: ${SMTP_PASSWORD:-}\n"
      "telegram:\n  bot_username: acme_bot\n");
  const Diagnostics& d = result.diagnostics;
  EXPECT_TRUE(has_error(d,
                        "instance.yaml:4: email.smtp_password: is required because "
                        "email.smtp_user is set"));
  EXPECT_TRUE(has_error(d, "refers to an unset or empty variable"));
  EXPECT_TRUE(has_error(d, "telegram.bot_token: is required because telegram.bot_username is set"));
}

TEST(InstanceConfig, UnusedFeaturesNeedNoSecrets) {
  ConfigLoadResult result = parse_with_modules(
      "telegram:\n  bot_token: ${TELEGRAM_BOT_TOKEN:-}\n"
      "email:\n  smtp_password: ${SMTP_PASSWORD:-}\n");
  EXPECT_FALSE(result.diagnostics.has_errors());
}

// Nothing in this build reads ai:: an instance that still has it loads, is told so as of any
// unknown key, and its keys stay secret.
TEST(InstanceConfig, AnAiSectionNoModuleReadsLoadsWithAWarningAndItsSecretsRedacted) {
  ConfigLoadResult result = parse_with_modules("ai:\n  anthropic_api_key: ai-key-0123456789\n");
  EXPECT_FALSE(result.diagnostics.has_errors());
  std::vector<std::string> warnings;
  for (const auto& item : result.diagnostics.warnings())
    warnings.push_back(item.format());
  EXPECT_EQ(warnings, (std::vector<std::string>{"instance.yaml:1: ai: unknown key (ignored)"}));
  EXPECT_EQ(log::redact("ai-key-0123456789 acme.atlassian.net"), "*** acme.atlassian.net");
}

// The Jira connector claims jira:: a section of the original's shape is checked, and a missing
// webhook secret is an error, not a warning.
TEST(InstanceConfig, TheJiraSectionIsCheckedByTheConnector) {
  ConfigLoadResult result = parse_with_modules(
      "jira:\n  domain: acme.atlassian.net\n  api_token: jira-token-0123456789\n");
  EXPECT_EQ(formatted_errors(result.diagnostics),
            (std::vector<std::string>{
                "instance.yaml:2: jira.base_url: is required (https://<site>.atlassian.net, or "
                "your Jira Data Center's URL)",
                "instance.yaml:2: jira.email: is required (the account the connector signs in as)",
                "instance.yaml:2: jira.webhook_secret: is required (write ${JIRA_WEBHOOK_SECRET}: "
                "webhooks are never accepted unsigned)"}));
  EXPECT_EQ(log::redact("jira-token-0123456789"), "***");
}

TEST(InstanceConfig, DatasetRequirementsMustNameAnotherDataset) {
  ConfigLoadResult result = parse(
      "datasets:\n  jira:\n    label: Jira\n  jira_sla:\n    requires: jira\n"
      "  broken:\n    requires: nothing\n");
  EXPECT_EQ(result.diagnostics.errors().size(), 1u);
  EXPECT_TRUE(
      has_error(result.diagnostics, "datasets.broken.requires: 'nothing' is not another dataset"));
  EXPECT_EQ(result.config.datasets[1].second.requires_dataset, "jira");
}

TEST(InstanceConfig, CatalogOrderDefaultsToTheCategories) {
  ConfigLoadResult result =
      parse("catalog:\n  categories:\n    sales: {label: Sales}\n    crm: {label: CRM}\n");
  EXPECT_EQ(result.config.catalog.order, (std::vector<std::string>{"sales", "crm"}));
}

TEST(InstanceConfig, EnvironmentWinsOverDotEnvWhichWinsOverTheParentDotEnv) {
  TempDir dir;
  dir.write("config/instance.yaml",
            "auth:\n  allowed_emails: ${A}\n  webapp_secret_key: ${B}\n"
            "server:\n  hostname: ${C}\n");
  dir.write("config/.env", "A=from-config-env@x.com\nB=from-config-env\n");
  dir.write(".env", "B=from-root-env\nC=from-root-env\n");
  ConfigLoadResult result = load_instance_config(dir / "config", fake_env({{"A", "real@x.com"}}));
  EXPECT_EQ(result.config.auth.allowed_emails, (std::vector<std::string>{"real@x.com"}));
  EXPECT_EQ(result.config.auth.webapp_secret_key, "from-config-env");
  EXPECT_EQ(result.config.server.hostname, "from-root-env");
  EXPECT_EQ(result.config.config_dir, (dir / "config").lexically_normal());
}

// A dual-repo instance: the product's config/instance.yaml is a link into the instance
// repository, whose .env (and its root's) lies next to the real file.
TEST(InstanceConfig, DotEnvIsReadNextToTheResolvedInstanceYamlAfterTheFolderGiven) {
  TempDir dir;
  auto real = dir.write("instance/config/instance.yaml",
                        "auth:\n  allowed_emails: ${A}\n  webapp_secret_key: ${B}\n"
                        "server:\n  hostname: ${C}\n  host: ${D}\n");
  dir.write("instance/config/.env",
            "A=instance-config@x.com\nB=instance-config\nC=instance-config\n");
  dir.write("instance/.env", "D=instance-root\nC=instance-root\n");
  dir.write("product/config/.env", "B=product-config\n");
  std::filesystem::create_symlink(real, dir / "product/config/instance.yaml");
  ConfigLoadResult result = load_instance_config(dir / "product/config", fake_env());
  EXPECT_FALSE(result.diagnostics.has_errors()) << formatted_errors(result.diagnostics).at(0);
  EXPECT_EQ(result.config.auth.allowed_emails, (std::vector<std::string>{"instance-config@x.com"}));
  EXPECT_EQ(result.config.auth.webapp_secret_key, "product-config");  // the folder given wins
  EXPECT_EQ(result.config.server.hostname, "instance-config");
  EXPECT_EQ(result.config.server.host, "instance-root");
  // Relative paths still resolve against the folder given (the product's instance root).
  EXPECT_EQ(result.config.instance_root, (dir / "product").lexically_normal());
}

TEST(InstanceConfig, TheSubPathOfBaseUrlIsItsPathAndMustBePlain) {
  EXPECT_EQ(parse("server: {base_url: 'https://data.acme.com'}\n").config.server.base_path(), "");
  EXPECT_EQ(parse("server: {base_url: 'https://data.acme.com/'}\n").config.server.base_path(), "");
  EXPECT_EQ(parse("server: {base_url: 'https://data.acme.com:8443/tools/da/'}\n")
                .config.server.base_path(),
            "/tools/da");
  EXPECT_EQ(parse("server: {hostname: data.acme.com}\n").config.server.base_path(), "");
  for (const char* bad : {"https://h/da?x=1", "https://h/a//b", "https://h/a/../b",
                          "https://h/d%20a", "https://h/da#top", "https://h/d a"}) {
    auto result = parse("server: {base_url: '" + std::string(bad) + "'}\n");
    EXPECT_TRUE(has_error(result.diagnostics, "server.base_url: its path")) << bad;
  }
}

TEST(InstanceConfig, AFolderMappingIsRefusedWithWhereItBelongs) {
  ConfigLoadResult result = parse("instance:\n  name: Acme\nfolder_mapping:\n  in.c-crm: crm\n");
  EXPECT_TRUE(has_error(result.diagnostics,
                        "instance.yaml:4: folder_mapping: is not read from instance.yaml: map "
                        "buckets to Parquet folders in the table catalog instead, with 'da tables "
                        "map BUCKET FOLDER'"))
      << formatted_errors(result.diagnostics).at(0);
  EXPECT_FALSE(parse("folder_mapping: {}\n").diagnostics.has_errors());
}

TEST(InstanceConfig, TheSmtpCaFileResolvesAgainstTheInstanceRootUnderEitherKey) {
  TempDir dir;
  dir.write("config/relay-ca.pem",
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  for (const char* yaml : {"email:\n  smtp_ca_file: config/relay-ca.pem\n",
                           "auth:\n  email:\n    smtp_ca_file: config/relay-ca.pem\n"}) {
    ConfigLoadResult result =
        parse_instance_config(yaml, "instance.yaml", dir / "config", fake_env(), module_owners());
    EXPECT_FALSE(result.diagnostics.has_errors()) << formatted_errors(result.diagnostics).at(0);
    EXPECT_TRUE(result.diagnostics.warnings().empty()) << yaml;
    EXPECT_EQ(mail::EmailSettings::from(result.config).smtp_ca_file, dir / "config/relay-ca.pem");
  }
}

TEST(InstanceConfig, AMissingOrWrongSmtpCaFileIsAnErrorNamingThePath) {
  TempDir dir;
  auto check = [&](const std::string& yaml) {
    return parse_instance_config(yaml, "instance.yaml", dir / "config", fake_env(), module_owners())
        .diagnostics;
  };
  auto missing = check("email:\n  smtp_host: relay\n  smtp_ca_file: /nonexistent/ca.pem\n");
  EXPECT_TRUE(has_error(missing,
                        "instance.yaml:3: email.smtp_ca_file: the CA file /nonexistent/ca.pem "
                        "does not exist"))
      << formatted_errors(missing).at(0);
  dir.write("key.pem", "-----BEGIN PRIVATE KEY-----\n");
  auto wrong = check("auth:\n  email:\n    smtp_ca_file: key.pem\n");
  EXPECT_TRUE(has_error(wrong, "instance.yaml:3: auth.email.smtp_ca_file: the CA file " +
                                   (dir / "key.pem").string() + " holds no certificate"))
      << formatted_errors(wrong).at(0);
  auto both = check("email: {smtp_ca_file: a.pem}\nauth: {email: {smtp_ca_file: b.pem}}\n");
  EXPECT_TRUE(has_error(both, "auth.email.smtp_ca_file: differs from email.smtp_ca_file"));
}

TEST(InstanceConfig, MissingFileNamesThePathAndTheFix) {
  TempDir dir;
  try {
    load_instance_config(dir / "config", fake_env());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
    EXPECT_NE(std::string(e.what()).find("config/instance.yaml"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("instance.yaml.example"), std::string::npos);
  }
}

TEST(InstanceConfig, ConfigDirComesFromTheOptionThenTheEnvironmentThenTheDefault) {
  EXPECT_EQ(resolve_config_dir(std::filesystem::path("/opt/cfg"),
                               fake_env({{"DA_CONFIG_DIR", "/da-env"}, {"CONFIG_DIR", "/env"}})),
            "/opt/cfg");
  EXPECT_EQ(resolve_config_dir(std::nullopt,
                               fake_env({{"DA_CONFIG_DIR", "/da-env"}, {"CONFIG_DIR", "/env"}})),
            "/da-env");
  EXPECT_EQ(
      resolve_config_dir(std::nullopt, fake_env({{"DA_CONFIG_DIR", ""}, {"CONFIG_DIR", "/env"}})),
      "/env");
  EXPECT_EQ(resolve_config_dir(std::nullopt, fake_env({{"CONFIG_DIR", "/env"}})), "/env");
  EXPECT_EQ(resolve_config_dir(std::nullopt, fake_env()), "config");
}

TEST(InstanceConfig, TheUnitsDaConfigDirWinsOverConfigDirButNotOverTheOption) {
  auto both = fake_env({{"DA_CONFIG_DIR", "/opt/data-analyst/config"}, {"CONFIG_DIR", "/env"}});
  EXPECT_EQ(resolve_config_dir(std::nullopt, both), "/opt/data-analyst/config");
  EXPECT_EQ(resolve_config_dir(std::filesystem::path("/opt/cfg"), both), "/opt/cfg");
  EXPECT_EQ(
      resolve_config_dir(std::nullopt, fake_env({{"DA_CONFIG_DIR", ""}, {"CONFIG_DIR", "/env"}})),
      "/env");
}

TEST(InstanceConfig, TheSyncScheduleDefaultsToTheOriginalsThreeRunsADayInUtc) {
  ConfigLoadResult result = parse("instance:\n  name: Acme\n");
  EXPECT_EQ(result.config.sync.schedule, (std::vector<std::string>{"06:00", "14:00", "19:00"}));
}

TEST(InstanceConfig, TheSyncScheduleTakesTimesAndCalendarExpressions) {
  ConfigLoadResult result = parse(
      "sync:\n  schedule:\n    - 05:30\n    - 'Mon..Fri *-*-* 12:00:00 Europe/Prague'\n"
      "    - hourly\n");
  EXPECT_FALSE(result.diagnostics.has_errors()) << formatted_errors(result.diagnostics).front();
  EXPECT_EQ(result.config.sync.schedule,
            (std::vector<std::string>{"05:30", "Mon..Fri *-*-* 12:00:00 Europe/Prague", "hourly"}));
  ConfigLoadResult one = parse("sync:\n  schedule: 'Sat,Sun 09:00'\n");
  EXPECT_FALSE(one.diagnostics.has_errors()) << formatted_errors(one.diagnostics).front();
  EXPECT_EQ(one.config.sync.schedule, (std::vector<std::string>{"Sat,Sun 09:00"}));
}

TEST(InstanceConfig, ABadSyncScheduleEntryIsAnErrorWithItsFileAndLine) {
  ConfigLoadResult result = parse(
      "sync:\n"
      "  schedule:\n"
      "    - '06:00'\n"    // 3
      "    - '25:00'\n"    // 4
      "    - 'at noon'\n"  // 5
      "    - []\n");       // 6
  const Diagnostics& d = result.diagnostics;
  EXPECT_TRUE(has_error(d, "instance.yaml:4: sync.schedule[1]: '25:00'"))
      << ::testing::PrintToString(formatted_errors(d));
  EXPECT_TRUE(has_error(d, "instance.yaml:5: sync.schedule[2]: 'at noon'"));
  EXPECT_TRUE(has_error(d, "instance.yaml:6: sync.schedule[3]"));
  EXPECT_EQ(d.errors().size(), 3u) << ::testing::PrintToString(formatted_errors(d));
  EXPECT_TRUE(has_error(parse("sync:\n  schedule: []\n").diagnostics,
                        "instance.yaml:2: sync.schedule: list at least one time"));
}

TEST(InstanceConfig, TheDocumentKeepsEveryKeyInterpolatedFromTheEnvironmentAndDotEnv) {
  TempDir dir;
  dir.write("config/instance.yaml",
            "telegram:\n  bot_token: ${TOKEN:-}\n  bot_username: ${NAME}\ncustom:\n  key: 1\n");
  dir.write("config/.env", "TOKEN=from-dotenv\n");
  ConfigLoadResult result = load_instance_config(dir / "config", fake_env({{"NAME", "bot"}}));
  const YamlNode* token = find_path(result.document, "telegram.bot_token");
  ASSERT_NE(token, nullptr);
  EXPECT_EQ(token->scalar, "from-dotenv");
  ASSERT_NE(find_path(result.document, "telegram.bot_username"), nullptr);
  EXPECT_EQ(find_path(result.document, "telegram.bot_username")->scalar, "bot");
  ASSERT_NE(find_path(result.document, "custom.key"), nullptr);
}

TEST(InstanceConfig, WebPortalNeedsAStrongSecretWhoMaySignInAndAHostName) {
  ConfigLoadResult weak = parse("auth:\n  webapp_secret_key: dev-secret-key-change-me\n");
  Diagnostics diagnostics;
  check_web_portal_requirements(weak.config, diagnostics);
  EXPECT_TRUE(has_error(diagnostics, "auth.webapp_secret_key: is too weak"));
  EXPECT_TRUE(has_error(diagnostics, "auth.allowed_domain"));
  EXPECT_TRUE(has_error(diagnostics, "server.hostname"));

  ConfigLoadResult good = parse(
      "auth:\n  webapp_secret_key: 0123456789abcdef0123456789abcdef\n  allowed_domain: acme.com\n"
      "server:\n  hostname: data.acme.com\n");
  Diagnostics none;
  check_web_portal_requirements(good.config, none);
  EXPECT_FALSE(none.has_errors());
}

}  // namespace
}  // namespace da::config
