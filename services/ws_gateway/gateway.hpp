// A running gateway: the hub, its sockets, and the two loops that drive it (the outbox poll
// that pushes new notifications, and the tick that pings and times out sockets).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "gateway_hub.hpp"
#include "ws_server.hpp"

namespace da::services::ws_gateway {

class Gateway {
 public:
  // `poll_interval`: how often the outbox is read for new notifications.
  Gateway(config::InstanceConfig config, GatewayOptions options, WsServerOptions server,
          std::chrono::milliseconds poll_interval = std::chrono::milliseconds(50));
  ~Gateway();

  void start();
  void stop();
  uint16_t port() const { return server_.port(); }
  // Runs `task` on one of the server's I/O threads (see WsServer::post).
  void post(std::function<void()> task) { server_.post(std::move(task)); }
  GatewayHub& hub() { return hub_; }

 private:
  GatewayHub hub_;
  WsServer server_;
  std::chrono::milliseconds poll_interval_;
  std::atomic<bool> stop_{false};
  std::thread dispatcher_;
  std::thread ticker_;
};

}  // namespace da::services::ws_gateway
