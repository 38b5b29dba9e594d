#include "da/ops/backup_manifest.hpp"

#include <fstream>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/common/hash.hpp"

namespace da::ops {
namespace {

using testing::TempDir;

BackupManifest sample_manifest() {
  BackupManifest manifest;
  manifest.da_version = "0.1.0";
  manifest.schema_version = 10;
  manifest.created_at = "2026-01-02T03:04:05.000000Z";
  manifest.host = "broker";
  manifest.with_data = true;
  manifest.state_db = "/opt/data-analyst/data/state.db";
  manifest.items = {{"docs", true, 0, "", 0755, "da", "da"},
                    {"parquet/private", true, 0, "", 02750, "da", "data-private"},
                    {"docs/data_description.md", false, 5, sha256_hex("# Hi\n"), 0644, "da", "da"}};
  return manifest;
}

TEST(BackupManifest, RoundTripsThroughItsJson) {
  BackupManifest manifest = sample_manifest();
  std::string json = manifest.to_json();
  auto document = nlohmann::json::parse(json);
  EXPECT_EQ(document["format"], "da-backup");
  EXPECT_EQ(document["files"][0]["sha256"], sha256_hex("# Hi\n"));
  EXPECT_EQ(document["folders"][1]["mode"], "2750");
  BackupManifest parsed = BackupManifest::parse(json, "manifest.json");
  EXPECT_EQ(parsed.schema_version, 10);
  EXPECT_TRUE(parsed.with_data);
  ASSERT_EQ(parsed.items.size(), 3u);
  EXPECT_EQ(parsed.items[1].mode, 02750u);
  EXPECT_EQ(parsed.items[1].group, "data-private");
  EXPECT_EQ(parsed.items[2].size, 5u);
  EXPECT_TRUE(parsed.has_part("parquet"));
  EXPECT_FALSE(parsed.has_part("metadata"));
  EXPECT_EQ(parsed.total_bytes(), 5u);
}

TEST(BackupManifest, RefusesPathsOutsideTheBackupsParts) {
  for (std::string path :
       {"../etc/passwd", "/etc/passwd", "docs/../../x", "elsewhere/x", "docs//x", "docs/./x", ""}) {
    BackupManifest manifest = sample_manifest();
    manifest.items[2].path = path;
    try {
      BackupManifest::parse(manifest.to_json(), "m.json");
      FAIL() << path;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kData);
    }
  }
}

TEST(BackupManifest, RefusesWhatIsNotAManifestOrIsFromANewerFormat) {
  EXPECT_THROW(BackupManifest::parse("{}", "m.json"), Error);
  EXPECT_THROW(BackupManifest::parse("not json", "m.json"), Error);
  auto document = nlohmann::json::parse(sample_manifest().to_json());
  document["format_version"] = 99;
  try {
    BackupManifest::parse(document.dump(), "m.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("backup format 99"), std::string::npos) << e.what();
  }
}

class VerifyBackup : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("docs/data_description.md", "# Hi\n");
    manifest_ = sample_manifest();
    manifest_.items.erase(manifest_.items.begin() + 1);
  }
  TempDir dir_;
  BackupManifest manifest_;
};

TEST_F(VerifyBackup, AcceptsAnIntactBackup) {
  EXPECT_NO_THROW(verify_backup(dir_.path(), manifest_, nullptr));
}

TEST_F(VerifyBackup, NamesAFileWhoseContentChanged) {
  dir_.write("docs/data_description.md", "# Ho\n");  // same size
  try {
    verify_backup(dir_.path(), manifest_, nullptr);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find((dir_ / "docs/data_description.md").string() +
                                         " does not match its SHA-256"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(VerifyBackup, NamesAMissingFileAndAFileTheManifestDoesNotList) {
  dir_.write("docs/extra.md", "x");
  EXPECT_THROW(
      {
        try {
          verify_backup(dir_.path(), manifest_, nullptr);
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("extra.md is not in the manifest"),
                    std::string::npos)
              << e.what();
          throw;
        }
      },
      Error);
  std::filesystem::remove(dir_ / "docs/extra.md");
  std::filesystem::remove(dir_ / "docs/data_description.md");
  EXPECT_THROW(verify_backup(dir_.path(), manifest_, nullptr), Error);
}

}  // namespace
}  // namespace da::ops
