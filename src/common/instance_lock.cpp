#include "da/common/instance_lock.hpp"

#include <cerrno>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "da/common/error.hpp"

namespace da {

namespace {

std::string read_holder_pid(int fd) {
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  std::string pid = n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
    pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

InstanceLock InstanceLock::acquire(const std::filesystem::path& lock_file,
                                   std::string_view activity) {
  int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) throw_system_error("cannot open lock file", lock_file.string(), errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    if (saved == EWOULDBLOCK) {
      std::string pid = read_holder_pid(fd);
      ::close(fd);
      throw Error(ErrorKind::kConflict, "another " + std::string(activity) + " is running (pid " +
                                            pid + "); lock file " + lock_file.string());
    }
    ::close(fd);
    throw_system_error("cannot lock", lock_file.string(), saved);
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    int saved = errno;
    ::close(fd);
    throw_system_error("cannot write pid to lock file", lock_file.string(), saved);
  }
  return InstanceLock(fd);
}

InstanceLock::~InstanceLock() {
  if (fd_ < 0) return;
  // Best effort: a stale pid would only mislead the next error message.
  [[maybe_unused]] int rc = ::ftruncate(fd_, 0);
  ::close(fd_);
}

}  // namespace da
