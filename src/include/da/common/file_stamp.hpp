// What identifies a version of a file without reading it: size and modification time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace da {

struct FileStamp {
  int64_t size = 0;
  int64_t mtime_ns = 0;
};

// The stamp of a regular file; nullopt for anything else, a symbolic link included (lstat:
// links are never followed).
std::optional<FileStamp> regular_file_stamp(const std::filesystem::path& path);

}  // namespace da
