// One running instance of an activity (a sync, a profile run) per data directory.
#pragma once

#include <filesystem>
#include <string_view>

namespace da {

class InstanceLock {
 public:
  // Takes an exclusive, non-blocking flock on `lock_file` (created with mode 0644 if absent)
  // and records this process's pid in it. Throws Error(kConflict) "another <activity> is
  // running (pid N)" at once if another process holds it. The lock is released when this
  // object is destroyed or the process ends, however it ends; it is not inherited by children.
  static InstanceLock acquire(const std::filesystem::path& lock_file, std::string_view activity);

  InstanceLock(InstanceLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  InstanceLock& operator=(InstanceLock&&) = delete;
  InstanceLock(const InstanceLock&) = delete;
  ~InstanceLock();

 private:
  explicit InstanceLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace da
