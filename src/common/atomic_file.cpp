#include "da/common/atomic_file.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "da/common/error.hpp"

namespace da {
namespace fs = std::filesystem;

namespace {

void write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_system_error("cannot write", path.string(), errno);
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
}

fs::path directory_of(const fs::path& path) {
  fs::path parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

constexpr int kMaxLinks = 40;  // as the kernel's limit on links in one path

// The file a write to `path` replaces: `path` itself, or the file the symbolic links at its
// final component lead to (see the header for the rule).
fs::path write_target(const fs::path& path) {
  fs::path current = path;
  for (int links = 0;; ++links) {
    struct stat info {};
    if (::lstat(current.c_str(), &info) != 0) {
      int error = errno;
      if (current == path) return path;  // a new file; the write reports any other problem
      throw Error(
          ErrorKind::kConfig,
          "cannot write " + path.string() + ": it is a symbolic link to " + current.string() +
              ", which " +
              (error == ENOENT ? std::string("does not exist")
                               : "cannot be reached (" + std::string(std::strerror(error)) + ")") +
              " (create the target in the instance repository, or fix the link)");
    }
    if (!S_ISLNK(info.st_mode)) return current;
    if (links == kMaxLinks)
      throw Error(ErrorKind::kConfig, "cannot write " + path.string() +
                                          ": too many levels of symbolic links (a loop?)");
    if (info.st_uid != 0 && info.st_uid != ::geteuid())
      throw Error(ErrorKind::kConfig, "cannot write " + path.string() + ": the symbolic link " +
                                          current.string() + " belongs to uid " +
                                          std::to_string(info.st_uid) +
                                          ", and only links of root or of the writing user (uid " +
                                          std::to_string(::geteuid()) +
                                          ") are followed (`chown -h root` it if it is yours)");
    std::error_code error;
    fs::path next = fs::read_symlink(current, error);
    if (error) throw_system_error("cannot read the symbolic link", current.string(), error.value());
    current = next.is_absolute() ? next : current.parent_path() / next;
  }
}

}  // namespace

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_system_error("cannot open for fsync", path.string(), errno);
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) throw_system_error("cannot fsync", path.string(), saved);
}

void rename_durably(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    throw_system_error("cannot rename '" + from.string() + "' to", to.string(), errno);
  }
  fsync_path(directory_of(to));
}

AtomicFileWriter::AtomicFileWriter(fs::path target, mode_t mode) : target_(write_target(target)) {
  std::string pattern =
      (directory_of(target_) / ("." + target_.filename().string() + ".XXXXXX.tmp")).string();
  fd_ = ::mkstemps(pattern.data(), 4);
  if (fd_ < 0) throw_system_error("cannot create a temp file next to", target_.string(), errno);
  temp_path_ = pattern;
  ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
  if (::fchmod(fd_, mode) != 0) {
    int saved = errno;
    ::close(fd_);
    ::unlink(temp_path_.c_str());
    fd_ = -1;
    throw_system_error("cannot set the mode of", temp_path_.string(), saved);
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

void AtomicFileWriter::write(std::string_view data) {
  if (fd_ < 0) throw Error(ErrorKind::kInternal, "write after commit to " + target_.string());
  write_all(fd_, data, temp_path_);
}

void AtomicFileWriter::commit() {
  if (fd_ < 0) throw Error(ErrorKind::kInternal, "double commit of " + target_.string());
  int fd = fd_;
  fd_ = -1;
  bool synced = ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!synced) {
    ::unlink(temp_path_.c_str());
    throw_system_error("cannot fsync", temp_path_.string(), saved);
  }
  try {
    rename_durably(temp_path_, target_);
  } catch (...) {
    ::unlink(temp_path_.c_str());
    throw;
  }
}

void write_file_atomically(const fs::path& path, std::string_view content, mode_t mode) {
  AtomicFileWriter writer(path, mode);
  writer.write(content);
  writer.commit();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!fs::exists(path)) throw Error(ErrorKind::kNotFound, "file not found: " + path.string());
    throw_system_error("cannot read", path.string(), errno);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw_system_error("cannot read", path.string(), errno);
  return buffer.str();
}

}  // namespace da
