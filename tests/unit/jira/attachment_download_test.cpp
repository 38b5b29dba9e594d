#include "jira/api/attachment_download.hpp"

#include <chrono>
#include <filesystem>
#include <string>

#include "fakes/jira/fake_jira.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "da/common/error.hpp"

namespace da::connectors::jira {
namespace {

using namespace std::chrono_literals;
using fakes::FakeJira;
using fakes::FakeJiraAttachment;
using fakes::FakeJiraIssue;
namespace fs = std::filesystem;

constexpr int64_t kCap = 1'000;

ClientOptions options_for(const FakeJira& fake) {
  ClientOptions options;
  options.account = {fake.url(), "bot@example.com", "jira-token"};
  options.retry.max_attempts = 3;
  options.retry.base_delay = 1ms;
  options.retry.max_delay = 20ms;
  return options;
}

// SUPPORT-1 with attachment 501 holding `content` (declared as `declared` bytes when given).
void add_attachment(FakeJira& fake, const std::string& content,
                    std::optional<int64_t> declared = std::nullopt) {
  FakeJiraIssue issue;
  issue.key = "SUPPORT-1";
  issue.attachments.push_back(FakeJiraAttachment{"501", "a b.png", content, "image/png", declared});
  fake.add_issue(issue);
}

AttachmentFile file_for(const FakeJira& fake, const fs::path& target, int64_t declared) {
  return {fake.attachment_content_url("501"), declared, target};
}

// Files in `folder` other than `except` (temp files left behind).
int other_files(const fs::path& folder, const fs::path& except) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.path() != except) ++count;
  return count;
}

TEST(AttachmentDownload, FollowsTheRedirectWithoutSendingTheCredentialsToTheMediaHost) {
  FakeJira fake;
  add_attachment(fake, "PNG bytes");
  testing::TempDir dir;
  fs::path target = dir / "14/991/501_a b.png";
  JiraClient client(options_for(fake));
  AttachmentResult result = download_attachment(client, file_for(fake, target, 9), kCap);
  EXPECT_EQ(result.outcome, AttachmentOutcome::kDownloaded);
  EXPECT_EQ(result.bytes, 9);
  EXPECT_EQ(testing::read_text(target), "PNG bytes");
  EXPECT_EQ(fake.media_authorization_headers(), std::vector<std::string>{""});
  EXPECT_EQ(fake.requests_to("/rest/api/3/attachment/content/501"), 1);
  struct stat info {};
  ASSERT_EQ(::stat(target.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0660u);
  ASSERT_EQ(::stat(target.parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0770u);
}

TEST(AttachmentDownload, ADeclaredSizeOverTheCapIsNotFetched) {
  FakeJira fake;
  add_attachment(fake, "small", kCap + 1);
  testing::TempDir dir;
  JiraClient client(options_for(fake));
  AttachmentResult result = download_attachment(client, file_for(fake, dir / "f", kCap + 1), kCap);
  EXPECT_EQ(result.outcome, AttachmentOutcome::kTooLarge);
  EXPECT_EQ(fake.total_requests(), 0);
  EXPECT_FALSE(fs::exists(dir / "f"));
}

TEST(AttachmentDownload, ABodyRunningPastTheCapIsAbandonedWithoutAFile) {
  FakeJira fake;
  add_attachment(fake, std::string(5'000, 'x'), 10);  // Jira understates the size
  testing::TempDir dir;
  JiraClient client(options_for(fake));
  AttachmentResult result = download_attachment(client, file_for(fake, dir / "f", 10), kCap);
  EXPECT_EQ(result.outcome, AttachmentOutcome::kTooLarge);
  EXPECT_TRUE(fs::is_empty(dir.path()));
  EXPECT_EQ(fake.requests_to("/file/"), 1);  // not retried
}

TEST(AttachmentDownload, ATargetThatHasTheDeclaredSizeIsNotFetchedAgain) {
  FakeJira fake;
  add_attachment(fake, "PNG bytes");
  testing::TempDir dir;
  JiraClient client(options_for(fake));
  download_attachment(client, file_for(fake, dir / "f", 9), kCap);
  int before = fake.total_requests();
  AttachmentResult again = download_attachment(client, file_for(fake, dir / "f", 9), kCap);
  EXPECT_EQ(again.outcome, AttachmentOutcome::kUnchanged);
  EXPECT_EQ(fake.total_requests(), before);
}

TEST(AttachmentDownload, AChangedFileIsReplacedWhole) {
  FakeJira fake;
  add_attachment(fake, "new content");
  testing::TempDir dir;
  fs::path target = dir.write("f", "old");
  JiraClient client(options_for(fake));
  EXPECT_EQ(download_attachment(client, file_for(fake, target, 11), kCap).outcome,
            AttachmentOutcome::kDownloaded);
  EXPECT_EQ(testing::read_text(target), "new content");
  EXPECT_EQ(other_files(dir.path(), target), 0);
}

TEST(AttachmentDownload, AFailedDownloadKeepsTheOldFileAndLeavesNoTempFile) {
  FakeJira fake;
  add_attachment(fake, "new content");
  fake.fail_requests("/file/", 100, 500);
  testing::TempDir dir;
  fs::path target = dir.write("f", "old");
  JiraClient client(options_for(fake));
  try {
    download_attachment(client, file_for(fake, target, 11), kCap);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kSource);
    EXPECT_NE(std::string(e.what()).find("/rest/api/3/attachment/content/501: HTTP 500"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(testing::read_text(target), "old");
  EXPECT_EQ(other_files(dir.path(), target), 0);
  EXPECT_EQ(fake.requests_to("/file/"), 3);
}

TEST(AttachmentDownload, ADownloadCutShortIsRetriedFromTheStart) {
  FakeJira fake;
  add_attachment(fake, "complete content");
  fake.cut_responses("/file/", 1, 5);
  testing::TempDir dir;
  JiraClient client(options_for(fake));
  AttachmentResult result = download_attachment(client, file_for(fake, dir / "f", 16), kCap);
  EXPECT_EQ(result.outcome, AttachmentOutcome::kDownloaded);
  EXPECT_EQ(testing::read_text(dir / "f"), "complete content");
  EXPECT_EQ(fake.requests_to("/rest/api/3/attachment/content/501"), 2);
}

TEST(AttachmentDownload, ADeletedAttachmentIsNotFound) {
  FakeJira fake;
  add_attachment(fake, "x");
  fake.delete_issue("SUPPORT-1");
  testing::TempDir dir;
  JiraClient client(options_for(fake));
  EXPECT_THROW(
      {
        try {
          download_attachment(client, file_for(fake, dir / "f", 1), kCap);
        } catch (const Error& e) {
          EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
          throw;
        }
      },
      Error);
}

}  // namespace
}  // namespace da::connectors::jira
