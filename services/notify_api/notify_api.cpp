#include "notify_api.hpp"

#include <pwd.h>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/json_fields.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/identity/rate_limiter.hpp"
#include "da/identity/user_store.hpp"
#include "da/notify/image_store.hpp"
#include "da/notify/outbox.hpp"
#include "da/store/state_store.hpp"

namespace da::services::notify_api {

namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxBodyBytes = 16 * 1024 * 1024;  // a 10 MB image in base64
constexpr std::size_t kMaxTextLength = 4096;
// Clients served at once, and of those per caller: one analyst cannot take every slot.
constexpr int kMaxConnections = 32;
constexpr int kMaxConnectionsPerCaller = 4;
constexpr auto kRequestDeadline = std::chrono::seconds(10);
constexpr identity::RateLimit kSendsPerCaller{120, std::chrono::minutes(10)};
constexpr identity::RateLimit kPhotosPerCaller{20, std::chrono::minutes(10)};

ApiReply error(int status, const std::string& message) {
  return {status, {{"error", message}}};
}

std::string account_name(uid_t uid) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) return "";
  return found->pw_name;
}

std::string reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    default: return "Internal Server Error";
  }
}

}  // namespace

NotifyApi::NotifyApi(config::InstanceConfig config, std::set<uid_t> service_uids)
    : config_(std::move(config)),
      notifications_(notify::NotificationsSettings::from(config_)),
      service_uids_(std::move(service_uids)) {
  service_uids_.insert(0);
}

ApiReply NotifyApi::handle(const net::PeerCredentials& caller, const std::string& method,
                           const std::string& path, const std::string& body) {
  if (path == "/health") {
    if (method != "GET") return error(405, "use GET");
    return {200, {{"status", "ok"}}};
  }
  if (path != "/send" && path != "/send_photo") return error(404, "no such route: " + path);
  if (method != "POST") return error(405, "use POST");
  Json request = Json::parse(body, nullptr, false);
  if (!request.is_object()) return error(400, "Invalid JSON");
  try {
    return send(caller, request, path == "/send_photo");
  } catch (const Error& e) {
    int status = e.kind() == ErrorKind::kAuth                                      ? 403
                 : e.kind() == ErrorKind::kNotFound                                ? 404
                 : e.kind() == ErrorKind::kData || e.kind() == ErrorKind::kRequest ? 400
                                                                                   : 500;
    return error(status, e.what());
  }
}

ApiReply NotifyApi::send(const net::PeerCredentials& caller, const Json& request, bool photo) {
  JsonFields fields(request, ErrorKind::kRequest);
  std::string user = fields.string_or("user", "");
  std::string text = fields.string_or(photo ? "caption" : "text", "");
  if (user.empty() || (!photo && text.empty()))
    return error(400, photo ? "Missing required fields: user, photo_path"
                            : "Missing required fields: user, text");
  bool privileged = service_uids_.count(caller.uid) > 0;
  std::string caller_name = account_name(caller.uid);
  if (!privileged && caller_name != user)
    return error(403, "you (" + (caller_name.empty() ? "uid " + std::to_string(caller.uid) : caller_name) +
                          ") may send notifications only to yourself");

  // Who receives it is settled before anything is stored, and an analyst's sends are rate
  // limited (photos more tightly): the images land on the broker's data disk.
  store::StateStore store(config_.paths.state_db);
  auto portal_user = identity::UserStore(store.database()).find_by_username(user);
  if (!portal_user) return error(404, "User '" + user + "' has no portal account");
  if (notify::Outbox(store.database()).linked_channels(portal_user->id).empty())
    return error(404, "User '" + user + "' has linked no channel (Telegram or the desktop app)");
  if (!privileged) {
    identity::RateLimiter limiter(store.database());
    std::string bucket = "notify-api:" + std::to_string(caller.uid);
    if (!limiter.hit(bucket, kSendsPerCaller).allowed ||
        (photo && !limiter.hit(bucket + ":photo", kPhotosPerCaller).allowed))
      return error(429, "Too many notifications: wait a few minutes");
  }

  notify::NewNotification notification;
  notification.title = fields.string_or("title", "");
  notification.message = text.size() > kMaxTextLength ? text.substr(0, kMaxTextLength - 3) + "..." : text;
  notification.source = "send_api";
  if (photo) {
    std::string bytes;
    if (auto base64 = fields.optional_string("photo_base64")) {
      auto decoded = base64url_decode([&] {
        std::string encoded = *base64;
        for (char& c : encoded) {
          if (c == '+') c = '-';
          if (c == '/') c = '_';
        }
        while (!encoded.empty() && encoded.back() == '=')
          encoded.pop_back();
        return encoded;
      }());
      if (!decoded) return error(400, "photo_base64: not valid base64");
      bytes = std::move(*decoded);
    } else {
      std::string path = fields.string_or("photo_path", "");
      if (path.empty()) return error(400, "Missing required fields: user, photo_path");
      notification.image =
          notify::ImageStore(notifications_.image_dir).put_file(path, caller.uid, privileged);
    }
    if (!bytes.empty())
      notification.image = notify::ImageStore(notifications_.image_dir).put(bytes);
  }
  notification.user_id = portal_user->id;
  auto stored = notify::Outbox(store.database()).enqueue(notification);
  if (stored.deliveries.empty())
    return error(404, "User '" + user + "' has linked no channel (Telegram or the desktop app)");
  Json channels = Json::array();
  for (const auto& delivery : stored.deliveries)
    channels.push_back(delivery.channel);
  return {200, {{"ok", true}, {"id", stored.id}, {"channels", channels}}};
}

