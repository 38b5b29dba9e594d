#include "da/ops/file_tree.hpp"

#include <algorithm>
#include <cerrno>
#include <optional>
#include <vector>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/common/hash.hpp"
#include "da/common/progress_bar.hpp"

namespace da::ops {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxDepth = 32;
constexpr size_t kBlock = 1 << 20;

std::string user_name(uid_t uid) {
  std::vector<char> buffer(4096);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr)
    return "";
  return entry.pw_name;
}

std::string group_name(gid_t gid) {
  std::vector<char> buffer(4096);
  group entry{};
  group* found = nullptr;
  if (::getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr)
    return "";
  return entry.gr_name;
}

std::optional<uid_t> user_id(const std::string& name) {
  std::vector<char> buffer(4096);
  passwd entry{};
  passwd* found = nullptr;
  if (name.empty() ||
      ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr)
    return std::nullopt;
  return entry.pw_uid;
}

std::optional<gid_t> group_id(const std::string& name) {
  std::vector<char> buffer(4096);
  group entry{};
  group* found = nullptr;
  if (name.empty() ||
      ::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr)
    return std::nullopt;
  return entry.gr_gid;
}

void walk(const fs::path& root, const fs::path& relative, int depth, std::vector<TreeEntry>& out) {
  fs::path folder = root / relative;
  if (depth > kMaxDepth)
    throw Error(ErrorKind::kData,
                folder.string() + " is nested more than 32 folders deep (a symbolic link loop?)");
  std::vector<fs::path> children;
  for (const fs::directory_entry& child : fs::directory_iterator(folder))
    children.push_back(child.path().filename());
  std::sort(children.begin(), children.end());
  for (const fs::path& name : children) {
    if (name.string().front() == '.') continue;
    std::error_code error;
    fs::file_status status = fs::status(folder / name, error);
    if (error) continue;  // a dangling link
    if (fs::is_directory(status)) {
      TreeEntry entry = describe(folder / name);
      entry.relative = relative / name;
      entry.folder = true;
      out.push_back(entry);
      walk(root, relative / name, depth + 1, out);
    } else if (fs::is_regular_file(status)) {
      TreeEntry entry = describe(folder / name);
      entry.relative = relative / name;
      out.push_back(entry);
    }
  }
}

}  // namespace

TreeEntry describe(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw_system_error("cannot read", path.string(), errno);
  TreeEntry entry;
  entry.relative = path.filename();
  entry.folder = S_ISDIR(info.st_mode);
  entry.size = entry.folder ? 0 : static_cast<uint64_t>(info.st_size);
  entry.mode = info.st_mode & 07777;
  entry.owner = user_name(info.st_uid);
  entry.group = group_name(info.st_gid);
  return entry;
}

std::vector<TreeEntry> list_tree(const fs::path& root) {
  std::vector<TreeEntry> entries;
  if (fs::is_directory(root)) walk(root, "", 0, entries);
  return entries;
}

std::string copy_file_hashed(const fs::path& from, const fs::path& to, mode_t mode,
                             ProgressBar* progress) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) throw_system_error("cannot read", from.string(), errno);
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (out < 0) {
    int saved = errno;
    ::close(in);
    throw_system_error("cannot create", to.string(), saved);
  }
  auto fail = [&](const std::string& what, const fs::path& path) {
    int saved = errno;
    ::close(in);
    ::close(out);
    throw_system_error(what, path.string(), saved);
  };
  Sha256 hash;
  std::vector<char> buffer(kBlock);
  while (true) {
    ssize_t got = ::read(in, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail("cannot read", from);
    if (got == 0) break;
    hash.update(std::string_view(buffer.data(), static_cast<size_t>(got)));
    for (ssize_t written = 0; written < got;) {
      ssize_t n = ::write(out, buffer.data() + written, static_cast<size_t>(got - written));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("cannot write", to);
      written += n;
    }
    if (progress != nullptr) progress->advance(static_cast<uint64_t>(got));
  }
  if (::fchmod(out, mode) != 0 || ::fsync(out) != 0) fail("cannot write", to);
  ::close(in);
  if (::close(out) != 0) throw_system_error("cannot write", to.string(), errno);
  return hash.hex_digest();
}

void apply_ownership(const fs::path& path, const std::string& owner, const std::string& group,
                     mode_t mode) {
  if (::geteuid() == 0) {
    std::optional<uid_t> uid = user_id(owner);
    std::optional<gid_t> gid = group_id(group);
    if ((uid || gid) && ::lchown(path.c_str(), uid.value_or(static_cast<uid_t>(-1)),
                                 gid.value_or(static_cast<gid_t>(-1))) != 0)
      throw_system_error("cannot change the owner of", path.string(), errno);
  }
  // After chown, which clears the setgid bit of files.
  if (::chmod(path.c_str(), mode) != 0)
    throw_system_error("cannot change the mode of", path.string(), errno);
}

void make_folders(const fs::path& folder, mode_t mode) {
  if (fs::is_directory(folder)) return;
  if (!folder.parent_path().empty() && folder.parent_path() != folder)
    make_folders(folder.parent_path(), mode);
  if (::mkdir(folder.c_str(), mode) != 0 && errno != EEXIST)
    throw_system_error("cannot create folder", folder.string(), errno);
  ::chmod(folder.c_str(), mode);
}

void make_folder_owned_like_parent(const fs::path& folder, mode_t mode) {
  if (fs::is_directory(folder)) return;
  if (::mkdir(folder.c_str(), mode) != 0 && errno != EEXIST)
    throw_system_error("cannot create folder", folder.string(), errno);
  TreeEntry parent = describe(folder.parent_path());
  apply_ownership(folder, parent.owner, parent.group, mode);
}

uint64_t total_size(const std::vector<TreeEntry>& entries) {
  uint64_t total = 0;
  for (const TreeEntry& entry : entries)
    total += entry.size;
  return total;
}

}  // namespace da::ops
