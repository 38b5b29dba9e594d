#include "da/sync/publication_lock.hpp"

#include <cerrno>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "da/common/error.hpp"

namespace da::sync {

namespace fs = std::filesystem;

namespace {

// Read-only, so that a lock file that root created first still opens for the service user.
int open_lock_file(const fs::path& parquet_root) {
  fs::path file = parquet_root.parent_path() / ".publish.lock";
  int fd = ::open(file.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) throw_system_error("cannot open lock file", file.string(), errno);
  return fd;
}

}  // namespace

PublicationLock PublicationLock::shared(const fs::path& parquet_root) {
  int fd = open_lock_file(parquet_root);
  while (::flock(fd, LOCK_SH) != 0) {
    if (errno == EINTR) continue;
    int saved = errno;
    ::close(fd);
    throw_system_error("cannot lock", (parquet_root.parent_path() / ".publish.lock").string(),
                       saved);
  }
  return PublicationLock(fd);
}

PublicationLock PublicationLock::exclusive(const fs::path& parquet_root,
                                           std::chrono::milliseconds patience) {
  int fd = open_lock_file(parquet_root);
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    if (saved != EWOULDBLOCK && saved != EINTR) {
      ::close(fd);
      throw_system_error("cannot lock", (parquet_root.parent_path() / ".publish.lock").string(),
                         saved);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      throw Error(ErrorKind::kConflict, "Parquet files under " + parquet_root.string() +
                                            " were still being published after " +
                                            std::to_string(patience.count() / 1000) +
                                            "s; try again");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return PublicationLock(fd);
}

PublicationLock::~PublicationLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace da::sync
