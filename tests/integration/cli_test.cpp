// Runs the real da binary: exit codes, one-line errors, --json, --config and CONFIG_DIR.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace da {
namespace {

using testing::ProcessOptions;
using testing::run_da;
using testing::TempDir;

size_t line_count(const std::string& text) {
  return std::count(text.begin(), text.end(), '\n');
}

// A valid instance in `dir`: config/instance.yaml and docs/data_description.md.
void write_instance(const TempDir& dir) {
  dir.write("config/instance.yaml",
            "instance:\n  name: Test\n"
            "auth:\n  allowed_domain: example.com\n  webapp_secret_key: ${WEBAPP_SECRET_KEY:-}\n"
            "server:\n  hostname: data.example.com\n");
  dir.write("docs/data_description.md",
            "```yaml\ntables:\n  - {id: in.c-a.t, name: t, description: x, primary_key: id, "
            "sync_strategy: full_refresh}\n```\n");
}

TEST(Cli, HelpAndVersionSucceed) {
  auto help = run_da({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("config"), std::string::npos);
  auto version = run_da({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("da ", 0), 0u);
  EXPECT_NE(version.out.find("DuckDB v1."), std::string::npos) << version.out;
}

TEST(Cli, CatalogBuildAlsoAnswersToItsOldNameDocsWhichHelpDoesNotList) {
  auto help = run_da({"--help"});
  EXPECT_NE(help.out.find("\n  catalog "), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("\n  docs "), std::string::npos) << help.out;
  for (const char* name : {"catalog", "docs"}) {
    auto build = run_da({name, "build", "--help"});
    EXPECT_EQ(build.exit_code, 0) << name << ": " << build.err;
    EXPECT_NE(build.out.find("Regenerate CLAUDE.md"), std::string::npos) << name << ": " << build.out;
  }
}

TEST(Cli, UsageErrorsExitTwoWithOneLine) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{},
                                             {"no-such-command"},
                                             {"config", "check", "--for", "nothing"},
                                             {"config", "check", "--bogus"}}) {
    auto result = run_da(args);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(line_count(result.err), 1u) << result.err;
    EXPECT_EQ(result.err.rfind("da: error: ", 0), 0u) << result.err;
  }
}

TEST(Cli, ConfigCheckPassesOnAValidInstanceFoundThroughConfigDir) {
  TempDir dir;
  write_instance(dir);
  ProcessOptions options;
  options.env = {{"CONFIG_DIR", (dir / "config").string()},
                 {"WEBAPP_SECRET_KEY", "0123456789abcdef0123456789abcdef"}};
  auto result = run_da({"config", "check"}, options);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("configuration OK (0 warning(s), 1 tables)"), std::string::npos)
      << result.out;
}

