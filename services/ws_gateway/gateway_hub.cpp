#include "gateway_hub.hpp"

#include <set>
#include <vector>

#include <fmt/format.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/time.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/identity/desktop_token.hpp"
#include "da/identity/user_store.hpp"
#include "da/notify/image_store.hpp"
#include "da/notify/outbox.hpp"
#include "da/store/state_store.hpp"
#include "desktop_channel.hpp"

namespace da::services::ws_gateway {

namespace {

using Json = nlohmann::json;

constexpr int kMaxAcksPerSecond = 50;
constexpr const char* kTryLater = "The gateway could not answer; try again later";

struct Pending {
  int64_t id;
  int64_t user_id;
  std::string frame;
};

// One connection per thread to the state store, opened once: authentications and acks come
// by the thousand, and opening the store each time would dominate them.
store::SqliteDatabase& state(const std::filesystem::path& path) {
  thread_local std::map<std::filesystem::path, std::unique_ptr<store::StateStore>> stores;
  auto& store = stores[path];
  if (!store) store = std::make_unique<store::StateStore>(path);
  return store->database();
}

}  // namespace

std::string notification_frame(std::string_view base_path, int64_t id, const std::string& title,
                               const std::string& message, const std::optional<std::string>& script,
                               const std::optional<std::string>& image, int64_t created_at) {
  Json frame = {{"type", "notification"},
                {"id", id},
                {"title", title},
                {"message", message},
                {"script", script ? Json(*script) : Json(nullptr)},
                {"timestamp", format_iso8601(from_epoch_micros(created_at))}};
  if (image) frame["image_url"] = notify::image_url(base_path, *image);
  return frame.dump(-1, ' ', false, Json::error_handler_t::replace);
}

GatewayHub::GatewayHub(config::InstanceConfig config, GatewayOptions options)
    : config_(std::move(config)),
      desktop_(identity::DesktopSettings::from(config_)),
      options_(options) {}

void GatewayHub::opened(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  Entry entry;
  entry.session = session;
  entry.opened_at = entry.last_ping = Clock::now();
  entries_[session.get()] = entry;
}

void GatewayHub::closed(const Session* session) {
  std::lock_guard lock(mutex_);
  entries_.erase(session);
}

void GatewayHub::end(const std::shared_ptr<Session>& session, const char* type,
                     const std::string& message, CloseCode code) {
  session->send(Json{{"type", type}, {"message", message}}.dump());
  session->close(code);
  std::lock_guard lock(mutex_);
  entries_.erase(session.get());
}

void GatewayHub::heard(const Session* session) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(session);
  if (found != entries_.end()) found->second.misses = 0;
}

void GatewayHub::received(const std::shared_ptr<Session>& session, std::string_view text) {
  heard(session.get());
  try {
    handle(session, text);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kRequest) return fail(session, e.what(), CloseCode::kInvalidPayload);
    log::warn("ws gateway: answering a client failed: {}", e.what());
    fail(session, kTryLater, CloseCode::kInternalError);
  } catch (const std::exception& e) {
    log::warn("ws gateway: answering a client failed: {}", e.what());
    fail(session, kTryLater, CloseCode::kInternalError);
  }
}

void GatewayHub::fail(const std::shared_ptr<Session>& session, const std::string& message,
                      CloseCode code) {
  bool authenticated = false;
  {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(session.get());
    if (found == entries_.end()) return;
    authenticated = found->second.authenticated;
  }
  // Before auth_ok the client waits for auth_ok or auth_error (the original's protocol).
  end(session, authenticated ? "error" : "auth_error", message, code);
}

