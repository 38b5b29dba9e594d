// `da config is-set`, `da config get` and `da sync-schedule` as setup.sh and deploy.sh call
// them: the instance found through $DA_CONFIG_DIR (the units' variable), values from the
// environment and .env, and the exit codes the scripts branch on.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace da {
namespace {

using testing::ProcessOptions;
using testing::ProcessResult;
using testing::TempDir;

class ConfigCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("config/instance.yaml",
               "telegram:\n"
               "  bot_token: ${TELEGRAM_BOT_TOKEN:-}\n"
               "  bot_username: ''\n"
               "desktop:\n"
               "  jwt_secret: ${DESKTOP_JWT_SECRET:-}\n"
               "accounts:\n"
               "  helper_socket: /run/da/account-helper.sock\n"
               "auth:\n"
               "  allowed_domain: [acme.com, example.com]\n"
               "  email:\n"
               "    enabled: false\n"
               "server:\n"
               "  listen: ${LISTEN:-unix:/run/da/portal.sock}\n");
    dir_.write("config/.env", "TELEGRAM_BOT_TOKEN=123:from-dotenv\n");
  }

  // Runs da with the instance named by $DA_CONFIG_DIR only, as under systemd.
  ProcessResult da(const std::vector<std::string>& args,
                   std::map<std::string, std::string> env = {}) {
    ProcessOptions options;
    options.env = std::move(env);
    options.env["DA_CONFIG_DIR"] = (dir_ / "config").string();
    options.env["CONFIG_DIR"] = (dir_ / "elsewhere").string();
    options.unset_env = {"TELEGRAM_BOT_TOKEN", "DESKTOP_JWT_SECRET", "LISTEN"};
    options.working_dir = dir_.path();
    return testing::run_da(args, options);
  }

  TempDir dir_;
};

TEST_F(ConfigCliTest, IsSetIsTrueForAValueFromDotEnvAndFalseForAnEmptyOne) {
  ProcessResult token = da({"config", "is-set", "telegram.bot_token"});
  EXPECT_EQ(token.exit_code, 0) << token.err;
  EXPECT_EQ(token.out, "");
  EXPECT_EQ(da({"config", "is-set", "desktop.jwt_secret"}).exit_code, 1);
  EXPECT_EQ(da({"config", "is-set", "desktop.jwt_secret"}, {{"DESKTOP_JWT_SECRET", "s"}}).exit_code,
            0);
  EXPECT_EQ(da({"config", "is-set", "accounts.helper_socket"}).exit_code, 0);
}

TEST_F(ConfigCliTest, IsSetIsFalseForMissingEmptyAndFalseValues) {
  for (const char* key : {"telegram.bot_username", "auth.email.enabled", "jira.domain",
                          "no_such_section.key", "auth.allowed_domain.7"}) {
    ProcessResult result = da({"config", "is-set", key});
    EXPECT_EQ(result.exit_code, 1) << key << ": " << result.err;
    EXPECT_EQ(result.err, "") << key;
  }
  EXPECT_EQ(da({"config", "is-set", "auth.allowed_domain"}).exit_code, 0);
  EXPECT_EQ(da({"config", "is-set", "auth.email"}).exit_code, 0);
}

TEST_F(ConfigCliTest, IsSetIsTrueWhenAnyOfSeveralKeysIsSetInOneArgumentOrMany) {
  EXPECT_EQ(da({"config", "is-set", "desktop.jwt_secret telegram.bot_token"}).exit_code, 0);
  EXPECT_EQ(da({"config", "is-set", "desktop.jwt_secret", "telegram.bot_token"}).exit_code, 0);
  EXPECT_EQ(da({"config", "is-set", "desktop.jwt_secret jira.domain"}).exit_code, 1);
}

