// The gateway's sockets: a WebSocket server on TCP (Boost.Beast, only in ws_server.cpp) that
// checks the Origin of the upgrade, answers GET /health in plain HTTP, and hands every socket
// and every frame it receives to the GatewayHub. Each socket's writes are queued on its own
// strand. When accept fails (out of descriptors) it pauses instead of spinning, and serves
// the sockets it has meanwhile.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway_hub.hpp"

namespace da::services::ws_gateway {

struct WsServerOptions {
  std::string listen = "127.0.0.1:8765";  // address:port (port 0: any free port)
  int threads = 2;
  // Origins a browser may connect from (the portal's, as net::origin_of() gives it); a request
  // without Origin (the desktop app) is let through, any other Origin is refused with 403.
  std::vector<std::string> allowed_origins;
  std::size_t max_message_bytes = 64 * 1024;
  // Sockets one client address may hold (0: no cap); a connection over the cap is closed at
  // once. Peers in `trusted_proxies` (see net::TrustedProxies) carry many clients: no cap.
  int max_connections_per_address = 0;
  std::vector<std::string> trusted_proxies;
  // Offer permessage-deflate (RFC 7692) to clients that ask for it.
  bool permessage_deflate = false;
};

class WsServer {
 public:
  WsServer(WsServerOptions options, GatewayHub& hub);
  ~WsServer();
  WsServer(const WsServer&) = delete;
  WsServer& operator=(const WsServer&) = delete;

  // Binds and starts serving on `threads` threads. Throws Error(kConfig) for a bad address or
  // trusted proxy, Error(kInternal) when it cannot listen.
  void start();
  // Closes the listener and every socket, and joins the threads.
  void stop();
  uint16_t port() const;
  // Runs `task` on an I/O thread, behind the I/O work already queued (see HttpServer::post).
  void post(std::function<void()> task);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace da::services::ws_gateway
