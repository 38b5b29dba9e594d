// The HTTP server on its own: Unix sockets, keep-alive, limits, timeouts and a graceful stop.
#include "da/web/http_server.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "support/temp_dir.hpp"
#include <arpa/inet.h>
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
  // A connection from `source` (another loopback address, such as 127.0.0.2).
  static RawClient tcp_from(const char* source, uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &local.sin_addr);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local), 0);
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
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.threads = 1;
  HttpServer server(options, hello);
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

// Sends one GET per connection at once and returns how long until every answer was in.
std::chrono::milliseconds time_parallel_gets(uint16_t port, const std::vector<std::string>& paths) {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::future<std::string>> answers;
  for (const std::string& path : paths)
    answers.push_back(std::async(std::launch::async, [port, path] {
      RawClient client = RawClient::tcp(port);
      client.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
      return client.read_response();
    }));
  for (auto& answer : answers)
    EXPECT_EQ(answer.get().rfind("HTTP/1.1 200", 0), 0u);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started);
}

Response sleepy(Request& request) {
  std::this_thread::sleep_for(300ms);
  return Response::text(200, "slept " + request.path);
}

TEST(HttpServer, HandlersRunInParallelOnTheWorkers) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.workers = 8;
  HttpServer server(options, sleepy);
  server.start();
  // Eight requests of 300 ms each: one at a time would take 2.4 s.
  auto took = time_parallel_gets(server.port(), std::vector<std::string>(8, "/sleep"));
  EXPECT_LT(took, 1200ms);
}

TEST(HttpServer, BlockingRequestsNeverDelayTheOthers) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.workers = 2;
  options.blocking_workers = 2;
  std::atomic<bool> release{false};
  HttpServer server(
      options,
      [&](Request& request) {
        if (request.path == "/slow")
          while (!release)
            std::this_thread::sleep_for(5ms);
        return Response::text(200, "ok");
      },
      [](Request& request) { return request.path == "/slow" ? Lane::kBlocking : Lane::kWorker; });
  server.start();
  std::vector<std::future<std::string>> slow;
  for (int i = 0; i < 10; ++i)
    slow.push_back(std::async(std::launch::async, [&] {
      RawClient client = RawClient::tcp(server.port());
      client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
      return client.read_response();
    }));
  std::this_thread::sleep_for(200ms);  // every slow request is in or waiting for the pool
  for (int i = 0; i < 20; ++i) {
    auto started = std::chrono::steady_clock::now();
    RawClient client = RawClient::tcp(server.port());
    client.send(kGet);
    EXPECT_EQ(client.read_response().rfind("HTTP/1.1 200", 0), 0u);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 100ms);
  }
  release = true;
  for (auto& answer : slow)
    EXPECT_EQ(answer.get().rfind("HTTP/1.1 200", 0), 0u);
}

TEST(HttpServer, TooManyWaitingBlockingRequestsGetServiceUnavailable) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.blocking_workers = 1;
  options.max_queued_blocking = 1;
  std::atomic<bool> release{false};
  HttpServer server(
      options,
      [&](Request&) {
        while (!release)
          std::this_thread::sleep_for(5ms);
        return Response::text(200, "ok");
      },
      [](Request&) { return Lane::kBlocking; });
  server.start();
  RawClient first = RawClient::tcp(server.port());
  RawClient second = RawClient::tcp(server.port());
  first.send(kGet);
  second.send(kGet);
  std::this_thread::sleep_for(200ms);
  RawClient third = RawClient::tcp(server.port());
  third.send(kGet);
  std::string refused = third.read_response();
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_NE(refused.find("Retry-After: 30"), std::string::npos);
  release = true;
  EXPECT_EQ(first.read_response().rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(second.read_response().rfind("HTTP/1.1 200", 0), 0u);
}

TEST(HttpServer, OneAddressCannotHoldMoreConnectionsThanTheCap) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.max_connections_per_address = 3;
  HttpServer server(options, hello);
  server.start();
  std::vector<RawClient> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(RawClient::tcp_from("127.0.0.1", server.port()));
    held.back().send(kGet);
    EXPECT_EQ(held.back().read_response().rfind("HTTP/1.1 200", 0), 0u);
  }
  RawClient fourth = RawClient::tcp_from("127.0.0.1", server.port());
  std::string refused = fourth.read_response();
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_NE(refused.find("Too many connections from your address"), std::string::npos);
  // Another address is served, and a closed connection frees a place.
  RawClient other = RawClient::tcp_from("127.0.0.2", server.port());
  other.send(kGet);
  EXPECT_EQ(other.read_response().rfind("HTTP/1.1 200", 0), 0u);
  held.pop_back();
  std::this_thread::sleep_for(100ms);
  RawClient again = RawClient::tcp_from("127.0.0.1", server.port());
  again.send(kGet);
  EXPECT_EQ(again.read_response().rfind("HTTP/1.1 200", 0), 0u);
}

TEST(HttpServer, OnlyTrustedProxiesNameTheClient) {
  auto client_of = [](const char* source, const std::vector<std::string>& proxies,
                      const std::string& headers) {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.trusted_proxies = net::TrustedProxies(proxies, "test");
    HttpServer server(options, [](Request& request) {
      return Response::text(200, "client=" + request.client_ip() + ";");
    });
    server.start();
    RawClient client = RawClient::tcp_from(source, server.port());
    client.send("GET / HTTP/1.1\r\nHost: t\r\n" + headers + "\r\n");
    std::string response = client.read_response();
    auto at = response.find("client=");
    return response.substr(at + 7, response.find(';', at) - at - 7);
  };
  std::string forged = "X-Forwarded-For: 1.2.3.4, 203.0.113.9\r\nX-Real-IP: 5.6.7.8\r\n";
  EXPECT_EQ(client_of("127.0.0.1", {}, forged), "127.0.0.1");
  EXPECT_EQ(client_of("127.0.0.2", {"127.0.0.1"}, forged), "127.0.0.2");
  EXPECT_EQ(client_of("127.0.0.1", {"127.0.0.1"}, forged), "203.0.113.9");
  EXPECT_EQ(client_of("127.0.0.1", {"127.0.0.1"}, "X-Real-IP: 5.6.7.8\r\n"), "5.6.7.8");
}

}  // namespace
}  // namespace da::web
