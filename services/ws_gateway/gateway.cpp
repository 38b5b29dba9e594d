#include "gateway.hpp"

#include "da/common/log.hpp"

namespace da::services::ws_gateway {

Gateway::Gateway(config::InstanceConfig config, GatewayOptions options, WsServerOptions server,
                 std::chrono::milliseconds poll_interval)
    : hub_(std::move(config), options), server_(std::move(server), hub_), poll_interval_(poll_interval) {}

Gateway::~Gateway() {
  stop();
}

void Gateway::start() {
  hub_.dispatch_new();  // starts after the notifications already stored (they are replayed)
  server_.start();
  dispatcher_ = std::thread([this] {
    while (!stop_.load()) {
      int pushed = 0;
      try {
        pushed = hub_.dispatch_new();
      } catch (const std::exception& e) {
        log::warn("ws gateway: reading the outbox failed: {}", e.what());
      }
      if (pushed == 0) std::this_thread::sleep_for(poll_interval_);
    }
  });
  ticker_ = std::thread([this] {
    while (!stop_.load()) {
      hub_.tick(Clock::now());
      for (int i = 0; i < 10 && !stop_.load(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
}

void Gateway::stop() {
  stop_ = true;
  if (dispatcher_.joinable()) dispatcher_.join();
  if (ticker_.joinable()) ticker_.join();
  server_.stop();
}

}  // namespace da::services::ws_gateway
