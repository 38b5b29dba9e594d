#include "da/net/unix_socket_server.hpp"

#include <cerrno>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "da/common/error.hpp"

namespace da::net {

namespace {

using Clock = std::chrono::steady_clock;

// Waits for `fd` to be readable until `deadline`; false on timeout.
bool wait_readable(int fd, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd poll_fd{fd, POLLIN, 0};
    int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

// Appends what is available; false on EOF or error.
bool read_some(int fd, std::string& text) {
  char buffer[16384];
  while (true) {
    ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    text.append(buffer, static_cast<std::size_t>(got));
    return true;
  }
}

}  // namespace

UnixSocketListener::UnixSocketListener(std::filesystem::path path, mode_t mode, gid_t group)
    : path_(std::move(path)) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.string().size() >= sizeof address.sun_path)
    throw Error(ErrorKind::kConfig, "the socket path " + path_.string() + " is too long");
  std::strcpy(address.sun_path, path_.c_str());
  std::error_code ignored;
  std::filesystem::create_directories(path_.parent_path(), ignored);
  struct stat info {};
  if (::lstat(path_.c_str(), &info) == 0) {
    if (!S_ISSOCK(info.st_mode))
      throw Error(ErrorKind::kConfig, path_.string() + " exists and is not a socket");
    ::unlink(path_.c_str());
  }
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw_system_error("cannot create a socket", path_.string(), errno);
  // Created closed, then opened to exactly `mode`: no moment where anyone else may connect.
  mode_t old_mask = ::umask(0177);
  int bound = ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::umask(old_mask);
  if (bound != 0 || ::listen(fd_, 64) != 0) {
    int error = errno;
    ::close(fd_);
    throw_system_error("cannot listen on", path_.string(), error);
  }
  if ((group != static_cast<gid_t>(-1) && ::chown(path_.c_str(), static_cast<uid_t>(-1), group) != 0) ||
      ::chmod(path_.c_str(), mode) != 0) {
    int error = errno;
    ::close(fd_);
    ::unlink(path_.c_str());
    throw_system_error("cannot set the access of", path_.string(), error);
  }
}

UnixSocketListener::~UnixSocketListener() {
  if (fd_ >= 0) ::close(fd_);
  ::unlink(path_.c_str());
}

int UnixSocketListener::accept_for(std::chrono::milliseconds wait) {
  if (!wait_readable(fd_, Clock::now() + wait)) return -1;
  return ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
}

PeerCredentials peer_credentials(int fd) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  PeerCredentials peer;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0) {
    peer.pid = credentials.pid;
    peer.uid = credentials.uid;
    peer.gid = credentials.gid;
  }
  return peer;
}

bool read_until(int fd, std::string& text, std::string_view delimiter, std::size_t max_bytes,
                std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (text.find(delimiter) == std::string::npos) {
    if (text.size() > max_bytes || !wait_readable(fd, deadline) || !read_some(fd, text))
      return false;
  }
  return true;
}

bool read_exactly(int fd, std::string& text, std::size_t size, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (text.size() < size) {
    if (!wait_readable(fd, deadline) || !read_some(fd, text)) return false;
  }
  return true;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

}  // namespace da::net
