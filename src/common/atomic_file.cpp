#include "da/common/atomic_file.hpp"

#include <cerrno>
#include <cstdlib>
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

AtomicFileWriter::AtomicFileWriter(fs::path target, mode_t mode) : target_(std::move(target)) {
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