void GatewayHub::handle(const std::shared_ptr<Session>& session, std::string_view text) {
  Json message = parse_json_object(text, "the message");
  JsonFields fields(message);
  std::string type = fields.string("type");
  bool authenticated = false;
  int64_t user_id = 0;
  {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(session.get());
    if (found == entries_.end()) return;
    Entry& entry = found->second;
    authenticated = entry.authenticated;
    user_id = entry.user_id;
    if (authenticated) {
      auto now = Clock::now();
      if (now - entry.ack_window >= std::chrono::seconds(1)) {
        entry.ack_window = now;
        entry.acks_in_window = 0;
      }
      if (++entry.acks_in_window > kMaxAcksPerSecond) return;
    }
  }
  if (!authenticated) {
    if (type != "auth")
      return end(session, "auth_error", "Expected auth message with token", CloseCode::kPolicy);
    return authenticate(session, fields);
  }
  // Other types (pong, and whatever later clients send) only show the client is alive.
  if (type == "ack")
    notify::Outbox(state(config_.paths.state_db))
        .acknowledge(kDesktopChannel, user_id, fields.integer("id"));
}

void GatewayHub::authenticate(const std::shared_ptr<Session>& session, const JsonFields& message) {
  std::string token = message.string("token");
  int64_t last_id = message.optional_integer("last_id").value_or(0);
  if (last_id < 0) message.fail("last_id", "must be 0 or more");
  store::SqliteDatabase& db = state(config_.paths.state_db);
  auto user = identity::verify_desktop_access_token(db, desktop_, token);
  if (!user) return end(session, "auth_error", "Invalid token", CloseCode::kPolicy);
  notify::Outbox outbox(db);
  // A last_id no notification ever had (the client kept it from another server, or from
  // before the state store was replaced) would hold back everything up to it, silently.
  std::optional<std::string> beyond;
  if (int64_t highest = outbox.highest_id(); last_id > highest) {
    beyond = fmt::format(
        "field 'last_id': {} is higher than any notification (the newest is {}); every "
        "unacknowledged notification is sent instead, forget the ids you kept",
        last_id, highest);
    last_id = 0;
  }
  std::vector<int64_t> replayed;
  bool too_many = false;
  {
    // Held through the replay: the dispatcher must not push a newer notification to this
    // socket before the older ones it is owed.
    std::lock_guard lock(mutex_);
    int open = 0;
    for (const auto& [key, entry] : entries_)
      open += entry.authenticated && entry.user_id == user->id ? 1 : 0;
    too_many = open >= options_.max_connections_per_user;
    auto found = entries_.find(session.get());
    if (found == entries_.end()) return;
    if (!too_many) {
      Entry& entry = found->second;
      entry.authenticated = true;
      entry.user_id = user->id;
      entry.username = user->username;
      entry.last_ping = Clock::now();
      entry.last_sent = last_id;
      session->send(Json{{"type", "auth_ok"}, {"username", user->username}}.dump());
      if (beyond) session->send(Json{{"type", "error"}, {"message", *beyond}}.dump());
      for (const auto& notification :
           outbox.unacknowledged(kDesktopChannel, user->id, last_id, options_.replay_limit)) {
        session->send(notification_frame(
            config_.server.base_path(), notification.id, notification.title, notification.message,
            notification.script, notification.image, notification.created_at));
        entry.last_sent = notification.id;
        replayed.push_back(notification.id);
      }
    }
  }
  // end() takes the lock.
  if (too_many) return end(session, "auth_error", "Too many connections", CloseCode::kPolicy);
  for (int64_t id : replayed) outbox.mark_sent(id, kDesktopChannel);
}

