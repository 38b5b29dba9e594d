// The listening side of the local services' Unix sockets (the account helper, the send API):
// a socket file that replaces a stale socket but never any other file, with the mode and group
// that decide who may connect, and the kernel's word on who connected (SO_PEERCRED), which is
// what the services authorise on.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include <sys/types.h>

namespace da::net {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

class UnixSocketListener {
 public:
  // Listens on `path`, creating its folder. The socket gets `mode` and group `group` (-1:
  // unchanged). Throws Error(kConfig) if `path` exists and is not a socket, Error(kInternal)
  // when it cannot listen.
  UnixSocketListener(std::filesystem::path path, mode_t mode, gid_t group);
  // Closes and removes the socket file.
  ~UnixSocketListener();
  UnixSocketListener(const UnixSocketListener&) = delete;
  UnixSocketListener& operator=(const UnixSocketListener&) = delete;

  // A connected socket (the caller closes it), or -1 when none arrived within `wait`.
  int accept_for(std::chrono::milliseconds wait);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// Who is at the other end of connected Unix socket `fd`; uid -1 if the kernel cannot say.
PeerCredentials peer_credentials(int fd);

// Reads from `fd` until `text` holds `delimiter` (returned with what precedes it, the rest
// left in `text`), at most `max_bytes`, within `timeout`. False on timeout, overflow or EOF.
bool read_until(int fd, std::string& text, std::string_view delimiter, std::size_t max_bytes,
                std::chrono::milliseconds timeout);
// Reads until `text` holds `size` bytes, within `timeout`. False otherwise.
bool read_exactly(int fd, std::string& text, std::size_t size, std::chrono::milliseconds timeout);
// Writes all of `data` (no SIGPIPE). False if the peer went away.
bool write_all(int fd, std::string_view data);

}  // namespace da::net
