// The WebSocket gateway's protocol, apart from the socket library (ws_server.cpp holds that):
//
//   client -> {"type":"auth","token":"<desktop access token>","last_id":N?}   within 10 s
//   server -> {"type":"auth_ok","username":...} | {"type":"auth_error","message":...} + close
//   server -> {"type":"notification","id","title","message","script","timestamp","image_url"?}
//   client -> {"type":"ack","id":N}          the notification was shown: never sent again
//   server -> {"type":"ping"} every interval; client -> {"type":"pong"}; 3 misses close it
//
// Beyond the original: the token's issuer, family and user are checked (a disabled account is
// refused), at most `max_connections_per_user` sockets per user, acknowledgements, and on
// (re)connect every unacknowledged notification after the client's last id is replayed.
//
// Notifications come from the outbox, which is the only shared state: each gateway process
// pushes new desktop notifications to its own sockets and replays from the outbox, so a second
// process can be added behind the same proxy without losing or duplicating one (clients
// de-duplicate by id; acknowledgements are idempotent).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "da/config/instance_config.hpp"

namespace da::services::ws_gateway {

using Clock = std::chrono::steady_clock;

// One client connection, as the hub sees it. Implementations queue sends on their own strand.
class Session {
 public:
  virtual ~Session() = default;
  virtual void send(std::string text) = 0;
  virtual void close() = 0;
};

struct GatewayOptions {
  std::chrono::seconds auth_timeout{10};
  std::chrono::seconds ping_interval{30};
  int missed_pongs = 3;
  int max_connections_per_user = 5;
  int replay_limit = 500;
  // How often live sockets are checked again: a disabled user or a revoked desktop link
  // closes them.
  std::chrono::seconds revalidate_interval{60};
};

struct GatewayHealth {
  int connections = 0;
  std::map<std::string, int> users;  // authenticated sockets per user
};

class GatewayHub {
 public:
  GatewayHub(config::InstanceConfig config, GatewayOptions options);

  void opened(const std::shared_ptr<Session>& session);
  void received(const std::shared_ptr<Session>& session, std::string_view text);
  void closed(const Session* session);
  // Closes sockets that never authenticated in time and sends pings / closes silent ones.
  void tick(Clock::time_point now);
  // Pushes desktop notifications newer than the last one seen to the connected users' sockets
  // and marks those delivered; returns how many notifications went out.
  int dispatch_new();
  GatewayHealth health();

 private:
  struct Entry {
    std::weak_ptr<Session> session;
    Clock::time_point opened_at;
    Clock::time_point last_ping;
    int misses = 0;
    bool authenticated = false;
    int64_t user_id = 0;
    std::string username;
    int64_t last_sent = 0;  // ids only ever increase on a socket: never one twice
    Clock::time_point ack_window;
    int acks_in_window = 0;  // each ack is a write to the state store: bounded per second
  };
  void authenticate(const std::shared_ptr<Session>& session, const nlohmann::json& message);
  void refuse(const std::shared_ptr<Session>& session, const std::string& message);
  // Closes the sockets of users who were disabled or unlinked the desktop app since.
  void revalidate();

  config::InstanceConfig config_;
  GatewayOptions options_;
  std::mutex mutex_;
  std::map<const Session*, Entry> entries_;
  int64_t cursor_ = -1;  // the highest notification id already pushed by this process
  Clock::time_point last_revalidation_ = Clock::now();
};

// The notification frame sent to clients.
std::string notification_frame(int64_t id, const std::string& title, const std::string& message,
                               const std::optional<std::string>& script,
                               const std::optional<std::string>& image, int64_t created_at);

}  // namespace da::services::ws_gateway