TEST(Cli, ConfigCheckListsEveryProblemAndExitsTwo) {
  TempDir dir;
  write_instance(dir);
  dir.write("config/instance.yaml", "sync:\n  threads: lots\n  compression: rar\n");
  dir.write("docs/data_description.md",
            "```yaml\ntables:\n  - {id: in.c-a.t, name: t, sync_strategy: sometimes}\n```\n");
  auto result =
      run_da({"--config", (dir / "config").string(), "config", "check", "--for", "engine"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.out.find("instance.yaml:2: sync.threads: expected an integer"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("instance.yaml:3: sync.compression"), std::string::npos);
  EXPECT_NE(
      result.out.find("data_description.md:3: tables[0].sync_strategy: invalid value 'sometimes'"),
      std::string::npos);
  EXPECT_NE(result.out.find("configuration has 3 error(s)"), std::string::npos);
}

TEST(Cli, ConfigCheckReportsTheModulesSectionsWithTheCoresProblemsAtOnce) {
  TempDir dir;
  write_instance(dir);
  dir.write("config/instance.yaml",
            "sync:\n  compression: rar\n"            // 2
            "telegram:\n  bot_username: acme_bot\n"  // 4
            "notifications:\n  runner_workers: 0\n"  // 6
            "email:\n  smtp_port: 99999\n");         // 8
  auto result =
      run_da({"--config", (dir / "config").string(), "config", "check", "--for", "engine"});
  EXPECT_EQ(result.exit_code, 2);
  for (const char* expected :
       {"instance.yaml:2: sync.compression: must be one of",
        "instance.yaml:4: telegram.bot_token: is required because telegram.bot_username is set",
        "instance.yaml:6: notifications.runner_workers: must be between 1 and 64",
        "instance.yaml:8: email.smtp_port: must be between 1 and 65535",
        "configuration has 4 error(s)"})
    EXPECT_NE(result.out.find(expected), std::string::npos) << expected << "\n" << result.out;
}

TEST(Cli, ConfigCheckWarnsAboutASectionNoModuleReads) {
  TempDir dir;
  write_instance(dir);
  dir.write("config/instance.yaml",
            "instance:\n  name: Test\nnotifcations:\n  runner_workers: 2\n"
            "ai:\n  anthropic_api_key: ai-key-0123456789abcdef\n");
  auto result =
      run_da({"--config", (dir / "config").string(), "config", "check", "--for", "engine"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("warning: " + (dir / "config/instance.yaml").string() +
                            ":3: notifcations: unknown key (ignored)"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("ai: unknown key (ignored)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("configuration OK (2 warning(s)"), std::string::npos) << result.out;
  auto token =
      run_da({"--config", (dir / "config").string(), "config", "get", "ai.anthropic_api_key"});
  EXPECT_EQ(token.exit_code, 0) << token.err;
  EXPECT_EQ(token.out, "***\n");
}

TEST(Cli, ConfigCheckReportsTheSignInProvidersSettings) {
  TempDir dir;
  write_instance(dir);
  dir.write("config/instance.yaml",
            "auth:\n  allowed_domain: example.com\n"
            "  webapp_secret_key: 0123456789abcdef0123456789abcdef\n"
            "  oidc: {client_id: portal, promt: login}\n"
            "server:\n  hostname: data.example.com\n");
  auto result =
      run_da({"--config", (dir / "config").string(), "config", "check", "--for", "portal"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.out.find("instance.yaml:4: auth.oidc.client_secret: is required"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("auth.oidc.discovery_url: is required"), std::string::npos);
  EXPECT_NE(result.out.find("auth.oidc.promt: unknown key"), std::string::npos);
}

TEST(Cli, ConfigCheckJsonIsParseable) {
  TempDir dir;
  write_instance(dir);
  auto result = run_da(
      {"--json", "--config", (dir / "config").string(), "config", "check", "--for", "portal"});
  EXPECT_EQ(result.exit_code, 2);
  auto report = nlohmann::json::parse(result.out);
  EXPECT_FALSE(report["ok"].get<bool>());
  ASSERT_EQ(report["errors"].size(), 1u);
  EXPECT_EQ(report["errors"][0]["path"], "auth.webapp_secret_key");
}

TEST(Cli, MissingConfigurationIsAClearError) {
  TempDir dir;
  ProcessOptions options;
  options.working_dir = dir.path();
  options.unset_env = {"CONFIG_DIR", "DA_CONFIG_DIR"};
  auto result = run_da({"config", "check"}, options);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.out.find("instance configuration not found: config/instance.yaml"),
            std::string::npos)
      << result.out;
}

TEST(Cli, SecretsNeverAppearInErrors) {
  TempDir dir;
  write_instance(dir);
  dir.write("config/instance.yaml",
            "auth:\n  google_client_id: ${SECRET_ID}\n  webapp_secret_key: ${KEY}\n"
            "sync:\n  memory_limit: ${KEY}\n");
  ProcessOptions options;
  options.env = {{"KEY", "super-secret-value-1234567890abcdef"}, {"SECRET_ID", "id"}};
  auto result = run_da({"--config", (dir / "config").string(), "config", "check"}, options);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out.find("super-secret-value"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("sync.memory_limit"), std::string::npos);
}

}  // namespace
}  // namespace da
