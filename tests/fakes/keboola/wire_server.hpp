// A minimal HTTP/1.1 server on 127.0.0.1 over raw sockets, for fakes that must misbehave on the
// wire in ways a real server library will not: close a connection without answering, answer
// late, stream large files from disk. One accept thread and one thread per connection;
// keep-alive with Content-Length bodies ("Expect: 100-continue" is honoured).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace da::fakes {

using WireFields = std::vector<std::pair<std::string, std::string>>;

struct WireRequest {
  std::string method;
  std::string path;    // the target before '?', still percent-encoded
  std::string query;   // the raw query after '?', without it
  WireFields headers;  // names in lower case, values trimmed, in arrival order
  std::string body;
  // The first value of the header or "".
  std::string header(std::string_view name) const;
};

struct WireResponse {
  int status = 200;
  WireFields headers;
  std::string body;
  // Instead of `body`: this byte range of a file, read and sent in chunks.
  std::optional<std::filesystem::path> file;
  uint64_t file_offset = 0;
  uint64_t file_length = 0;
  std::chrono::milliseconds delay{0};  // waited before answering (or dropping)
  bool drop = false;                   // close the connection without an answer
  // Close the connection after this many bytes of `body` (a transfer cut short).
  std::optional<std::size_t> cut_body_after;
  // Released just before the answer's last byte is sent, so a handler can observe transfers in
  // flight and a client that reads a whole answer before asking again never overlaps itself.
  std::shared_ptr<void> until_sent;
};

class WireServer {
 public:
  using Handler = std::function<WireResponse(const WireRequest&)>;

  // Listens on an ephemeral loopback port at once.
  explicit WireServer(Handler handler);
  // Stops accepting, wakes every connection and joins all threads.
  ~WireServer();
  WireServer(const WireServer&) = delete;
  WireServer& operator=(const WireServer&) = delete;

  uint16_t port() const { return port_; }

 private:
  struct Connection {
    int fd;
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  void accept_loop();
  void serve(int fd);
  void reap_finished();
  bool stopping() const { return stopping_.load(); }

  Handler handler_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards connections_ and the closing of their sockets
  std::list<Connection> connections_;
  std::thread accept_thread_;
};

// Percent-decoding; `plus_as_space` for application/x-www-form-urlencoded text.
std::string percent_decode(std::string_view text, bool plus_as_space);
// "a=1&b=2&a=3" -> {{"a","1"},{"b","2"},{"a","3"}}, names and values decoded, order kept.
WireFields parse_urlencoded(std::string_view text);

}  // namespace da::fakes
