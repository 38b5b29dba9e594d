// The portal's HTTP/1.1 server (Boost.Beast, confined to http_server.cpp): keep-alive,
// header and body size limits, read and idle timeouts, and a graceful stop that finishes the
// requests in flight.
//
// Threads: `threads` I/O threads move bytes and answer only what never waits (files held in
// memory). Other handlers run on a pool of `workers`, and requests that may block for long
// (password hashing, calls to another server) on their own pool of `blocking_workers`:
// however many of those wait, every other request is still answered at once. When more than
// `max_queued_blocking` blocking requests wait for a worker, the next ones get 503.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "da/config/instance_config.hpp"
#include "da/net/trusted_proxies.hpp"
#include "da/web/lane.hpp"
#include "da/web/request.hpp"
#include "da/web/response.hpp"

namespace da::web {

struct ServerOptions {
  // "127.0.0.1:8080", "[::1]:8080", ":8080" (all interfaces) or "unix:/run/da/portal.sock".
  // Port 0 picks a free port (see HttpServer::port()).
  std::string listen = "127.0.0.1:8080";
  int threads = 2;           // I/O threads
  int workers = 8;           // threads running handlers
  int blocking_workers = 4;  // threads running handlers of blocking requests
  int max_queued_blocking = 64;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds read_timeout{30};  // to receive one whole request
  std::chrono::seconds idle_timeout{60};  // between keep-alive requests
  std::chrono::seconds shutdown_grace{10};
  bool access_log = true;  // one structured line per request on the log
  mode_t unix_socket_mode = 0660;
  // Peers that may name the client (Request::client_address); see net::TrustedProxies.
  net::TrustedProxies trusted_proxies;
  // Open connections one peer address may hold (0: no cap); trusted proxies are not capped.
  int max_connections_per_address = 0;
};

// Called for every complete request on a server thread. Must not throw; a thrown exception
// becomes a bare 500.
using RequestHandler = std::function<Response(Request&)>;
// Chooses the lane of a request. Called on an I/O thread: must be quick. Without one, every
// request runs on the workers.
using LaneClassifier = std::function<Lane(Request&)>;

// The options server.* of the instance configures (listen, threads, limits, proxies).
ServerOptions server_options(const config::InstanceConfig& config);

class HttpServer {
 public:
  HttpServer(ServerOptions options, RequestHandler handler, LaneClassifier lanes = {});
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