void NotifyApi::answer(net::UnixConnection& client) {
  const net::PeerCredentials& caller = client.peer();
  ApiReply reply;
  std::string text;
  std::string method = "?", path = "?";
  if (!client.read_until(text, "\r\n\r\n", kMaxHeaderBytes)) {
    reply = error(400, "expected an HTTP/1.1 request");
  } else {
    std::size_t header_end = text.find("\r\n\r\n");
    std::string head = text.substr(0, header_end);
    std::string body = text.substr(header_end + 4);
    std::size_t line_end = head.find("\r\n");
    std::vector<std::string> request_line = split_trimmed(head.substr(0, line_end), ' ');
    std::size_t length = 0;
    for (const std::string& line : split_trimmed(head.substr(line_end == std::string::npos ? head.size() : line_end), '\n')) {
      auto colon = line.find(':');
      if (colon != std::string::npos && to_lower(trim(line.substr(0, colon))) == "content-length")
        length = static_cast<std::size_t>(std::strtoull(std::string(trim(line.substr(colon + 1))).c_str(), nullptr, 10));
    }
    if (request_line.size() < 2) {
      reply = error(400, "expected an HTTP/1.1 request");
    } else if (length > kMaxBodyBytes) {
      reply = error(413, "the body is larger than 16 MB");
    } else if (!client.read_exactly(body, length)) {
      reply = error(400, "the body ended early");
    } else {
      method = request_line[0];
      path = request_line[1].substr(0, request_line[1].find('?'));
      reply = handle(caller, method, path, body.substr(0, length));
    }
  }
  log::info("notify api: uid {} {} {} -> {}", caller.uid, method, path, reply.status);
  std::string payload = reply.body.dump(-1, ' ', false, Json::error_handler_t::replace);
  client.write_all("HTTP/1.1 " + std::to_string(reply.status) + " " + reason_phrase(reply.status) +
                   "\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(payload.size()) + "\r\nConnection: close\r\n\r\n" + payload);
}

void NotifyApi::serve(const std::filesystem::path& socket, const std::atomic<bool>& stop) {
  net::UnixSocketListener listener(socket, 0666, static_cast<gid_t>(-1));
  log::info("notify api listening on {}", socket.string());
  net::UnixServerLimits limits;
  limits.workers = kMaxConnections;
  limits.per_caller = kMaxConnectionsPerCaller;
  limits.deadline = kRequestDeadline;
  net::serve_unix_socket(
      listener, limits, [this](net::UnixConnection& client) { answer(client); },
      [](net::UnixConnection& client) {
        client.write_all(
            "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
      },
      stop);
}

}  // namespace da::services::notify_api
