#include "support/ws_client.hpp"

#include <cerrno>
#include <cstring>
#include <random>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace da::testing {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

WsClient::WsClient(uint16_t port, const std::string& origin, const std::string& path,
                   const std::string& source_address) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ >= 0 && !source_address.empty()) {
    sockaddr_in source{};
    source.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source_address.c_str(), &source.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
      close();
      return;
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close();
    return;
  }
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n" +
                        (origin.empty() ? "" : "Origin: " + origin + "\r\n") + "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    close();
    return;
  }
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (buffer_.find("\r\n\r\n") == std::string::npos) {
    if (!fill(buffer_.size() + 1, deadline)) {
      close();
      return;
    }
  }
  status_ = std::atoi(buffer_.substr(9, 3).c_str());
  buffer_.erase(0, buffer_.find("\r\n\r\n") + 4);
}

WsClient::~WsClient() {
  close();
}

void WsClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool WsClient::fill(std::size_t size, Clock::time_point deadline) {
  char chunk[8192];
  while (buffer_.size() < size) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || fd_ < 0) return false;
    pollfd poll_fd{fd_, POLLIN, 0};
    int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready <= 0) continue;
    ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) {
      ended_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(got));
  }
  return true;
}

void WsClient::send_frame(int opcode, const std::string& payload) {
  if (fd_ < 0) return;
  std::string frame;
  frame.push_back(static_cast<char>(0x80 | opcode));
  if (payload.size() < 126) {
    frame.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() < 65536) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(payload.size() >> 8));
    frame.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      frame.push_back(static_cast<char>((payload.size() >> shift) & 0xff));
  }
  static thread_local std::mt19937 random{std::random_device{}()};
  char mask[4];
  for (char& byte : mask) byte = static_cast<char>(random());
  frame.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) frame.push_back(payload[i] ^ mask[i % 4]);
  (void)::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL);
}

void WsClient::send_text(const std::string& text) {
  send_frame(0x1, text);
}

WsFrame WsClient::receive(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (!fill(2, deadline))
      return {ended_ || fd_ < 0 ? WsFrame::Kind::kClose : WsFrame::Kind::kTimeout, ""};
    int opcode = buffer_[0] & 0x0f;
    uint64_t length = static_cast<unsigned char>(buffer_[1]) & 0x7f;
    std::size_t header = 2;
    if (length == 126) {
      if (!fill(4, deadline)) return {ended_ ? WsFrame::Kind::kClose : WsFrame::Kind::kTimeout, ""};
      length = (static_cast<unsigned char>(buffer_[2]) << 8) | static_cast<unsigned char>(buffer_[3]);
      header = 4;
    } else if (length == 127) {
      if (!fill(10, deadline)) return {ended_ ? WsFrame::Kind::kClose : WsFrame::Kind::kTimeout, ""};
      length = 0;
      for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<unsigned char>(buffer_[i]);
      header = 10;
    }
    if (!fill(header + length, deadline)) return {ended_ ? WsFrame::Kind::kClose : WsFrame::Kind::kTimeout, ""};
    bool final_frame = (buffer_[0] & 0x80) != 0;
    std::string payload = buffer_.substr(header, length);
    buffer_.erase(0, header + length);
    if (opcode == 0x9) {
      if (answer_pings_) send_frame(0xA, payload);
      continue;
    }
    // A message may come in fragments: a first frame without FIN, continuations (opcode 0).
    if (opcode == 0x1 || opcode == 0x0) {
      fragments_ += payload;
      if (!final_frame) continue;
      std::string text = std::move(fragments_);
      fragments_.clear();
      return {WsFrame::Kind::kText, text};
    }
    if (opcode == 0x8) {
      int code = payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                           static_cast<unsigned char>(payload[1])
                                     : 0;
      return {WsFrame::Kind::kClose, payload, code};
    }
    return {WsFrame::Kind::kOther, payload};
  }
}

std::optional<std::string> WsClient::receive_type(const std::string& type,
                                                  std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    WsFrame frame = receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (frame.kind == WsFrame::Kind::kClose || frame.kind == WsFrame::Kind::kTimeout)
      return std::nullopt;
    if (frame.kind == WsFrame::Kind::kText &&
        frame.text.find("\"type\":\"" + type + "\"") != std::string::npos)
      return frame.text;
  }
  return std::nullopt;
}

}  // namespace da::testing
