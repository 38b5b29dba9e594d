#include "da/ops/disk_space.hpp"

#include <cerrno>

#include <sys/stat.h>
#include <sys/statvfs.h>

#include "da/common/error.hpp"

namespace da::ops {

DiskSpace disk_space(const std::filesystem::path& path) {
  std::filesystem::path existing = std::filesystem::absolute(path);
  while (!std::filesystem::exists(existing) && existing.has_parent_path() &&
         existing.parent_path() != existing)
    existing = existing.parent_path();
  struct statvfs fs {};
  if (::statvfs(existing.c_str(), &fs) != 0)
    throw_system_error("cannot read the disk space of", existing.string(), errno);
  struct stat info {};
  if (::stat(existing.c_str(), &info) != 0)
    throw_system_error("cannot read", existing.string(), errno);
  DiskSpace space;
  space.path = path;
  space.total_bytes = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  space.available_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  uint64_t used = static_cast<uint64_t>(fs.f_blocks - fs.f_bfree) * fs.f_frsize;
  space.used_percent =
      used + space.available_bytes == 0
          ? 0
          : 100.0 * static_cast<double>(used) / static_cast<double>(used + space.available_bytes);
  space.device = static_cast<uint64_t>(info.st_dev);
  return space;
}

}  // namespace da::ops
