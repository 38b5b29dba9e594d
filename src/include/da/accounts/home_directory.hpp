// File operations inside an analyst's home, done by root, that never follow a symbolic link.
//
// The analyst owns the home and can plant a link anywhere in it (~/.ssh -> /etc, say); a
// root process that followed one would write or chown wherever it points. Every operation
// here works relative to an open directory descriptor and opens each path component with
// O_NOFOLLOW, so a link where a directory or file is expected is refused with an error that
// names it, and nothing outside the home is touched.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace da::accounts {

class HomeDirectory {
 public:
  // Opens `home`; its last component must be a real directory (not a link). Throws
  // Error(kData) if it is a link or not a directory, Error(kNotFound) if it is missing.
  explicit HomeDirectory(const std::filesystem::path& home);
  ~HomeDirectory();
  HomeDirectory(const HomeDirectory&) = delete;
  HomeDirectory& operator=(const HomeDirectory&) = delete;

  // Gives the home itself `mode`, `owner` and `group`.
  void set_attributes(mode_t mode, uid_t owner, gid_t group);
  // Makes `relative` ("user/duckdb") a directory with exactly `mode`, `owner` and `group`,
  // creating what is missing; intermediate directories must exist or are created with the
  // same attributes.
  void ensure_directory(std::string_view relative, mode_t mode, uid_t owner, gid_t group);
  // Makes `relative` a symbolic link to `target`, owned by `owner`:`group`, replacing a link
  // that points elsewhere. Anything else in its place (a file, a directory) is an error.
  void ensure_symlink(std::string_view relative, const std::filesystem::path& target,
                      uid_t owner, gid_t group);
  // Replaces `relative` atomically with a file holding `content` (a link in its place is
  // replaced, never followed).
  void write_file(std::string_view relative, std::string_view content, mode_t mode, uid_t owner,
                  gid_t group);
  // Removes the file or link `relative` if it exists.
  void remove_file(std::string_view relative);

  const std::filesystem::path& path() const { return path_; }

 private:
  // An fd of the directory holding `relative`'s last component (the caller closes it) and
  // that component's name; intermediate directories are created when `create` is set.
  int open_parent(std::string_view relative, std::string* name, bool create, mode_t mode,
                  uid_t owner, gid_t group);

  std::filesystem::path path_;
  int fd_ = -1;
};

// Deletes `home` and everything in it; links inside are removed, never followed. A missing
// home is not an error; a home that is itself a link is refused (Error(kData)).
void remove_home(const std::filesystem::path& home);

}  // namespace da::accounts
