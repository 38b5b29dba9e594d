#include "da/ops/file_tree.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "da/common/error.hpp"
#include "da/common/hash.hpp"

namespace da::ops {
namespace {

using testing::TempDir;

TEST(FileTree, ListsFoldersBeforeTheirFilesFollowsLinksAndSkipsHiddenNames) {
  TempDir dir;
  dir.write("root/b/file.txt", "12345");
  dir.write("root/a.md", "x");
  dir.write("root/.git/config", "hidden");
  dir.write("root/b/.orders.parquet.123456.tmp", "temp");
  dir.write("elsewhere/linked.yml", "yaml");
  std::filesystem::create_directory_symlink(dir / "elsewhere", dir / "root/c");
  ::chmod((dir / "root/b").c_str(), 02750);
  std::vector<std::string> listed;
  for (const TreeEntry& entry : list_tree(dir / "root"))
    listed.push_back(entry.relative.string() +
                     (entry.folder ? "/" : ":" + std::to_string(entry.size)));
  EXPECT_EQ(listed,
            (std::vector<std::string>{"a.md:1", "b/", "b/file.txt:5", "c/", "c/linked.yml:4"}));
  EXPECT_EQ(describe(dir / "root/b").mode, 02750u);
  EXPECT_EQ(describe(dir / "root/b").owner, "root");
  EXPECT_TRUE(list_tree(dir / "absent").empty());
}

TEST(FileTree, CopiesAFileWithItsHashAndModeAndNeverOverwrites) {
  TempDir dir;
  auto from = dir.write("from.bin", std::string(3 << 20, 'z'));
  EXPECT_EQ(copy_file_hashed(from, dir / "to.bin", 0600, nullptr),
            sha256_hex(std::string(3 << 20, 'z')));
  EXPECT_EQ(describe(dir / "to.bin").mode, 0600u);
  EXPECT_EQ(std::filesystem::file_size(dir / "to.bin"), 3u << 20);
  EXPECT_THROW(copy_file_hashed(from, dir / "to.bin", 0600, nullptr), Error);
}

}  // namespace
}  // namespace da::ops