TEST_F(ConfigCliTest, IsSetExitsTwoOnAMissingOrInvalidConfiguration) {
  dir_.write("config/instance.yaml", "sync:\n  threads: lots\n");
  ProcessResult invalid = da({"config", "is-set", "telegram.bot_token"});
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_NE(invalid.err.find("instance.yaml:2: sync.threads"), std::string::npos) << invalid.err;
  dir_.write("config/instance.yaml", "a: [unclosed\n");
  EXPECT_EQ(da({"config", "is-set", "a"}).exit_code, 2);
  std::filesystem::remove(dir_ / "config" / "instance.yaml");
  ProcessResult missing = da({"config", "is-set", "a"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("instance configuration not found"), std::string::npos) << missing.err;
  EXPECT_EQ(da({"config", "is-set"}).exit_code, 2);
}

TEST_F(ConfigCliTest, GetPrintsAScalarAfterInterpolationAndAListOneItemPerLine) {
  ProcessResult listen = da({"config", "get", "server.listen"});
  EXPECT_EQ(listen.exit_code, 0) << listen.err;
  EXPECT_EQ(listen.out, "unix:/run/da/portal.sock\n");
  EXPECT_EQ(da({"config", "get", "server.listen"}, {{"LISTEN", "127.0.0.1:9000"}}).out,
            "127.0.0.1:9000\n");
  ProcessResult domains = da({"config", "get", "auth.allowed_domain"});
  EXPECT_EQ(domains.exit_code, 0) << domains.err;
  EXPECT_EQ(domains.out, "acme.com\nexample.com\n");
}

TEST_F(ConfigCliTest, GetRefusesAMappingAndReportsAMissingKey) {
  ProcessResult mapping = da({"config", "get", "auth.email"});
  EXPECT_EQ(mapping.exit_code, 2);
  EXPECT_NE(mapping.err.find("auth.email in " + (dir_ / "config" / "instance.yaml").string() +
                             " is a mapping: ask for one of auth.email.enabled"),
            std::string::npos)
      << mapping.err;
  ProcessResult missing = da({"config", "get", "jira.domain"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("jira.domain is not set in"), std::string::npos) << missing.err;
  EXPECT_EQ(missing.out, "");
}

TEST_F(ConfigCliTest, GetNeverPrintsASecret) {
  ProcessResult token = da({"config", "get", "telegram.bot_token"});
  EXPECT_EQ(token.exit_code, 0);
  EXPECT_EQ(token.out.find("from-dotenv"), std::string::npos) << token.out;
}

TEST_F(ConfigCliTest, TheOptionWinsOverDaConfigDirWhichWinsOverConfigDir) {
  TempDir other;
  other.write("config/instance.yaml", "server:\n  listen: 127.0.0.1:1\n");
  EXPECT_EQ(da({"--config", (other / "config").string(), "config", "get", "server.listen"}).out,
            "127.0.0.1:1\n");
  ProcessOptions options;
  options.env = {{"CONFIG_DIR", (other / "config").string()}};
  options.unset_env = {"DA_CONFIG_DIR", "LISTEN"};
  EXPECT_EQ(testing::run_da({"config", "get", "server.listen"}, options).out, "127.0.0.1:1\n");
}

TEST_F(ConfigCliTest, SyncScheduleDefaultsToThreeDailyRunsInUtc) {
  ProcessResult plain = da({"sync-schedule"});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "*-*-* 06:00:00 UTC\n*-*-* 14:00:00 UTC\n*-*-* 19:00:00 UTC\n");
}

TEST_F(ConfigCliTest, SyncScheduleWritesTheTimersDropIn) {
  dir_.write("config/instance.yaml",
             "sync:\n  schedule: ['05:30', 'Mon..Fri *-*-* 12:00:00 Europe/Prague']\n");
  ProcessResult dropin = da({"sync-schedule", "--systemd"});
  EXPECT_EQ(dropin.exit_code, 0) << dropin.err;
  EXPECT_EQ(dropin.out, "# From sync.schedule in " + (dir_ / "config" / "instance.yaml").string() +
                            " (da sync-schedule --systemd)\n"
                            "[Timer]\n"
                            "OnCalendar=\n"
                            "OnCalendar=*-*-* 05:30:00 UTC\n"
                            "OnCalendar=Mon..Fri *-*-* 12:00:00 Europe/Prague\n");
  auto json = nlohmann::json::parse(da({"--json", "sync-schedule"}).out);
  EXPECT_EQ(json[0]["entry"], "05:30");
  EXPECT_EQ(json[0]["on_calendar"], "*-*-* 05:30:00 UTC");
}

TEST_F(ConfigCliTest, ABadScheduleStopsTheDropInWithTheFileAndLine) {
  dir_.write("config/instance.yaml", "sync:\n  schedule:\n    - '06:00'\n    - '6 pm'\n");
  ProcessResult dropin = da({"sync-schedule", "--systemd"});
  EXPECT_EQ(dropin.exit_code, 2);
  EXPECT_EQ(dropin.out, "");
  EXPECT_NE(dropin.err.find("instance.yaml:4: sync.schedule[1]: '6 pm' is not a time of day"),
            std::string::npos)
      << dropin.err;
}

}  // namespace
}  // namespace da
