#include "da/store/state_store.hpp"

#include <cerrno>

#include <sys/stat.h>

#include "da/common/error.hpp"

namespace da::store {

const std::filesystem::path& StateStore::prepare_folder(const std::filesystem::path& path) {
  std::filesystem::path folder = path.parent_path();
  if (!folder.empty() && !std::filesystem::exists(folder)) {
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) throw_system_error("cannot create folder", folder.string(), error.value());
    ::chmod(folder.c_str(), 0750);
  }
  return path;
}

StateStore::StateStore(const std::filesystem::path& path, const SqliteOptions& options)
    : database_(prepare_folder(path), options) {
  if (!options.read_only) applied_ = apply_migrations(database_, state_migrations());
}

}  // namespace da::store
