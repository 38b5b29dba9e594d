#include "da/net/unix_socket_server.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/worker_pool.hpp"
#include "da/net/accept_backoff.hpp"

namespace da::net {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until `fd` has `events` or `deadline` passes; false at the deadline.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd poll_fd{fd, events, 0};
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
  if ((group != static_cast<gid_t>(-1) &&
       ::chown(path_.c_str(), static_cast<uid_t>(-1), group) != 0) ||
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
  if (!wait_for(fd_, POLLIN, Clock::now() + wait)) {
    errno = 0;
    return -1;
  }
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

bool UnixConnection::read_until(std::string& text, std::string_view delimiter,
                                std::size_t max_bytes) {
  while (text.find(delimiter) == std::string::npos) {
    if (text.size() > max_bytes || !wait_for(fd_, POLLIN, deadline_) || !read_some(fd_, text))
      return false;
  }
  return true;
}

bool UnixConnection::read_exactly(std::string& text, std::size_t size) {
  while (text.size() < size) {
    if (!wait_for(fd_, POLLIN, deadline_) || !read_some(fd_, text)) return false;
  }
  return true;
}

bool UnixConnection::write_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(fd_, POLLOUT, deadline_)) return false;
      continue;
    }
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

namespace {

// The clients being served: who holds how many, and the deadline of each. Closing a client's
// socket happens under the same lock as the deadline check, so a deadline never shuts down a
// descriptor number that a newer client got in the meantime.
class ActiveClients {
 public:
  explicit ActiveClients(const UnixServerLimits& limits) : limits_(limits) {}

  bool admit(int fd, uid_t uid, Clock::time_point deadline) {
    std::lock_guard lock(mutex_);
    if (static_cast<int>(clients_.size()) >= limits_.workers) return false;
    if (limits_.per_caller > 0 && per_caller_[uid] >= limits_.per_caller) return false;
    clients_[fd] = {uid, deadline, false};
    ++per_caller_[uid];
    return true;
  }

  void close(int fd) {
    std::lock_guard lock(mutex_);
    auto client = clients_.find(fd);
    if (client != clients_.end()) {
      if (--per_caller_[client->second.uid] == 0) per_caller_.erase(client->second.uid);
      clients_.erase(client);
    }
    ::close(fd);
  }

  // Shuts down the clients past their deadline; returns how long until the next one is due.
  std::chrono::milliseconds enforce_deadlines(std::chrono::milliseconds longest) {
    std::lock_guard lock(mutex_);
    auto now = Clock::now();
    auto next = now + longest;
    for (auto& [fd, client] : clients_) {
      if (client.shut) continue;
      if (client.deadline <= now) {
        ::shutdown(fd, SHUT_RDWR);
        client.shut = true;
      } else {
        next = std::min(next, client.deadline);
      }
    }
    return std::chrono::ceil<std::chrono::milliseconds>(next - now);
  }

  bool empty() const {
    std::lock_guard lock(mutex_);
    return clients_.empty();
  }

 private:
  struct Client {
    uid_t uid;
    Clock::time_point deadline;
    bool shut;
  };
  const UnixServerLimits& limits_;
  mutable std::mutex mutex_;
  std::map<int, Client> clients_;
  std::map<uid_t, int> per_caller_;
};

}  // namespace

void serve_unix_socket(UnixSocketListener& listener, const UnixServerLimits& limits,
                       const std::function<void(UnixConnection&)>& handle,
                       const std::function<void(UnixConnection&)>& refuse,
                       const std::atomic<bool>& stop) {
  constexpr auto kPoll = std::chrono::milliseconds(200);
  ActiveClients clients(limits);
  WorkerPool pool(limits.workers);
  AcceptBackoff backoff(listener.path().string());
  while (!stop.load()) {
    int fd = listener.accept_for(clients.enforce_deadlines(kPoll));
    if (fd < 0) {
      // Out of descriptors or memory the connection stays queued and accept fails again at
      // once: pause instead of spinning.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
        std::this_thread::sleep_for(backoff.failed(std::strerror(errno)));
      continue;
    }
    backoff.succeeded();
    UnixConnection connection(fd, peer_credentials(fd), Clock::now() + limits.deadline);
    if (!clients.admit(fd, connection.peer().uid, connection.deadline())) {
      refuse(connection);
      ::close(fd);
      continue;
    }
    pool.submit([&handle, &clients, &listener, connection, fd]() mutable {
      try {
        handle(connection);
      } catch (const std::exception& e) {
        log::warn("{}: uid {}: {}", listener.path().string(), connection.peer().uid, e.what());
      }
      clients.close(fd);
    });
  }
  // The clients in progress finish, still within their deadlines.
  while (!clients.empty())
    std::this_thread::sleep_for(clients.enforce_deadlines(std::chrono::milliseconds(20)));
}

}  // namespace da::net
