// A dual-repo instance through the real binary: the instance's own repository (instance/)
// holds instance.yaml, .env, data_description.md and the metrics; the product's folders
// (product/) link to them. Every command that writes those files writes the instance
// repository's copy and keeps the links; the configuration is found through DA_CONFIG_DIR (as
// the systemd units name it) and reads the .env next to the real instance.yaml.
#include <filesystem>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace da {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_da;
using testing::TempDir;

constexpr const char* kInstanceYaml =
    "instance: {name: Acme}\n"
    "data_source: {type: csv, csv: {base_dir: ./incoming}}\n"
    "paths: {data_dir: ./data, catalog_dir: ./docs}\n"
    "logging: {level: warn}\n";

class DualRepoCli : public ::testing::Test {
 protected:
  void SetUp() override {
    instance_yaml_ = dir_.write("instance/config/instance.yaml", kInstanceYaml);
    description_ = dir_.write("instance/docs/data_description.md",
                              "# Hand-written\n```yaml\ntables:\n  - {id: in.c-a.people, name: "
                              "people, description: People, primary_key: id, sync_strategy: "
                              "full_refresh}\n```\n");
    dir_.write(
        "instance/docs/metrics/people/headcount.yml",
        "name: headcount\ndisplay_name: Headcount\ncategory: people\ntype: count\n"
        "unit: people\ngrain: monthly\ntime_column: id\ntable: people\nexpression: COUNT(*)\n"
        "description: People\nsql: SELECT COUNT(*) FROM people\n");
    dir_.write("product/incoming/people.csv", "id,name\n1,Ann\n");
    dir_.write("product/pets.yml",
               "id: in.c-a.pets\nname: pets\nprimary_key: id\nsync_strategy: full_refresh\n");
    fs::create_directories(dir_ / "product/config");
    fs::create_directories(dir_ / "product/docs");
    fs::create_symlink(instance_yaml_, dir_ / "product/config/instance.yaml");
    fs::create_symlink(description_, dir_ / "product/docs/data_description.md");
    fs::create_symlink(dir_ / "instance/docs/metrics", dir_ / "product/docs/metrics");
  }

  // da with the product's config folder.
  testing::ProcessResult da(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", (dir_ / "product/config").string()});
    testing::ProcessOptions options;
    options.unset_env = {"DA_CONFIG_DIR", "CONFIG_DIR"};
    return run_da(args, options);
  }

  bool still_linked(const char* relative) const { return fs::is_symlink(dir_ / relative); }

  TempDir dir_;
  fs::path instance_yaml_, description_;
};

TEST_F(DualRepoCli, DaConfigDirNamesTheInstanceAheadOfConfigDir) {
  testing::ProcessOptions options;
  options.env = {{"DA_CONFIG_DIR", (dir_ / "product/config").string()},
                 {"CONFIG_DIR", (dir_ / "nowhere").string()}};
  options.working_dir = dir_.path();
  auto checked = run_da({"config", "check", "--for", "engine"}, options);
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_NE(checked.out.find("configuration OK"), std::string::npos) << checked.out;
}

