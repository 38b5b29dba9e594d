// The serving side of the local services' Unix sockets (the account helper, the send API): a
// socket file that replaces a stale socket but never any other file, with the mode and group
// that decide who may connect; the kernel's word on who connected (SO_PEERCRED), which is what
// the services authorise on; and a server that answers clients side by side, each within one
// deadline for its whole request, so that a client who stalls never delays another.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

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

  // A connected socket (the caller closes it), or -1 with errno 0 when none arrived within
  // `wait`, or -1 with accept's errno when accepting failed.
  int accept_for(std::chrono::milliseconds wait);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// Who is at the other end of connected Unix socket `fd`; uid -1 if the kernel cannot say.
PeerCredentials peer_credentials(int fd);

// One accepted client. Every read and write keeps the deadline of the whole request, which
// starts when the client is accepted.
class UnixConnection {
 public:
  using Clock = std::chrono::steady_clock;
  UnixConnection(int fd, PeerCredentials peer, Clock::time_point deadline)
      : fd_(fd), peer_(peer), deadline_(deadline) {}

  const PeerCredentials& peer() const { return peer_; }
  Clock::time_point deadline() const { return deadline_; }

  // Reads until `text` holds `delimiter` (returned with what precedes it, the rest left in
  // `text`), at most `max_bytes`. False at the deadline, on overflow or EOF.
  bool read_until(std::string& text, std::string_view delimiter, std::size_t max_bytes);
  // Reads until `text` holds `size` bytes. False at the deadline or EOF.
  bool read_exactly(std::string& text, std::size_t size);
  // Writes all of `data` (no SIGPIPE). False if the peer went away or the deadline passed.
  bool write_all(std::string_view data);

 private:
  int fd_;
  PeerCredentials peer_;
  Clock::time_point deadline_;
};

struct UnixServerLimits {
  int workers = 8;                             // clients served at once; one more is refused
  int per_caller = 0;                          // of those, how many one uid may hold (0: no cap)
  std::chrono::milliseconds deadline{10'000};  // accept to close, for each client
};

// Serves `listener` until `stop` is set, then finishes the clients in progress. `handle` runs
// on one of `limits.workers` threads for each client; a client still connected at its deadline
// is shut down (its reads and writes fail, `handle` returns) and closed. A client over the
// limits gets `refuse` on the accepting thread instead, which must answer without waiting.
void serve_unix_socket(UnixSocketListener& listener, const UnixServerLimits& limits,
                       const std::function<void(UnixConnection&)>& handle,
                       const std::function<void(UnixConnection&)>& refuse,
                       const std::atomic<bool>& stop);

}  // namespace da::net
