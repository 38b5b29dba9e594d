// The notification outbox in the state store: every notification is stored once, with its
// delivery on each channel tracked on its own (pending, sent, failed with a reason,
// acknowledged, expired), so that Telegram being down never holds back the desktop client and
// a restart of any service loses nothing.
//
// The channels are those registered in a ChannelRegistry (channel_registry.hpp); every call
// that names a channel refuses one that is not registered with Error(kRequest).
//
// Delivery workers (the Telegram bot, the WebSocket gateway) claim due deliveries with a
// lease: a second worker process does not get them until the lease runs out, and a worker that
// dies mid-send leaves them to be claimed again. All times are epoch microseconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "da/notify/channel_registry.hpp"
#include "da/store/sqlite_database.hpp"

namespace da::notify {

// A registered channel's name.
using Channel = std::string;

struct NewNotification {
  int64_t user_id = 0;
  std::string title;
  std::string message;
  std::optional<std::string> image;   // a name in the image store
  std::optional<std::string> script;  // the notification script that produced it
  std::string source;                 // "cli", "send_api", "runner", "bot", ...
  // The channels to use; empty means every channel the user has linked.
  std::set<Channel> channels;
};

struct Delivery {
  Channel channel;
  std::string status;  // pending | sent | failed | acknowledged | expired
  int attempts = 0;
  std::optional<std::string> last_error;
  int64_t updated_at = 0;
};

struct Notification {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string username;
  std::string title;
  std::string message;
  std::optional<std::string> image;
  std::optional<std::string> script;
  std::string source;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::vector<Delivery> deliveries;
};

struct OutboxPolicy {
  int max_attempts = 8;
  std::chrono::seconds first_retry{5};  // doubled after each failure, up to max_retry
  std::chrono::seconds max_retry{600};
  std::chrono::hours lifetime{72};      // undelivered after this long: expired
  std::chrono::seconds lease{60};       // how long a claim keeps other workers away
};

// {"id","user","title","message","script","source","image_url","created_at","deliveries":
// {"<channel>": {"status","attempts","last_error","updated_at"}}}, for the API and the CLI.
// `base_path` is the portal's sub-path, which image_url starts with (see image_url()).
nlohmann::json to_json(const Notification& notification, std::string_view base_path);

class Outbox {
 public:
  explicit Outbox(store::SqliteDatabase& database, OutboxPolicy policy = {},
                  const ChannelRegistry& channels = notification_channels())
      : database_(database), policy_(policy), channels_(channels) {}

  // The registered channels `user_id` can receive on now (e.g. Telegram when a chat is
  // linked, desktop when the desktop app is).
  std::set<Channel> linked_channels(int64_t user_id);

  // Stores the notification with a pending delivery per channel. A channel the user cannot
  // receive (Telegram not linked, no desktop link) is left out, so the result may have no
  // delivery at all; the caller tells the user. Error(kNotFound) for an unknown user,
  // Error(kRequest) for a channel that is not registered.
  Notification enqueue(const NewNotification& notification);

  // Up to `limit` pending deliveries on `channel` that are due, oldest first, leased to the
  // caller. Deliveries past their notification's expiry are marked expired, not returned.
  std::vector<Notification> claim_due(Channel channel, int limit);
  void mark_sent(int64_t id, Channel channel);
  // mark_sent() for each of `ids`, in one transaction: what a client that was pushed them live
  // received.
  void mark_sent(const std::vector<int64_t>& ids, const Channel& channel);
  // A failed attempt: pending again after a backoff (or after `retry_after`, when the remote
  // side said so), or failed for good once max_attempts are used or when `permanent`.
  void mark_failed(int64_t id, Channel channel, const std::string& reason, bool permanent = false,
                   std::optional<std::chrono::seconds> retry_after = std::nullopt);
  // The client on `channel` (the desktop app) saw notification `id` of `user_id`. False if it
  // is not theirs.
  bool acknowledge(const Channel& channel, int64_t user_id, int64_t id);

  // The user's notifications on `channel` not yet acknowledged, with an id above `after_id`,
  // not expired, oldest first: what a reconnecting desktop client is sent again.
  std::vector<Notification> unacknowledged(const Channel& channel, int64_t user_id,
                                           int64_t after_id, int limit);
  // The notifications with a delivery on `channel` and an id above `after_id`, oldest first,
  // at most `limit`: what is pushed to connected clients as it arrives.
  std::vector<Notification> on_channel_after(const Channel& channel, int64_t after_id, int limit);
  // The highest id ever given to a notification (0 before the first): ids are never reused,
  // so a client that saw a higher one got it from another state store.
  int64_t highest_id();
  // Newest first, for the admin view and `da notify list`.
  std::vector<Notification> recent(int limit, std::optional<int64_t> user_id = std::nullopt);
  std::optional<Notification> find(int64_t id);
  // Whether the image file `name` belongs to a notification of `user_id` (only its owner sees it).
  bool image_belongs_to(const std::string& name, int64_t user_id);
  // Deletes notifications that expired more than `keep` ago, with their deliveries, and
  // returns the names of the images only they used (for the image store to delete).
  std::vector<std::string> purge(std::chrono::hours keep);

 private:
  using SqlValue = std::variant<int64_t, std::string>;
  std::vector<Notification> load(const std::string& where, const std::vector<SqlValue>& values,
                                 const std::string& order_and_limit);

  store::SqliteDatabase& database_;
  OutboxPolicy policy_;
  const ChannelRegistry& channels_;
};

}  // namespace da::notify
