// da tables through the real binary: the registry drives data_description.md, which da sync reads.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace da {
namespace {

using testing::run_da;
using testing::TempDir;

class TablesCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write(
        "config/instance.yaml",
        "data_source:\n  type: csv\n  csv:\n    base_dir: ./incoming\npaths:\n  data_dir: ./data\n"
        "  docs_dir: ./docs\nlogging:\n  level: warn\n");
    dir_.write("docs/data_description.md",
               "# Hand-written\n```yaml\ntables:\n  - {id: in.c-a.people, name: people, "
               "description: P, primary_key: id, "
               "sync_strategy: full_refresh}\n```\n");
    dir_.write("incoming/people.csv", "id,name\n1,Ann\n");
    dir_.write("incoming/pets.csv", "id,owner\n1,1\n2,1\n");
    dir_.write("pets.yml",
               "id: in.c-a.pets\nname: pets\ndescription: Pets\nprimary_key: id\nsync_strategy: "
               "full_refresh\n");
  }
  testing::ProcessResult da(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", (dir_ / "config").string()});
    return run_da(args);
  }
  TempDir dir_;
};

TEST_F(TablesCli, ImportRegisterUpdateAuditAndSync) {
  ASSERT_EQ(da({"tables", "import", (dir_ / "docs/data_description.md").string()}).exit_code, 0);
  auto registered = da({"tables", "register", (dir_ / "pets.yml").string(), "--by", "ann@acme.com",
                        "--expect-version", "1"});
  ASSERT_EQ(registered.exit_code, 0) << registered.err;
  auto stale = da({"tables", "unregister", "in.c-a.pets", "--expect-version", "1"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("version conflict: expected 1, current 2"), std::string::npos)
      << stale.err;
  auto updated =
      da({"tables", "update", "in.c-a.pets", "--set", "description=Pets of people", "--set",
          "foreign_keys=[{column: owner, references: people.id}]", "--by", "bob@acme.com"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  auto bad = da({"tables", "update", "in.c-a.pets", "--set", "sync_strategy=hourly"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("sync_strategy: invalid value 'hourly'"), std::string::npos) << bad.err;

  auto audit =
      nlohmann::json::parse(da({"--json", "tables", "audit", "--table", "in.c-a.pets"}).out);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0]["action"], "update");
  EXPECT_EQ(audit[0]["actor"], "bob@acme.com");
  EXPECT_EQ(audit[1]["actor"], "ann@acme.com");

  auto discovered = nlohmann::json::parse(da({"--json", "tables", "discover"}).out);
  ASSERT_EQ(discovered.size(), 2u);
  EXPECT_TRUE(discovered[0]["registered"]);
  EXPECT_EQ(discovered[1]["rows"], 2);

  std::string md = testing::read_text(dir_ / "docs/data_description.md");
  EXPECT_NE(md.find("AUTO-GENERATED from the table registry"), std::string::npos);
  EXPECT_NE(md.find("description: Pets of people"), std::string::npos);
  auto sync = da({"--json", "sync"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  EXPECT_EQ(nlohmann::json::parse(sync.out)["tables"].size(), 2u);
  EXPECT_EQ(da({"config", "check", "--for", "engine"}).exit_code, 0);
}

}  // namespace
}  // namespace da
