#include "jira/raw/issue_store.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "da/common/error.hpp"

namespace da::connectors::jira {
namespace {

namespace fs = std::filesystem;

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(IssueKey, IsAProjectKeyADashAndANumber) {
  for (const char* key : {"SUPPORT-14991", "AB-1", "A1_B-007"})
    EXPECT_TRUE(is_issue_key(key)) << key;
  for (const char* key : {"", "A-1", "support-1", "SUPPORT", "SUPPORT-", "SUPPORT-1a", "1SUP-1",
                          "../SUPPORT-1", "SUPPORT-1/..", "SUPPORT-1\n", "SUP PORT-1"})
    EXPECT_FALSE(is_issue_key(key)) << key;
}

TEST(IssueStore, WritesEachDocumentAtomicallyWithGroupAccessAndReadsItBack) {
  testing::TempDir dir;
  IssueStore store(dir / "data");
  EXPECT_EQ(store.folder(), dir / "data" / "raw" / "jira" / "issues");
  EXPECT_FALSE(store.get("SUPPORT-1").has_value());
  store.put("SUPPORT-1", {{"key", "SUPPORT-1"}, {"fields", {{"summary", "Printer on fire"}}}});
  fs::path file = store.folder() / "SUPPORT-1.json";
  EXPECT_EQ(mode_of(file), 0660);
  EXPECT_EQ(mode_of(store.folder()), 0770);
  EXPECT_EQ(mode_of(store.folder().parent_path()), 0770);
  EXPECT_EQ((*store.get("SUPPORT-1"))["fields"]["summary"], "Printer on fire");
  store.put("SUPPORT-1", {{"key", "SUPPORT-1"}, {"fields", {{"summary", "Fixed"}}}});
  EXPECT_EQ((*store.get("SUPPORT-1"))["fields"]["summary"], "Fixed");
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(store.folder()))
    left.push_back(entry.path().filename());
  EXPECT_EQ(left, std::vector<std::string>{"SUPPORT-1.json"}) << "no temp file stays behind";
}

TEST(IssueStore, ADeletedIssueKeepsItsDocumentMarked) {
  testing::TempDir dir;
  IssueStore store(dir.path());
  EXPECT_FALSE(store.mark_deleted("SUPPORT-9", now_utc())) << "nothing to mark";
  store.put("SUPPORT-9", {{"key", "SUPPORT-9"}});
  ASSERT_TRUE(store.mark_deleted("SUPPORT-9", *parse_iso8601("2026-12-08T03:04:05.123Z")));
  nlohmann::json document = *store.get("SUPPORT-9");
  EXPECT_EQ(document["_deleted_at"], "2026-12-08T03:04:05Z");
  EXPECT_EQ(document["key"], "SUPPORT-9");
}

TEST(IssueStore, ListsTheKeysOfItsDocumentsOnly) {
  testing::TempDir dir;
  IssueStore store(dir.path());
  EXPECT_TRUE(store.keys().empty());
  store.put("SUPPORT-10", {{"key", "SUPPORT-10"}});
  store.put("OPS-2", {{"key", "OPS-2"}});
  dir.write("raw/jira/issues/notes.txt", "x");
  dir.write("raw/jira/issues/not a key.json", "{}");
  EXPECT_EQ(store.keys(), (std::vector<std::string>{"OPS-2", "SUPPORT-10"}));
}

TEST(IssueStore, AKeyThatTriesToLeaveTheFolderIsRefusedAndNothingIsWritten) {
  testing::TempDir dir;
  IssueStore store(dir / "data");
  for (const char* key :
       {"../../escaped-1", "SUPPORT-1/../../../escaped", "/tmp/ESCAPED-1", ".."}) {
    EXPECT_THROW(store.put(key, {{"key", key}}), Error) << key;
    EXPECT_THROW(store.get(key), Error) << key;
    EXPECT_THROW(store.mark_deleted(key, now_utc()), Error) << key;
  }
  EXPECT_FALSE(fs::exists(dir / "data")) << "nothing was created";
  EXPECT_FALSE(fs::exists(dir / "escaped-1.json"));
}

TEST(IssueStore, ADocumentThatIsNotJsonIsAnErrorNamingTheFile) {
  testing::TempDir dir;
  IssueStore store(dir.path());
  dir.write("raw/jira/issues/SUPPORT-3.json", "{truncated");
  try {
    store.get("SUPPORT-3");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("SUPPORT-3.json is not a JSON object"), std::string::npos);
  }
}

}  // namespace
}  // namespace da::connectors::jira
