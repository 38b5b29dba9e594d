// da init through the real binary, in an empty instance folder, without a terminal.
#include <algorithm>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "da/catalog/data_description.hpp"
#include "da/common/dotenv.hpp"

namespace da {
namespace {

using testing::read_text;
using testing::TempDir;

constexpr const char* kToken = "4242-kJ8sQ0pZtokenValueThatMustStaySecret";

class InitCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("data/incoming/people.csv", "id,name\n1,Ann\n2,Bob\n");
    dir_.write("data/incoming/pets.csv", "id,owner\n1,1\n");
    dir_.write("data/incoming/orders.csv", "id,amount\n1,9.5\n");
  }
  // Runs da in the instance folder, with nothing of the test's own environment that da reads.
  testing::ProcessResult da(std::vector<std::string> args,
                            std::map<std::string, std::string> env = {}) {
    testing::ProcessOptions options;
    options.working_dir = dir_.path();
    options.env = std::move(env);
    for (const char* name : {"CONFIG_DIR", "KEBOOLA_STORAGE_TOKEN", "WEBAPP_SECRET_KEY",
                             "SERVER_HOSTNAME", "DATA_DIR", "DOCS_DIR"}) {
      if (!options.env.count(name)) options.unset_env.push_back(name);
    }
    return testing::run_da(args, options);
  }
  testing::ProcessResult init_csv(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"init",     "--non-interactive", "--domain",
                                  "acme.com", "--source",          "csv"};
    args.insert(args.end(), extra.begin(), extra.end());
    return da(args);
  }
  std::vector<std::string> catalog_ids() {
    catalog::DataDescriptionLoad load = catalog::load_data_description(dir_ / "docs");
    std::vector<std::string> ids;
    for (const auto& table : load.description.tables)
      ids.push_back(table.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  TempDir dir_;
};

TEST_F(InitCli, CsvSetupWritesAConfigurationThatPassesConfigCheck) {
  auto result = init_csv({"--name", "Acme $ Analyst", "--all-tables"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("Connected: CSV files in"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Registered 3 table(s)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("da sync"), std::string::npos);

  std::string yaml = read_text(dir_ / "config/instance.yaml");
  EXPECT_NE(yaml.find("name: \"Acme $$ Analyst\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("allowed_domain: acme.com"), std::string::npos);
  EXPECT_NE(yaml.find("type: csv"), std::string::npos);
  auto check = da({"config", "check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("configuration OK"), std::string::npos) << check.out;
  EXPECT_EQ(catalog_ids(), (std::vector<std::string>{"csv.orders", "csv.people", "csv.pets"}));
  auto sync = da({"sync"});
  EXPECT_EQ(sync.exit_code, 0) << sync.out << sync.err;
}

TEST_F(InitCli, EnvFileIsPrivateAndKeepsOtherVariables) {
  dir_.write(".env", "# mine\nOTHER=keep me\nKEBOOLA_STACK_URL=https://old.example.com\n");
  auto result = da({"init", "--non-interactive", "--domain", "acme.com", "--source", "keboola",
                    "--keboola-project", "123", "--no-check"},
                   {{"KEBOOLA_STORAGE_TOKEN", kToken}});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / ".env").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto env = read_dotenv_file(dir_ / ".env");
  EXPECT_EQ(env["OTHER"], "keep me");
  EXPECT_EQ(env["KEBOOLA_STORAGE_TOKEN"], kToken);
  EXPECT_FALSE(env.count("KEBOOLA_STACK_URL")) << "old KEBOOLA_* keys are replaced";
  EXPECT_GE(env["WEBAPP_SECRET_KEY"].size(), 32u);
  EXPECT_NE(read_text(dir_ / ".env").find("# mine"), std::string::npos);

  // A second run keeps the portal secret: sessions survive re-running init.
  std::string secret = env["WEBAPP_SECRET_KEY"];
  ASSERT_EQ(init_csv({"--force", "--no-check"}).exit_code, 0);
  EXPECT_EQ(read_dotenv_file(dir_ / ".env")["WEBAPP_SECRET_KEY"], secret);
}

TEST_F(InitCli, RefusesToOverwriteAnExistingConfigurationWithoutForce) {
  ASSERT_EQ(init_csv({"--name", "First"}).exit_code, 0);
  auto again = init_csv({"--name", "Second"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("instance.yaml already exists"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_NE(read_text(dir_ / "config/instance.yaml").find("\"First\""), std::string::npos);
  auto forced = init_csv({"--name", "Second", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(read_text(dir_ / "config/instance.yaml").find("\"Second\""), std::string::npos);
}

TEST_F(InitCli, TablesPatternsRegisterExactlyTheMatchingTables) {
  auto result = init_csv({"--tables", "csv.pe*"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(catalog_ids(), (std::vector<std::string>{"csv.people", "csv.pets"}));
  std::string md = read_text(dir_ / "docs/data_description.md");
  EXPECT_NE(md.find("AUTO-GENERATED from the table registry"), std::string::npos);
  EXPECT_EQ(md.find("csv.orders"), std::string::npos) << md;

  // A bucket id means all of its tables; tables already registered are left as they are.
  auto bucket = init_csv({"--force", "--tables", "csv"});
  ASSERT_EQ(bucket.exit_code, 0) << bucket.err;
  EXPECT_EQ(catalog_ids(), (std::vector<std::string>{"csv.orders", "csv.people", "csv.pets"}));
  EXPECT_NE(bucket.out.find("Already registered"), std::string::npos) << bucket.out;
}

TEST_F(InitCli, APatternMatchingNothingIsAnError) {
  auto result = init_csv({"--tables", "csv.people,in.c-crm.*"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--tables 'in.c-crm.*' matches none"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "docs/data_description.md"));
}

TEST_F(InitCli, WithoutTablesNothingIsRegistered) {
  auto result = init_csv();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("No tables registered"), std::string::npos) << result.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "docs/data_description.md"));
}

TEST_F(InitCli, AHandWrittenCatalogIsNotReplaced) {
  std::string hand_written =
      "# Ours\n```yaml\ntables:\n  - {id: csv.people, name: people, description: P, "
      "sync_strategy: full_refresh}\n```\n";
  dir_.write("docs/data_description.md", hand_written);
  auto result = init_csv({"--tables", "csv.pets"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("da tables import"), std::string::npos) << result.err;
  EXPECT_EQ(read_text(dir_ / "docs/data_description.md"), hand_written);
}

TEST_F(InitCli, AMissingRequiredValueNamesItsFlag) {
  auto no_domain = da({"init", "--non-interactive", "--source", "csv"});
  EXPECT_EQ(no_domain.exit_code, 2);
  EXPECT_NE(no_domain.err.find("--domain"), std::string::npos) << no_domain.err;
  auto no_source = da({"init", "--domain", "acme.com"});
  EXPECT_EQ(no_source.exit_code, 2);
  EXPECT_NE(no_source.err.find("--source"), std::string::npos) << no_source.err;
  auto no_token = da({"init", "--non-interactive", "--domain", "acme.com", "--source", "keboola",
                      "--keboola-project", "1"});
  EXPECT_EQ(no_token.exit_code, 2);
  EXPECT_NE(no_token.err.find("--keboola-token"), std::string::npos) << no_token.err;
  EXPECT_NE(no_token.err.find("KEBOOLA_STORAGE_TOKEN"), std::string::npos) << no_token.err;
  auto bad_domain = da({"init", "--domain", "acme", "--source", "csv"});
  EXPECT_EQ(bad_domain.exit_code, 2);
  EXPECT_NE(bad_domain.err.find("--domain: 'acme' is not a domain name"), std::string::npos)
      << bad_domain.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "config/instance.yaml"));
}

TEST_F(InitCli, TheTokenFromTheEnvironmentStaysOutOfInstanceYamlAndOutput) {
  auto result =
      da({"--json", "init", "--domain", "acme.com", "--source", "keboola", "--keboola-project",
          "123", "--keboola-url", "https://kbc.example.com/", "--no-check"},
         {{"KEBOOLA_STORAGE_TOKEN", kToken}});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  std::string yaml = read_text(dir_ / "config/instance.yaml");
  EXPECT_EQ(yaml.find(kToken), std::string::npos);
  EXPECT_NE(yaml.find("storage_token: ${KEBOOLA_STORAGE_TOKEN}"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("stack_url: \"https://kbc.example.com\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("project_id: \"123\""), std::string::npos) << yaml;
  EXPECT_EQ(result.out.find(kToken), std::string::npos) << result.out;
  EXPECT_EQ(result.err.find(kToken), std::string::npos) << result.err;

  auto bad_project = da({"init", "--force", "--domain", "acme.com", "--source", "keboola",
                         "--keboola-project", "abc", "--no-check"},
                        {{"KEBOOLA_STORAGE_TOKEN", kToken}});
  EXPECT_EQ(bad_project.exit_code, 2);
  EXPECT_NE(bad_project.err.find("--keboola-project"), std::string::npos) << bad_project.err;
  EXPECT_EQ(bad_project.out.find(kToken), std::string::npos);
  EXPECT_EQ(bad_project.err.find(kToken), std::string::npos);
}

TEST_F(InitCli, AFailedConnectionCheckLeavesTheFilesToFix) {
  auto result = init_csv({"--csv-dir", "./missing"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("connection check failed"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("da tables discover"), std::string::npos) << result.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "config/instance.yaml"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / ".env"));
}

}  // namespace
}  // namespace da
