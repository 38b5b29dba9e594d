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
  // kClose: the code of the server's close frame, 0 when the connection ended without one.
  int close_code = 0;
};

class WsClient {
 public:
  // Connects to 127.0.0.1:`port` (from `source_address` when not empty, e.g. "127.0.0.2") and
  // asks for a WebSocket upgrade of `path` (sending `origin` when not empty). `status`
  // receives the HTTP status of the answer (101 on success, 0 when the connection was closed
  // before one).
  WsClient(uint16_t port, const std::string& origin = "", const std::string& path = "/",
           const std::string& source_address = "");
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  int status() const { return status_; }
  bool connected() const { return fd_ >= 0 && status_ == 101; }
  void send_text(const std::string& text);
  // Whether receive() answers the server's ping frames with pongs (as client libraries do);
  // on by default.
  void answer_pings(bool answer) { answer_pings_ = answer; }
  // The next frame within `timeout` (pings are skipped, and answered if so set).
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
  bool answer_pings_ = true;
  std::string buffer_;
  std::string fragments_;  // a text message whose last fragment has not arrived
};

}  // namespace da::testing
