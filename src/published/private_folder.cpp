#include "da/published/private_folder.hpp"

#include <cerrno>
#include <vector>

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "da/catalog/table_config.hpp"
#include "da/common/error.hpp"
#include "da/published/table_location.hpp"

namespace da::published {

namespace fs = std::filesystem;

fs::path private_folder(const fs::path& data_dir) {
  return parquet_root(data_dir) / catalog::kPrivateFolder;
}

void secure_private_folder(const fs::path& data_dir) {
  fs::path folder = private_folder(data_dir);
  std::error_code error;
  fs::create_directories(folder.parent_path(), error);
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST)
    throw_system_error("cannot create folder", folder.string(), errno);
  struct stat info {};
  if (::lstat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    throw Error(ErrorKind::kData, folder.string() + " must be a real directory (not a link)");
  std::vector<char> buffer(65536);
  group entry{};
  group* found = nullptr;
  if (::getgrnam_r(catalog::kPrivateGroup, &entry, buffer.data(), buffer.size(), &found) == 0 &&
      found && info.st_gid != found->gr_gid)
    (void)::chown(folder.c_str(), static_cast<uid_t>(-1), found->gr_gid);
  if ((info.st_mode & 07777) != 02750 && ::chmod(folder.c_str(), 02750) != 0)
    throw_system_error("cannot restrict", folder.string(), errno);
}

}  // namespace da::published
