// The file work of backups and restores: listing a folder tree with each entry's mode and
// owner, and copying a file while hashing it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace da {
class ProgressBar;
}

namespace da::ops {

struct TreeEntry {
  std::filesystem::path relative;  // to the listed root
  bool folder = false;
  uint64_t size = 0;  // files
  mode_t mode = 0;    // permission bits with setuid/setgid/sticky
  std::string owner;  // user and group names ("" when the id has no name)
  std::string group;
};

// Every folder and regular file under `root` (not the root itself), a folder before its
// contents, in name order. Symbolic links are followed (an instance repository may link its
// files in); names starting with "." are skipped (.git, temp files of atomic writes, publish
// journals). An absent root lists nothing.
std::vector<TreeEntry> list_tree(const std::filesystem::path& root);

// The mode and owner of `path` (following a symbolic link) as a TreeEntry.
TreeEntry describe(const std::filesystem::path& path);

// Copies `from` to the new file `to` (created with `mode`, fsynced) and returns the SHA-256 of
// what it copied; advances `progress` (may be null) by the bytes copied.
std::string copy_file_hashed(const std::filesystem::path& from, const std::filesystem::path& to,
                             mode_t mode, ProgressBar* progress);

// Gives `path` the owner and group named (when this process is root and the names exist
// here; otherwise leaves it) and then `mode`.
void apply_ownership(const std::filesystem::path& path, const std::string& owner,
                     const std::string& group, mode_t mode);

// Creates `folder` and its missing parents with `mode` (not filtered by the umask).
void make_folders(const std::filesystem::path& folder, mode_t mode);

// Creates `folder` (its parent must exist) if it is missing, with `mode` and the owner and
// group of its parent: a folder that root makes in the service user's tree (the data
// directory's .staging) stays usable by the service.
void make_folder_owned_like_parent(const std::filesystem::path& folder, mode_t mode);

// The sum of the sizes of `entries`' files.
uint64_t total_size(const std::vector<TreeEntry>& entries);

}  // namespace da::ops