void GatewayHub::tick(Clock::time_point now) {
  std::vector<std::shared_ptr<Session>> to_close, to_refuse, to_ping;
  {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      auto session = it->second.session.lock();
      if (!session) {
        it = entries_.erase(it);
        continue;
      }
      Entry& entry = it->second;
      if (!entry.authenticated) {
        if (now - entry.opened_at >= options_.auth_timeout) to_refuse.push_back(session);
      } else if (now - entry.last_ping >= options_.ping_interval) {
        if (entry.misses >= options_.missed_pongs) {
          to_close.push_back(session);
          it = entries_.erase(it);
          continue;
        }
        ++entry.misses;
        entry.last_ping = now;
        to_ping.push_back(session);
      }
      ++it;
    }
  }
  if (now - last_revalidation_ >= options_.revalidate_interval) {
    last_revalidation_ = now;
    revalidate();
  }
  for (auto& session : to_refuse)
    end(session, "auth_error", "Auth timeout", CloseCode::kPolicy);
  for (auto& session : to_close)
    session->close(CloseCode::kGoingAway);
  // Both pings: a client library answers the standard one by itself, and the original's
  // desktop app answers the text one.
  static const std::string ping = Json{{"type", "ping"}}.dump();
  for (auto& session : to_ping) {
    session->ping();
    session->send(ping);
  }
}

void GatewayHub::revalidate() {
  std::set<int64_t> users;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, entry] : entries_)
      if (entry.authenticated) users.insert(entry.user_id);
  }
  std::set<int64_t> ended;
  store::SqliteDatabase& db = state(config_.paths.state_db);
  identity::ApiTokenStore tokens(db);
  identity::UserStore accounts(db);
  for (int64_t user_id : users) {
    auto user = accounts.find_by_id(user_id);
    if (!user || user->disabled || !tokens.has_desktop_link(user_id)) ended.insert(user_id);
  }
  if (ended.empty()) return;
  std::vector<std::shared_ptr<Session>> to_close;
  {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.authenticated && ended.count(it->second.user_id)) {
        if (auto session = it->second.session.lock()) to_close.push_back(session);
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& session : to_close) {
    session->send(Json{{"type", "auth_error"}, {"message", "Session ended"}}.dump());
    session->close(CloseCode::kPolicy);
  }
}

int GatewayHub::dispatch_new() {
  notify::Outbox outbox(state(config_.paths.state_db));
  if (cursor_ < 0) {
    // Older notifications reach clients by replay when they authenticate.
    cursor_ = outbox.highest_id();
    return 0;
  }
  std::vector<Pending> pending;
  std::string base_path = config_.server.base_path();
  for (const notify::Notification& notification :
       outbox.on_channel_after(kDesktopChannel, cursor_, 20000)) {
    pending.push_back(
        {notification.id, notification.user_id,
         notification_frame(base_path, notification.id, notification.title, notification.message,
                            notification.script, notification.image, notification.created_at)});
    cursor_ = notification.id;
  }
  if (pending.empty()) return 0;
  std::vector<int64_t> delivered;
  {
    // Sends only queue the frame on the socket's strand: cheap enough to do under the lock,
    // which keeps each socket's ids increasing (see authenticate()).
    std::lock_guard lock(mutex_);
    std::multimap<int64_t, Entry*> by_user;
    for (auto& [key, entry] : entries_)
      if (entry.authenticated) by_user.emplace(entry.user_id, &entry);
    for (const Pending& notification : pending) {
      auto [begin, end] = by_user.equal_range(notification.user_id);
      bool sent = false;
      for (auto it = begin; it != end; ++it) {
        Entry& entry = *it->second;
        auto session = entry.session.lock();
        if (!session || notification.id <= entry.last_sent) continue;
        session->send(notification.frame);
        entry.last_sent = notification.id;
        sent = true;
      }
      if (sent) delivered.push_back(notification.id);  // otherwise replayed on connect
    }
  }
  if (!delivered.empty()) outbox.mark_sent(delivered, kDesktopChannel);
  return static_cast<int>(delivered.size());
}

GatewayHealth GatewayHub::health() {
  std::lock_guard lock(mutex_);
  GatewayHealth health;
  health.connections = static_cast<int>(entries_.size());
  for (const auto& [key, entry] : entries_)
    if (entry.authenticated) ++health.users[entry.username];
  return health;
}

}  // namespace da::services::ws_gateway
