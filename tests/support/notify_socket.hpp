// The listening end of systemd's notification protocol, owned by a test: a Unix datagram
// socket whose path a process under test gets as NOTIFY_SOCKET.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace da::testing {

class NotifySocket {
 public:
  // Binds a datagram socket at `path` (removed again when the object goes).
  explicit NotifySocket(std::filesystem::path path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The next datagram ("READY=1\nSTATUS=..."), or nothing when none came within `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout);
  // Datagrams until one holds the line `line` ("WATCHDOG=1"); that one, or nothing on timeout.
  std::optional<std::string> receive_line(const std::string& line,
                                          std::chrono::milliseconds timeout);

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// Whether `message` holds `line` as one of its newline-separated lines.
bool has_line(const std::string& message, const std::string& line);

}  // namespace da::testing
