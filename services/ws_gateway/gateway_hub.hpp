// The WebSocket gateway's protocol, apart from the socket library (ws_server.cpp holds that).
// docs/notifications.md describes it for client authors; in short:
//
//   client -> {"type":"auth","token":"<desktop access token>","last_id":N?}   within 10 s
//   server -> {"type":"auth_ok","username":...} | {"type":"auth_error","message":...} + close
//   server -> {"type":"notification","id","title","message","script","timestamp","image_url"?}
//   client -> {"type":"ack","id":N}          the notification was shown: never sent again
//   server -> a WebSocket ping and {"type":"ping"} every interval; any frame from the client
//             (its automatic pong, {"type":"pong"}, an ack) counts as an answer; 3 intervals
//             without one close the socket
//   server -> {"type":"error","message":...} for a malformed message (then close 1007) or a
//             last_id beyond every notification (the socket stays; everything is replayed)
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

#include "da/common/json_fields.hpp"
#include "da/config/instance_config.hpp"
#include "da/identity/desktop_settings.hpp"

namespace da::services::ws_gateway {

using Clock = std::chrono::steady_clock;

// The close codes the gateway sends (RFC 6455 section 7.4.1).
enum class CloseCode : uint16_t {
  kGoingAway = 1001,       // nothing heard from the client for `missed_pongs` ping intervals
  kInvalidPayload = 1007,  // a message that is not a JSON object or has a field of the wrong type
  kPolicy = 1008,          // authentication refused or ended, too many connections
  kInternalError = 1011,   // the gateway could not read its state store: try again later
};

// One client connection, as the hub sees it. Implementations queue sends on their own strand.
class Session {
 public:
  virtual ~Session() = default;
  virtual void send(std::string text) = 0;
  // A WebSocket ping control frame: client libraries answer it with a pong by themselves.
  virtual void ping() = 0;
  // Sends what is queued, then a close frame with `code`.
  virtual void close(CloseCode code) = 0;
};

struct GatewayOptions {
  std::chrono::seconds auth_timeout{10};
  // Every interval a socket is pinged; one that sent nothing for `missed_pongs` intervals is
  // closed.
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
  // A text message from the client. A malformed one is answered with an error naming the
  // field and a close (1007); this never throws.
  void received(const std::shared_ptr<Session>& session, std::string_view text);
  // Any other frame from the client (a pong, a ping, a binary message): it is alive.
  void heard(const Session* session);
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
    int misses = 0;  // ping intervals without a frame from the client
    bool authenticated = false;
    int64_t user_id = 0;
    std::string username;
    int64_t last_sent = 0;  // ids only ever increase on a socket: never one twice
    Clock::time_point ack_window;
    int acks_in_window = 0;  // each ack is a write to the state store: bounded per second
  };
  void handle(const std::shared_ptr<Session>& session, std::string_view text);
  void authenticate(const std::shared_ptr<Session>& session, const JsonFields& message);
  // end() with auth_error before authentication, error after it.
  void fail(const std::shared_ptr<Session>& session, const std::string& message, CloseCode code);
  // Sends {"type":`type`,"message":`message`}, closes with `code` and forgets the socket.
  void end(const std::shared_ptr<Session>& session, const char* type, const std::string& message,
           CloseCode code);
  // Closes the sockets of users who were disabled or unlinked the desktop app since.
  void revalidate();

  config::InstanceConfig config_;
  identity::DesktopSettings desktop_;
  GatewayOptions options_;
  std::mutex mutex_;
  std::map<const Session*, Entry> entries_;
  int64_t cursor_ = -1;  // the highest notification id already pushed by this process
  Clock::time_point last_revalidation_ = Clock::now();
};

// The notification frame sent to clients; its image_url starts with the portal's sub-path
// `base_path`.
std::string notification_frame(std::string_view base_path, int64_t id, const std::string& title,
                               const std::string& message, const std::optional<std::string>& script,
                               const std::optional<std::string>& image, int64_t created_at);

}  // namespace da::services::ws_gateway
