#include "da/notify/outbox.hpp"

#include <algorithm>
#include <map>
#include <random>

#include "da/common/error.hpp"
#include <nlohmann/json.hpp>

#include "da/common/time.hpp"
#include "da/identity/user_store.hpp"
#include "da/notify/image_store.hpp"

namespace da::notify {

namespace {

constexpr int64_t kMicros = 1'000'000;

int64_t micros(std::chrono::seconds seconds) {
  return static_cast<int64_t>(seconds.count()) * kMicros;
}

}  // namespace

std::set<Channel> Outbox::linked_channels(int64_t user_id) {
  std::set<Channel> channels;
  for (const ChannelModule& channel : channels_.all())
    if (channel.reaches(database_, user_id)) channels.insert(channel.name);
  return channels;
}

nlohmann::json to_json(const Notification& notification, std::string_view base_path) {
  using Json = nlohmann::json;
  auto iso = [](int64_t micros) { return format_iso8601(from_epoch_micros(micros)); };
  Json deliveries = Json::object();
  for (const auto& delivery : notification.deliveries)
    deliveries[delivery.channel] = {
        {"status", delivery.status},
        {"attempts", delivery.attempts},
        {"last_error", delivery.last_error ? Json(*delivery.last_error) : Json(nullptr)},
        {"updated_at", iso(delivery.updated_at)}};
  return {{"id", notification.id},
          {"user", notification.username},
          {"title", notification.title},
          {"message", notification.message},
          {"script", notification.script ? Json(*notification.script) : Json(nullptr)},
          {"source", notification.source},
          {"image_url",
           notification.image ? Json(image_url(base_path, *notification.image)) : Json(nullptr)},
          {"created_at", iso(notification.created_at)},
          {"deliveries", deliveries}};
}

Notification Outbox::enqueue(const NewNotification& notification) {
  for (const Channel& channel : notification.channels)
    channels_.require(channel);
  int64_t id = database_.write_transaction([&] {
    if (!identity::UserStore(database_).find_by_id(notification.user_id))
      throw Error(ErrorKind::kNotFound,
                  "no user with id " + std::to_string(notification.user_id));
    std::set<Channel> channels = linked_channels(notification.user_id);
    int64_t now = now_micros();
    if (!notification.channels.empty()) {
      std::set<Channel> wanted;
      std::set_intersection(channels.begin(), channels.end(), notification.channels.begin(),
                            notification.channels.end(), std::inserter(wanted, wanted.end()));
      channels = wanted;
    }
    database_
        .prepare(
            "INSERT INTO notifications (user_id, title, message, image, script, source, "
            "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind_all(notification.user_id, notification.title, notification.message,
                  notification.image, notification.script, notification.source, now,
                  now + micros(std::chrono::duration_cast<std::chrono::seconds>(policy_.lifetime)))
        .run();
    int64_t new_id = database_.last_insert_rowid();
    for (Channel channel : channels)
      database_
          .prepare(
              "INSERT INTO notification_deliveries (notification_id, channel, status, "
              "next_attempt_at, updated_at) VALUES (?, ?, 'pending', ?, ?)")
          .bind_all(new_id, channel, now, now)
          .run();
    return new_id;
  });
  return *find(id);
}

std::vector<Notification> Outbox::claim_due(Channel channel, int limit) {
  channels_.require(channel);
  int64_t now = now_micros();
  std::vector<int64_t> claimed = database_.write_transaction([&] {
    database_
        .prepare(
            "UPDATE notification_deliveries SET status = 'expired', updated_at = ?1 "
            "WHERE channel = ?2 AND status = 'pending' AND notification_id IN "
            "(SELECT id FROM notifications WHERE expires_at <= ?1)")
        .bind_all(now, channel)
        .run();
    std::vector<int64_t> ids;
    auto due = database_.prepare(
        "SELECT notification_id FROM notification_deliveries WHERE channel = ? AND status = "
        "'pending' AND next_attempt_at <= ? AND claimed_until <= ? ORDER BY notification_id "
        "LIMIT ?");
    due.bind_all(channel, now, now, static_cast<int64_t>(limit));
    while (due.step())
      ids.push_back(due.column_int(0));
    for (int64_t id : ids)
      database_
          .prepare(
              "UPDATE notification_deliveries SET claimed_until = ?, attempts = attempts + 1 "
              "WHERE notification_id = ? AND channel = ?")
          .bind_all(now + micros(policy_.lease), id, channel)
          .run();
    return ids;
  });
  std::vector<Notification> notifications;
  for (int64_t id : claimed)
    if (auto found = find(id)) notifications.push_back(std::move(*found));
  return notifications;
}

void Outbox::mark_sent(int64_t id, Channel channel) {
  mark_sent(std::vector<int64_t>{id}, channel);
}

void Outbox::mark_sent(const std::vector<int64_t>& ids, const Channel& channel) {
  channels_.require(channel);
  database_.write_transaction([&] {
    auto mark = database_.prepare(
        "UPDATE notification_deliveries SET status = 'sent', claimed_until = 0, last_error = "
        "NULL, updated_at = ? WHERE notification_id = ? AND channel = ? AND status = 'pending'");
    int64_t now = now_micros();
    for (int64_t id : ids) {
      mark.bind_all(now, id, channel);
      mark.run();
      mark.reset();
    }
  });
}

void Outbox::mark_failed(int64_t id, Channel channel, const std::string& reason, bool permanent,
                         std::optional<std::chrono::seconds> retry_after) {
  channels_.require(channel);
  database_.write_transaction([&] {
    auto current = database_.prepare(
        "SELECT attempts FROM notification_deliveries WHERE notification_id = ? AND channel = ?");
    current.bind_all(id, channel);
    if (!current.step()) return;
    int attempts = static_cast<int>(current.column_int(0));
    int64_t now = now_micros();
    if (permanent || attempts >= policy_.max_attempts) {
      database_
          .prepare(
              "UPDATE notification_deliveries SET status = 'failed', claimed_until = 0, "
              "last_error = ?, updated_at = ? WHERE notification_id = ? AND channel = ?")
          .bind_all(reason, now, id, channel)
          .run();
      return;
    }
    // Doubling from first_retry, capped, with jitter so that retries of a burst spread out.
    int64_t delay = micros(policy_.first_retry) << std::min(attempts - 1, 20);
    delay = std::min(delay, micros(policy_.max_retry));
    static thread_local std::mt19937_64 random{std::random_device{}()};
    delay = delay / 2 + static_cast<int64_t>(random() % static_cast<uint64_t>(delay / 2 + 1));
    if (retry_after) delay = std::max(delay, micros(*retry_after));
    database_
        .prepare(
            "UPDATE notification_deliveries SET status = 'pending', claimed_until = 0, "
            "next_attempt_at = ?, last_error = ?, updated_at = ? WHERE notification_id = ? AND "
            "channel = ?")
        .bind_all(now + delay, reason, now, id, channel)
        .run();
  });
}

bool Outbox::acknowledge(const Channel& channel, int64_t user_id, int64_t id) {
  channels_.require(channel);
  return database_.write_transaction([&] {
    database_
        .prepare(
            "UPDATE notification_deliveries SET status = 'acknowledged', claimed_until = 0, "
            "updated_at = ? WHERE channel = ? AND notification_id = ? AND "
            "notification_id IN (SELECT id FROM notifications WHERE user_id = ?)")
        .bind_all(now_micros(), channel, id, user_id)
        .run();
    return database_.changes() > 0;
  });
}

std::vector<Notification> Outbox::unacknowledged(const Channel& channel, int64_t user_id,
                                                 int64_t after_id, int limit) {
  channels_.require(channel);
  return load(
      "n.user_id = ? AND n.id > ? AND n.expires_at > ? AND n.id IN (SELECT notification_id FROM "
      "notification_deliveries WHERE channel = ? AND status IN ('pending', 'sent'))",
      {user_id, after_id, now_micros(), channel}, "ORDER BY n.id LIMIT " + std::to_string(limit));
}

std::vector<Notification> Outbox::on_channel_after(const Channel& channel, int64_t after_id,
                                                   int limit) {
  channels_.require(channel);
  return load(
      "n.id > ? AND n.id IN (SELECT notification_id FROM notification_deliveries WHERE channel = "
      "?)",
      {after_id, channel}, "ORDER BY n.id LIMIT " + std::to_string(limit));
}

int64_t Outbox::highest_id() {
  auto statement = database_.prepare(
      "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'notifications'), 0)");
  statement.step();
  return statement.column_int(0);
}

std::vector<Notification> Outbox::recent(int limit, std::optional<int64_t> user_id) {
  if (user_id)
    return load("n.user_id = ?", {*user_id}, "ORDER BY n.id DESC LIMIT " + std::to_string(limit));
  return load("1 = 1", {}, "ORDER BY n.id DESC LIMIT " + std::to_string(limit));
}

std::vector<std::string> Outbox::purge(std::chrono::hours keep) {
  int64_t before = now_micros() - micros(std::chrono::duration_cast<std::chrono::seconds>(keep));
  return database_.write_transaction([&] {
    std::vector<std::string> images;
    auto unused = database_.prepare(
        "SELECT DISTINCT image FROM notifications WHERE expires_at < ?1 AND image IS NOT NULL AND "
        "image NOT IN (SELECT image FROM notifications WHERE expires_at >= ?1 AND image IS NOT "
        "NULL)");
    unused.bind(1, before);
    while (unused.step())
      images.push_back(unused.column_text(0));
    database_.prepare("DELETE FROM notifications WHERE expires_at < ?").bind_all(before).run();
    return images;
  });
}

std::optional<Notification> Outbox::find(int64_t id) {
  auto found = load("n.id = ?", {id}, "");
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

bool Outbox::image_belongs_to(const std::string& name, int64_t user_id) {
  auto owned = database_.prepare("SELECT 1 FROM notifications WHERE image = ? AND user_id = ?");
  owned.bind_all(name, user_id);
  return owned.step();
}

std::vector<Notification> Outbox::load(const std::string& where,
                                       const std::vector<SqlValue>& values,
                                       const std::string& order_and_limit) {
  auto statement = database_.prepare(
      "SELECT n.id, n.user_id, n.title, n.message, n.image, n.script, n.source, n.created_at, "
      "n.expires_at FROM notifications n WHERE " +
      where + " " + order_and_limit);
  int index = 1;
  for (const SqlValue& value : values)
    std::visit([&](const auto& bound) { statement.bind(index++, bound); }, value);
  std::vector<Notification> notifications;
  std::map<int64_t, std::size_t> position;
  std::map<int64_t, std::string> usernames;
  identity::UserStore users(database_);
  while (statement.step()) {
    Notification notification;
    notification.id = statement.column_int(0);
    notification.user_id = statement.column_int(1);
    notification.title = statement.column_text(2);
    notification.message = statement.column_text(3);
    notification.image = statement.column_optional_text(4);
    notification.script = statement.column_optional_text(5);
    notification.source = statement.column_text(6);
    notification.created_at = statement.column_int(7);
    notification.expires_at = statement.column_int(8);
    auto known = usernames.find(notification.user_id);
    if (known == usernames.end()) {
      auto user = users.find_by_id(notification.user_id);
      known = usernames.emplace(notification.user_id, user ? user->username : "").first;
    }
    notification.username = known->second;
    position[notification.id] = notifications.size();
    notifications.push_back(std::move(notification));
  }
  if (notifications.empty()) return notifications;
  std::string ids;
  for (const auto& [id, at] : position)
    ids += (ids.empty() ? "" : ",") + std::to_string(id);
  auto deliveries = database_.prepare(
      "SELECT notification_id, channel, status, attempts, last_error, updated_at FROM "
      "notification_deliveries WHERE notification_id IN (" + ids + ") ORDER BY channel");
  while (deliveries.step()) {
    Delivery delivery;
    delivery.channel = deliveries.column_text(1);
    delivery.status = deliveries.column_text(2);
    delivery.attempts = static_cast<int>(deliveries.column_int(3));
    delivery.last_error = deliveries.column_optional_text(4);
    delivery.updated_at = deliveries.column_int(5);
    notifications[position[deliveries.column_int(0)]].deliveries.push_back(std::move(delivery));
  }
  return notifications;
}

}  // namespace da::notify
