#include "da/common/atomic_file.hpp"

#include <atomic>
#include <thread>

#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/error.hpp"

namespace da {
namespace {

using testing::read_text;
using testing::TempDir;

size_t entries_in(const std::filesystem::path& folder) {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(folder))
    ++count;
  return count;
}

TEST(AtomicFile, WritesContentWithTheRequestedModeAndNoTempLeft) {
  TempDir dir;
  auto target = dir / "profiles.json";
  write_file_atomically(target, "{\"a\": 1}", 0640);
  EXPECT_EQ(read_text(target), "{\"a\": 1}");
  struct stat info {};
  ASSERT_EQ(::stat(target.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, ReplacesAnExistingFile) {
  TempDir dir;
  auto target = dir.write("state.json", "old");
  write_file_atomically(target, "new");
  EXPECT_EQ(read_text(target), "new");
}

TEST(AtomicFile, UncommittedWriterLeavesTheOldFileAndNoTemp) {
  TempDir dir;
  auto target = dir.write("state.json", "old");
  {
    AtomicFileWriter writer(target);
    writer.write("half of the new");
    EXPECT_TRUE(std::filesystem::exists(writer.temp_path()));
  }
  EXPECT_EQ(read_text(target), "old");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, FailsClearlyWhenTheFolderIsMissing) {
  TempDir dir;
  try {
    write_file_atomically(dir / "missing" / "file.json", "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing/file.json"), std::string::npos) << e.what();
  }
}

// A reader in another process never sees a mix of two versions or a truncated file.
TEST(AtomicFile, ReaderNeverSeesAPartialFile) {
  TempDir dir;
  auto target = dir / "big.json";
  const std::string version_a(3 << 20, 'a');
  const std::string version_b(1 << 20, 'b');
  write_file_atomically(target, version_a);

  pid_t writer = ::fork();
  ASSERT_GE(writer, 0);
  if (writer == 0) {
    for (int i = 0; i < 60; ++i)
      write_file_atomically(target, i % 2 == 0 ? version_b : version_a);
    ::_exit(0);
  }
  int bad_reads = 0;
  int reads = 0;
  int status = 0;
  while (::waitpid(writer, &status, WNOHANG) == 0) {
    std::string seen = read_text(target);
    ++reads;
    if (seen != version_a && seen != version_b) ++bad_reads;
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_GT(reads, 0);
  EXPECT_EQ(bad_reads, 0);
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

// Dual-repo instances link their files into place: a write updates the file the link names
// and keeps the link, so the instance repository sees every change.
TEST(AtomicFileThroughLinks, AWriteFollowsTheLinkKeepsItAndReplacesItsTarget) {
  TempDir dir;
  auto target = dir.write("instance/docs/data_description.md", "old");
  std::filesystem::create_directories(dir / "product/docs");
  auto link = dir / "product/docs/data_description.md";
  std::filesystem::create_symlink(target, link);
  write_file_atomically(link, "new", 0644);
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(std::filesystem::read_symlink(link), target);
  EXPECT_EQ(read_text(target), "new");
  // The temp file was made next to the target (one filesystem), and none is left anywhere.
  EXPECT_EQ(entries_in(dir / "instance/docs"), 1u);
  EXPECT_EQ(entries_in(dir / "product/docs"), 1u);
}

TEST(AtomicFileThroughLinks, RelativeLinksAndChainsOfLinksLeadToTheLastTarget) {
  TempDir dir;
  auto target = dir.write("instance/metrics.yml", "old");
  std::filesystem::create_directories(dir / "product");
  std::filesystem::create_symlink("../instance/metrics.yml", dir / "product/middle.yml");
  std::filesystem::create_symlink("middle.yml", dir / "product/metrics.yml");
  AtomicFileWriter writer(dir / "product/metrics.yml");
  EXPECT_EQ(std::filesystem::canonical(writer.temp_path().parent_path()),
            std::filesystem::canonical(dir / "instance"));
  writer.write("new");
  writer.commit();
  EXPECT_EQ(read_text(target), "new");
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "product/metrics.yml"));
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "product/middle.yml"));
}

TEST(AtomicFileThroughLinks, ADanglingLinkIsAnErrorNamingTheLinkAndItsTarget) {
  TempDir dir;
  auto link = dir / "data_description.md";
  std::filesystem::create_symlink(dir / "instance/docs/data_description.md", link);
  std::string message =
      testing::thrown_message(ErrorKind::kConfig, [&] { write_file_atomically(link, "new"); });
  EXPECT_NE(message.find(link.string()), std::string::npos) << message;
  EXPECT_NE(message.find((dir / "instance/docs/data_description.md").string()), std::string::npos)
      << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  EXPECT_TRUE(std::filesystem::is_symlink(link));  // left as it was
  EXPECT_FALSE(std::filesystem::exists(dir / "instance"));
}

TEST(AtomicFileThroughLinks, ALoopOfLinksIsAnError) {
  TempDir dir;
  std::filesystem::create_symlink("b", dir / "a");
  std::filesystem::create_symlink("a", dir / "b");
  std::string message =
      testing::thrown_message(ErrorKind::kConfig, [&] { write_file_atomically(dir / "a", "x"); });
  EXPECT_NE(message.find("symbolic links"), std::string::npos) << message;
}

// A link someone else owns could send a privileged writer (da as root) anywhere: refused.
TEST(AtomicFileThroughLinks, ALinkOfAnotherAccountIsNotFollowed) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a link to another account";
  TempDir dir;
  auto target = dir.write("etc/passwd-like", "precious");
  auto link = dir / "data_description.md";
  std::filesystem::create_symlink(target, link);
  ASSERT_EQ(::lchown(link.c_str(), 65534, 65534), 0);
  std::string message = testing::thrown_message(
      ErrorKind::kConfig, [&] { write_file_atomically(link, "overwritten"); });
  EXPECT_NE(message.find(link.string()), std::string::npos) << message;
  EXPECT_NE(message.find("uid 65534"), std::string::npos) << message;
  EXPECT_EQ(read_text(target), "precious");
}

TEST(AtomicFile, ReadFileReportsAMissingFileAsNotFound) {
  TempDir dir;
  try {
    read_file(dir / "nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
  }
}

}  // namespace
}  // namespace da
