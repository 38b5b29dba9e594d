// The send API: analysts' tools and services queue notifications through a Unix socket
// (HTTP/1.1, the original's JSON shapes), and every request is authorised on the caller the
// kernel names (SO_PEERCRED), not on anything the caller says:
//
//   POST /send        {"user", "text", "title"?, "parse_mode"?}  -> 200 {"ok":true,"id",...}
//   POST /send_photo  {"user", "photo_path" | "photo_base64", "caption"?, "title"?}
//   GET  /health      {"status":"ok"}
//
// An analyst may notify only themselves; root and notifications.service_users anyone. A photo
// path is read only if it is a regular file (not a link) owned by the caller. Errors: 400 for a
// bad body (a field of the wrong type is named), 403 for a caller who may not send to `user`, 404
// when `user` has no portal account or no linked channel, 413 for a body over the limit. The text
// is queued in the outbox, which delivers it on every channel the user linked.
#pragma once

#include <atomic>
#include <filesystem>
#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <sys/types.h>

#include "da/config/instance_config.hpp"
#include "da/net/unix_socket_server.hpp"
#include "da/notify/notifications_settings.hpp"

namespace da::services::notify_api {

struct ApiReply {
  int status = 200;
  nlohmann::json body;
};

class NotifyApi {
 public:
  // Root and `service_uids` may notify anyone.
  NotifyApi(config::InstanceConfig config, std::set<uid_t> service_uids);

  ApiReply handle(const net::PeerCredentials& caller, const std::string& method,
                  const std::string& path, const std::string& body);

  // Listens on `socket` (mode 0666: who may send what is decided per request) and answers
  // until `stop` is set, several connections at a time (32, of which 4 per caller; more get
  // 429), each within 10 s from connect to answer.
  void serve(const std::filesystem::path& socket, const std::atomic<bool>& stop);

 private:
  ApiReply send(const net::PeerCredentials& caller, const nlohmann::json& body, bool photo);
  void answer(net::UnixConnection& client);

  config::InstanceConfig config_;
  notify::NotificationsSettings notifications_;
  std::set<uid_t> service_uids_;
};

}  // namespace da::services::notify_api
