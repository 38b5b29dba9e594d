// Files that other processes read (profiles.json, sync_state.json, manifests, Parquet) are
// replaced atomically: readers see the old file or the new one, never a part of either,
// and a crash at any moment leaves one of the two on disk.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace da {

// Writes `content` to a temp file in the target's directory, fsyncs it, renames it over
// `path` and fsyncs the directory. The file gets `mode` (not filtered by the umask).
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           mode_t mode = 0644);

// The streaming form of write_file_atomically(). Nothing is visible at `target` until
// commit(); destroying an uncommitted writer removes its temp file.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path target, mode_t mode = 0644);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::string_view data);
  // fsync, rename over the target, fsync the directory. Throws on failure (temp removed).
  void commit();
  const std::filesystem::path& temp_path() const { return temp_path_; }

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
};

// Renames `from` over `to` (both on one filesystem) and fsyncs the destination directory.
void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to);

// fsyncs a file or a directory so that its contents or entries survive a crash.
void fsync_path(const std::filesystem::path& path);

// Reads a whole file. Throws Error(kNotFound) if it does not exist.
std::string read_file(const std::filesystem::path& path);

}  // namespace da
