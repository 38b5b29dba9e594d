#include "da/accounts/home_directory.hpp"

#include <cerrno>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::accounts {

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::vector<std::string> components(std::string_view relative) {
  std::vector<std::string> parts;
  for (const std::string& part : split_trimmed(relative, '/')) {
    if (part == "." || part == "..")
      throw Error(ErrorKind::kInternal, "home path '" + std::string(relative) + "' leaves the home");
    parts.push_back(part);
  }
  if (parts.empty()) throw Error(ErrorKind::kInternal, "empty home path");
  return parts;
}

[[noreturn]] void refuse_link(const std::filesystem::path& path) {
  throw Error(ErrorKind::kData, path.string() +
                                    " is a symbolic link where a real directory or file belongs: "
                                    "refusing to follow it (remove it, then run the command again)");
}

// Opens directory `name` inside `parent_fd` without following a link.
int open_directory_at(int parent_fd, const std::string& name, const std::filesystem::path& shown) {
  int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) return fd;
  int error = errno;
  if (error == ELOOP) refuse_link(shown);
  if (error == ENOTDIR) {
    struct stat info {};
    if (::fstatat(parent_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(info.st_mode))
      refuse_link(shown);
    throw Error(ErrorKind::kData, shown.string() + " is not a directory");
  }
  throw_system_error("cannot open", shown.string(), error);
}

void apply_attributes(int fd, mode_t mode, uid_t owner, gid_t group,
                      const std::filesystem::path& shown) {
  if (::fchown(fd, owner, group) != 0) throw_system_error("cannot chown", shown.string(), errno);
  if (::fchmod(fd, mode) != 0) throw_system_error("cannot chmod", shown.string(), errno);
}

// Removes `name` inside `parent_fd`: a directory with its content, anything else (a link
// included) as the entry itself.
void remove_entry_at(int parent_fd, const std::string& name, const std::filesystem::path& shown) {
  struct stat info {};
  if (::fstatat(parent_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    throw_system_error("cannot inspect", shown.string(), errno);
  }
  if (S_ISDIR(info.st_mode)) {
    int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw_system_error("cannot open", shown.string(), errno);
    DIR* directory = ::fdopendir(fd);
    if (!directory) {
      ::close(fd);
      throw_system_error("cannot list", shown.string(), errno);
    }
    std::vector<std::string> children;
    while (dirent* entry = ::readdir(directory)) {
      std::string child = entry->d_name;
      if (child != "." && child != "..") children.push_back(child);
    }
    try {
      for (const std::string& child : children)
        remove_entry_at(::dirfd(directory), child, shown / child);
    } catch (...) {
      ::closedir(directory);
      throw;
    }
    ::closedir(directory);
    if (::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) != 0)
      throw_system_error("cannot remove", shown.string(), errno);
    return;
  }
  if (::unlinkat(parent_fd, name.c_str(), 0) != 0 && errno != ENOENT)
    throw_system_error("cannot remove", shown.string(), errno);
}

}  // namespace

