// The portal's HTTP/1.1 server (Boost.Beast, confined to http_server.cpp): keep-alive,
// header and body size limits, read and idle timeouts, a fixed pool of threads, and a
// graceful stop that finishes the requests in flight.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "da/web/request.hpp"
#include "da/web/response.hpp"

namespace da::web {

struct ServerOptions {
  // "127.0.0.1:8080", "[::1]:8080", ":8080" (all interfaces) or "unix:/run/da/portal.sock".
  // Port 0 picks a free port (see HttpServer::port()).
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds read_timeout{30};  // to receive one whole request
  std::chrono::seconds idle_timeout{60};  // between keep-alive requests
  std::chrono::seconds shutdown_grace{10};
  bool access_log = true;  // one structured line per request on the log
  mode_t unix_socket_mode = 0660;
};

// Called for every complete request on a server thread. Must not throw; a thrown exception
// becomes a bare 500.
using RequestHandler = std::function<Response(Request&)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, RequestHandler handler);
  ~HttpServer();  // stops and joins
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the threads. Throws Error(kConfig) naming the address if it cannot bind.
  void start();
  // The bound TCP port (0 for a Unix socket).
  uint16_t port() const;
  // Stops accepting, lets requests in flight finish (up to shutdown_grace), closes idle
  // keep-alive connections and joins the threads. Safe to call twice and from any thread.
  void stop();
  // Blocks until stop() has completed.
  void wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace da::web
