// Files that other processes read (profiles.json, sync_state.json, manifests, Parquet) are
// replaced atomically: readers see the old file or the new one, never a part of either,
// and a crash at any moment leaves one of the two on disk.
//
// Symbolic links. An instance kept in a repository of its own is linked into the product's
// folders (docs/data_description.md -> /srv/instance/docs/data_description.md), so the
// writers here follow a symbolic link at the final path component to the file it names
// (through every link of a chain; a relative link is read from the link's folder), make their
// temp file next to that target and rename it onto the target: the link stays and the
// instance repository sees the change. Links among the folders above are followed by the
// system as always. A link whose target does not exist is an Error(kConfig) naming the link
// and the target; so is a loop of links. A link is followed only when root or the writing
// user owns it, so that an account that may write in a folder (the portal's) cannot send a
// more privileged writer (`da` run as root) to a file of its choice: any other link is an
// Error(kConfig) naming it and its owner.
//
// Never use these in an analyst's home: code working there follows no link at all
// (da/accounts/home_directory.hpp, O_NOFOLLOW and openat).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace da {

// Writes `content` to a temp file in the target's directory, fsyncs it, renames it over
// `path` (or the file a link at `path` names, see above) and fsyncs the directory. The file
// gets `mode` (not filtered by the umask).
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

// Renames `from` over `to` (both on one filesystem) and fsyncs the destination directory. A
// link at `to` is replaced, not followed (publishing staged data files and folders).
void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to);

// fsyncs a file or a directory so that its contents or entries survive a crash.
void fsync_path(const std::filesystem::path& path);

// Reads a whole file. Throws Error(kNotFound) if it does not exist.
std::string read_file(const std::filesystem::path& path);

}  // namespace da
