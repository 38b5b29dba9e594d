#include "da/distribution/manifest.hpp"

#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/hash.hpp"
#include "da/store/state_store.hpp"

namespace da::distribution {
namespace {

namespace fs = std::filesystem;

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("data/parquet/crm/orders.parquet", "orders-v1");
    dir_.write("data/parquet/web/events/2024-01.parquet", "jan");
    dir_.write("data/parquet/web/events/2024-02.parquet", "feb");
    dir_.write("data/parquet/web/events/_manifest.json", "{}");
    dir_.write("data/parquet/private/salaries.parquet", "secret");
    dir_.write("docs/data_description.md", "catalog");
    dir_.write("docs/datasets/web_events.md", "about events");
    dir_.write("docs/datasets/jira/schema.md", "about jira");
  }

  Manifest build(const std::vector<VisibleTable>& tables) {
    DigestCache digests(store_.database());
    return build_manifest(dir_ / "data", dir_ / "docs", tables, digests);
  }

  std::vector<std::string> paths(const Manifest& manifest) {
    std::vector<std::string> out;
    for (const auto& file : manifest.files)
      out.push_back(file.path);
    return out;
  }

  da::testing::TempDir dir_;
  store::StateStore store_{dir_ / "state.db"};
  std::vector<VisibleTable> standard_ = {{"in.c-crm.orders", "orders", "crm", false, ""},
                                         {"in.c-web.events", "events", "web", true, "web_events"}};
};

TEST_F(ManifestTest, ListsTheVisibleTablesFilesAndTheirDocsWithDigests) {
  Manifest manifest = build(standard_);
  EXPECT_EQ(paths(manifest), (std::vector<std::string>{
                                 "docs/data_description.md", "docs/datasets/web_events.md",
                                 "parquet/crm/orders.parquet", "parquet/web/events/2024-01.parquet",
                                 "parquet/web/events/2024-02.parquet"}));
  const ManifestFile* orders = manifest.find("parquet/crm/orders.parquet");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->size, 9);
  EXPECT_EQ(orders->sha256, sha256_hex("orders-v1"));
  EXPECT_EQ(orders->table_id, "in.c-crm.orders");
  EXPECT_EQ(Manifest::from_json(manifest.to_json()).files, manifest.files);
}

TEST_F(ManifestTest, DigestsAreReadOnlyWhenSizeOrTimeChange) {
  build(standard_);
  fs::path file = dir_ / "data/parquet/crm/orders.parquet";
  auto mtime = fs::last_write_time(file);
  dir_.write("data/parquet/crm/orders.parquet", "orders-v2");  // same size
  fs::last_write_time(file, mtime);
  EXPECT_EQ(build(standard_).find("parquet/crm/orders.parquet")->sha256, sha256_hex("orders-v1"));
  fs::last_write_time(file, mtime + std::chrono::seconds(1));
  EXPECT_EQ(build(standard_).find("parquet/crm/orders.parquet")->sha256, sha256_hex("orders-v2"));
}

TEST_F(ManifestTest, SymbolicLinksAreNeverFollowed) {
  fs::create_symlink(dir_ / "data/parquet/private/salaries.parquet",
                     dir_ / "data/parquet/web/events/2024-03.parquet");
  fs::create_directory_symlink(dir_ / "data/parquet/private", dir_ / "docs/leak");
  Manifest manifest = build(standard_);
  EXPECT_EQ(manifest.find("parquet/web/events/2024-03.parquet"), nullptr);
  for (const auto& file : manifest.files)
    EXPECT_EQ(file.path.find("leak"), std::string::npos) << file.path;
}

TEST_F(ManifestTest, BrokerPathsStayInsideParquetAndDocs) {
  fs::path data = dir_ / "data", docs = dir_ / "docs";
  EXPECT_EQ(broker_path(data, docs, "parquet/crm/orders.parquet"),
            data / "parquet" / "crm" / "orders.parquet");
  EXPECT_EQ(broker_path(data, docs, "docs/schema.yml"), docs / "schema.yml");
  for (const char* bad : {"parquet/../state.db", "docs//x", "metadata/x", "parquet", "docs/./x"})
    EXPECT_TRUE(broker_path(data, docs, bad).empty()) << bad;
}

TEST_F(ManifestTest, MalformedManifestsAreSourceErrors) {
  da::testing::thrown_message(ErrorKind::kSource, [] { Manifest::from_json("[]"); });
  da::testing::thrown_message(
      ErrorKind::kSource, [] { Manifest::from_json(R"({"version": 1, "files": [{"path": 1}]})"); });
}

}  // namespace
}  // namespace da::distribution
