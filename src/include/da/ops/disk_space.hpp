// How full the file system holding a path is, as df counts it.
#pragma once

#include <cstdint>
#include <filesystem>

namespace da::ops {

struct DiskSpace {
  std::filesystem::path path;  // as asked
  uint64_t total_bytes = 0;
  uint64_t available_bytes = 0;  // to unprivileged users
  double used_percent = 0;       // used / (used + available), like df's Use%
  uint64_t device = 0;           // to tell paths on one file system apart
};

// The file system of `path`, or of its nearest existing parent. Throws Error(kInternal).
DiskSpace disk_space(const std::filesystem::path& path);

}  // namespace da::ops
