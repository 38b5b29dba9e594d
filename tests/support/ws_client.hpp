// A small blocking WebSocket client over a raw socket, for tests of the gateway: the upgrade,
// masked text frames out, unmasked frames in, and close. No library, so that what goes over
// the wire is exactly what the test says.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace da::testing {

struct WsFrame {
  enum class Kind { kText, kClose, kTimeout, kOther };
  Kind kind = Kind::kTimeout;
  std::string text;
};

class WsClient {
 public:
  // Connects to 127.0.0.1:`port` and asks for a WebSocket upgrade of `path` (sending `origin`
  // when not empty). `status` receives the HTTP status of the answer (101 on success).
  WsClient(uint16_t port, const std::string& origin = "", const std::string& path = "/");
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  int status() const { return status_; }
  bool connected() const { return fd_ >= 0 && status_ == 101; }
  void send_text(const std::string& text);
  // The next frame within `timeout` (pings are answered and skipped).
  WsFrame receive(std::chrono::milliseconds timeout);
  // The next text frame whose JSON "type" is `type`, skipping others; nullopt on timeout/close.
  std::optional<std::string> receive_type(const std::string& type, std::chrono::milliseconds timeout);
  void close();

 private:
  void send_frame(int opcode, const std::string& payload);
  bool fill(std::size_t size, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  int status_ = 0;
  bool ended_ = false;  // the server closed the connection
  std::string buffer_;
  std::string fragments_;  // a text message whose last fragment has not arrived
};

}  // namespace da::testing