void remove_home(const std::filesystem::path& home) {
  // One descriptor per directory level is held on the way down: allow as many as the system
  // lets this process have, so that an analyst's deeply nested folders cannot stop a removal.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  Fd parent(::open(home.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (parent.get() < 0) return;
  struct stat info {};
  if (::fstatat(parent.get(), home.filename().c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (S_ISLNK(info.st_mode)) refuse_link(home);
  remove_entry_at(parent.get(), home.filename().string(), home);
}

HomeDirectory::HomeDirectory(const std::filesystem::path& home) : path_(home) {
  Fd parent(::open(home.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (parent.get() < 0) {
    if (errno == ENOENT) throw Error(ErrorKind::kNotFound, home.parent_path().string() + " does not exist");
    throw_system_error("cannot open", home.parent_path().string(), errno);
  }
  int fd = ::openat(parent.get(), home.filename().c_str(),
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    if (error == ENOENT) throw Error(ErrorKind::kNotFound, home.string() + " does not exist");
    if (error == ELOOP || error == ENOTDIR) {
      struct stat info {};
      if (::fstatat(parent.get(), home.filename().c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISLNK(info.st_mode))
        refuse_link(home);
      throw Error(ErrorKind::kData, home.string() + " is not a directory");
    }
    throw_system_error("cannot open", home.string(), error);
  }
  fd_ = fd;
}

HomeDirectory::~HomeDirectory() {
  if (fd_ >= 0) ::close(fd_);
}

void HomeDirectory::set_attributes(mode_t mode, uid_t owner, gid_t group) {
  apply_attributes(fd_, mode, owner, group, path_);
}

int HomeDirectory::open_parent(std::string_view relative, std::string* name, bool create,
                               mode_t mode, uid_t owner, gid_t group) {
  std::vector<std::string> parts = components(relative);
  *name = parts.back();
  Fd current(::dup(fd_));
  std::filesystem::path shown = path_;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    shown /= parts[i];
    if (create && ::mkdirat(current.get(), parts[i].c_str(), 0700) == 0) {
      Fd created(open_directory_at(current.get(), parts[i], shown));
      apply_attributes(created.get(), mode, owner, group, shown);
    }
    Fd next(open_directory_at(current.get(), parts[i], shown));
    current.reset(next.release());
  }
  return current.release();
}

void HomeDirectory::ensure_directory(std::string_view relative, mode_t mode, uid_t owner,
                                     gid_t group) {
  std::string name;
  Fd parent(open_parent(relative, &name, true, mode, owner, group));
  std::filesystem::path shown = path_ / std::string(relative);
  if (::mkdirat(parent.get(), name.c_str(), 0700) != 0 && errno != EEXIST)
    throw_system_error("cannot create", shown.string(), errno);
  Fd directory(open_directory_at(parent.get(), name, shown));
  apply_attributes(directory.get(), mode, owner, group, shown);
}

void HomeDirectory::ensure_symlink(std::string_view relative, const std::filesystem::path& target,
                                   uid_t owner, gid_t group) {
  std::string name;
  Fd parent(open_parent(relative, &name, false, 0, 0, 0));
  std::filesystem::path shown = path_ / std::string(relative);
  struct stat info {};
  if (::fstatat(parent.get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISLNK(info.st_mode))
      throw Error(ErrorKind::kData, shown.string() + " exists and is not a symbolic link: move it away, then run the command again");
    std::vector<char> current(4096);
    ssize_t length = ::readlinkat(parent.get(), name.c_str(), current.data(), current.size());
    if (length >= 0 && std::string(current.data(), static_cast<std::size_t>(length)) == target.string() &&
        info.st_uid == owner && info.st_gid == group)
      return;
    if (::unlinkat(parent.get(), name.c_str(), 0) != 0)
      throw_system_error("cannot replace", shown.string(), errno);
  }
  if (::symlinkat(target.c_str(), parent.get(), name.c_str()) != 0)
    throw_system_error("cannot create link", shown.string(), errno);
  if (::fchownat(parent.get(), name.c_str(), owner, group, AT_SYMLINK_NOFOLLOW) != 0)
    throw_system_error("cannot chown", shown.string(), errno);
}

void HomeDirectory::write_file(std::string_view relative, std::string_view content, mode_t mode,
                               uid_t owner, gid_t group) {
  std::string name;
  Fd parent(open_parent(relative, &name, false, 0, 0, 0));
  std::filesystem::path shown = path_ / std::string(relative);
  std::string temp = "." + name + "." + random_token(6) + ".tmp";
  Fd file(::openat(parent.get(), temp.c_str(),
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (file.get() < 0) throw_system_error("cannot create", (shown.parent_path() / temp).string(), errno);
  auto fail = [&](const char* what) {
    int error = errno;
    ::unlinkat(parent.get(), temp.c_str(), 0);
    throw_system_error(what, shown.string(), error);
  };
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(file.get(), content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchown(file.get(), owner, group) != 0) fail("cannot chown");
  if (::fchmod(file.get(), mode) != 0) fail("cannot chmod");
  if (::fsync(file.get()) != 0) fail("cannot fsync");
  if (::renameat(parent.get(), temp.c_str(), parent.get(), name.c_str()) != 0) fail("cannot rename");
}

void HomeDirectory::remove_file(std::string_view relative) {
  std::string name;
  Fd parent(open_parent(relative, &name, false, 0, 0, 0));
  if (::unlinkat(parent.get(), name.c_str(), 0) != 0 && errno != ENOENT)
    throw_system_error("cannot remove", (path_ / std::string(relative)).string(), errno);
}

}  // namespace da::accounts
