// The HTTP server on its own: Unix sockets, keep-alive, limits, timeouts and a graceful stop.
#include "da/web/http_server.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace da::web {
namespace {

using namespace std::chrono_literals;

// A raw client: sends bytes, reads until the peer closes or `deadline` passes.
class RawClient {
 public:
  explicit RawClient(int fd) : fd_(fd) {
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~RawClient() { ::close(fd_); }
  static RawClient tcp(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return RawClient(fd);
  }
  static RawClient unix_socket(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return RawClient(fd);
  }
  RawClient(RawClient&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

  void send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  // Reads one response (headers and a Content-Length body).
  std::string read_response() {
    std::string data;
    char buffer[4096];
    while (true) {
      auto header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        auto length_at = data.find("Content-Length: ");
        std::size_t length =
            length_at == std::string::npos ? 0 : std::stoul(data.substr(length_at + 16));
        if (data.size() >= header_end + 4 + length) return data.substr(0, header_end + 4 + length);
      }
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return data;
      data.append(buffer, static_cast<std::size_t>(n));
    }
  }
  // True if the server closes the connection (recv returns 0) within the receive timeout.
  bool closed_by_peer() {
    char byte;
    return ::recv(fd_, &byte, 1, 0) == 0;
  }

 private:
  int fd_;
};

const std::string kGet = "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n";

Response hello(Request& request) {
  return Response::text(200, "hello " + request.path);
}

TEST(HttpServer, ServesSeveralRequestsOnOneKeptAliveConnection) {
  HttpServer server({"127.0.0.1:0", 1}, hello);
  server.start();
  RawClient client = RawClient::tcp(server.port());
  for (int i = 0; i < 3; ++i) {
    client.send(kGet);
    std::string response = client.read_response();
    EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
    EXPECT_NE(response.find("hello /hello"), std::string::npos);
  }
}

TEST(HttpServer, ListensOnAUnixSocketAndRemovesItOnStop) {
  testing::TempDir dir;
  std::string path = (dir / "portal.sock").string();
  ServerOptions options;
  options.listen = "unix:" + path;
  HttpServer server(options, hello);
  server.start();
  {
    RawClient client = RawClient::unix_socket(path);
    client.send(kGet);
    EXPECT_EQ(client.read_response().rfind("HTTP/1.1 200", 0), 0u);
  }
  server.stop();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(HttpServer, RefusesOversizedHeadersAndBodies) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.max_header_bytes = 1024;
  options.max_body_bytes = 100;
  HttpServer server(options, hello);
  server.start();
  RawClient big_header = RawClient::tcp(server.port());
  big_header.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  EXPECT_EQ(big_header.read_response().rfind("HTTP/1.1 431", 0), 0u);
  RawClient big_body = RawClient::tcp(server.port());
  big_body.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" +
                std::string(5000, 'b'));
  EXPECT_EQ(big_body.read_response().rfind("HTTP/1.1 413", 0), 0u);
}

TEST(HttpServer, ClosesIdleConnectionsAfterTheIdleTimeout) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.idle_timeout = 1s;
  HttpServer server(options, hello);
  server.start();
  RawClient client = RawClient::tcp(server.port());
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_peer());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
}

TEST(HttpServer, StopFinishesTheRequestInFlightAndClosesIdleConnections) {
  std::atomic<bool> in_handler{false};
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  HttpServer server(options, [&](Request&) {
    in_handler = true;
    std::this_thread::sleep_for(300ms);
    return Response::text(200, "finished");
  });
  server.start();
  RawClient idle = RawClient::tcp(server.port());
  RawClient busy = RawClient::tcp(server.port());
  busy.send(kGet);
  while (!in_handler)
    std::this_thread::sleep_for(5ms);
  auto stopping = std::async(std::launch::async, [&] { server.stop(); });
  std::string response = busy.read_response();
  EXPECT_NE(response.find("finished"), std::string::npos) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(idle.closed_by_peer());
  EXPECT_EQ(stopping.wait_for(5s), std::future_status::ready);
}

}  // namespace
}  // namespace da::web