TEST_F(DualRepoCli, TablesImportAndRegisterUpdateTheInstanceRepositoryAndKeepTheLink) {
  auto imported = da({"tables", "import", (dir_ / "product/docs/data_description.md").string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_TRUE(still_linked("product/docs/data_description.md"));
  EXPECT_NE(read_text(description_).find("AUTO-GENERATED from the table registry"),
            std::string::npos);
  auto registered = da({"tables", "register", (dir_ / "product/pets.yml").string()});
  ASSERT_EQ(registered.exit_code, 0) << registered.out << registered.err;
  EXPECT_TRUE(still_linked("product/docs/data_description.md"));
  EXPECT_NE(read_text(description_).find("in.c-a.pets"), std::string::npos);
  // Only the data description is in the instance's docs folder: no temp file was left.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "instance/docs"), fs::directory_iterator()),
            2);  // data_description.md and metrics/
}

TEST_F(DualRepoCli, ADanglingLinkIsAClearErrorNamingTheLinkAndItsTarget) {
  fs::remove(dir_ / "product/docs/data_description.md");
  fs::path missing = dir_ / "instance/docs/missing.md";
  fs::create_symlink(missing, dir_ / "product/docs/data_description.md");
  auto registered = da({"tables", "register", (dir_ / "product/pets.yml").string()});
  EXPECT_NE(registered.exit_code, 0);
  EXPECT_NE(registered.err.find((dir_ / "product/docs/data_description.md").string() +
                                ": it is a symbolic link to " + missing.string() +
                                ", which does not exist"),
            std::string::npos)
      << registered.err;
  EXPECT_TRUE(still_linked("product/docs/data_description.md"));
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(DualRepoCli, DocsBuildWritesThroughLinkedFilesAndIntoTheLinkedMetricsFolder) {
  dir_.write("instance/docs/CLAUDE.md", "old");
  fs::create_symlink(dir_ / "instance/docs/CLAUDE.md", dir_ / "product/docs/CLAUDE.md");
  auto built = da({"docs", "build"});
  ASSERT_EQ(built.exit_code, 0) << built.out << built.err;
  EXPECT_TRUE(still_linked("product/docs/CLAUDE.md"));
  EXPECT_TRUE(still_linked("product/docs/metrics"));
  EXPECT_NE(read_text(dir_ / "instance/docs/CLAUDE.md"), "old");
  EXPECT_NE(read_text(dir_ / "instance/docs/metrics/index.md").find("headcount"),
            std::string::npos);
}

TEST_F(DualRepoCli, SyncWritesTheSchemaThroughALink) {
  dir_.write("instance/docs/schema.yml", "old");
  fs::create_symlink(dir_ / "instance/docs/schema.yml", dir_ / "product/docs/schema.yml");
  auto synced = da({"sync"});
  ASSERT_EQ(synced.exit_code, 0) << synced.out << synced.err;
  EXPECT_TRUE(still_linked("product/docs/schema.yml"));
  EXPECT_NE(read_text(dir_ / "instance/docs/schema.yml").find("people"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "product/data/parquet"));  // data stays with the product
}

TEST_F(DualRepoCli, InitForceRewritesTheLinkedInstanceYamlAndEnv) {
  dir_.write("instance/.env", "OTHER=kept\n");
  fs::create_symlink(dir_ / "instance/.env", dir_ / "product/.env");
  testing::ProcessOptions options;
  options.working_dir = dir_ / "product";
  options.unset_env = {"DA_CONFIG_DIR", "CONFIG_DIR", "WEBAPP_SECRET_KEY"};
  auto init = run_da({"init", "--non-interactive", "--domain", "acme.com", "--source", "csv",
                      "--force", "--no-check"},
                     options);
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  EXPECT_TRUE(still_linked("product/config/instance.yaml"));
  EXPECT_TRUE(still_linked("product/.env"));
  EXPECT_NE(read_text(instance_yaml_).find("allowed_domain: acme.com"), std::string::npos);
  std::string env = read_text(dir_ / "instance/.env");
  EXPECT_NE(env.find("OTHER=kept"), std::string::npos) << env;
  EXPECT_NE(env.find("WEBAPP_SECRET_KEY="), std::string::npos) << env;
}

TEST_F(DualRepoCli, TheEnvNextToTheRealInstanceYamlIsRead) {
  dir_.write("instance/config/instance.yaml",
             std::string(kInstanceYaml) + "server: {hostname: '${DUAL_REPO_HOSTNAME}'}\n");
  dir_.write("instance/config/.env", "DUAL_REPO_HOSTNAME=data.acme.com\n");
  auto checked = da({"config", "check", "--for", "engine"});
  std::string said = checked.out + checked.err;
  EXPECT_EQ(checked.exit_code, 0) << said;
  EXPECT_EQ(said.find("DUAL_REPO_HOSTNAME is not set"), std::string::npos) << said;
  EXPECT_EQ(said.find("warning:"), std::string::npos) << said;
}

}  // namespace
}  // namespace da
