#include "da/common/atomic_file.hpp"

#include <atomic>
#include <thread>

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
