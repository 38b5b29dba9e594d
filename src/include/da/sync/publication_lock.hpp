// Publications of Parquet and snapshots of the published tree (da backup --with-data) exclude
// each other through one lock file, <data_dir>/.publish.lock: every publication holds it shared
// while it renames (tables publish in parallel), a snapshot holds it exclusively, so that a
// snapshot never sees half a publication (new partitions beside the old manifest). It is an
// flock: a process that dies releases it.
#pragma once

#include <chrono>
#include <filesystem>

namespace da::sync {

class PublicationLock {
 public:
  // Waits for as long as a snapshot holds the lock (a snapshot holds it briefly).
  static PublicationLock shared(const std::filesystem::path& parquet_root);
  // Waits up to `patience` for running publications to end, then throws Error(kConflict).
  static PublicationLock exclusive(const std::filesystem::path& parquet_root,
                                   std::chrono::milliseconds patience);

  PublicationLock(PublicationLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  PublicationLock& operator=(PublicationLock&&) = delete;
  PublicationLock(const PublicationLock&) = delete;
  ~PublicationLock();

 private:
  explicit PublicationLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace da::sync
