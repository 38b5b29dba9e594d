// The notification channels: a channel is a name a module registers (Telegram by the bot,
// desktop by the WebSocket gateway), not a list the outbox or the store keeps. The outbox
// creates deliveries only on registered channels and refuses any other name.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "da/store/sqlite_database.hpp"

namespace da::notify {

struct ChannelModule {
  std::string name;  // what notification_deliveries.channel holds: "telegram", "desktop", ...
  // Whether `user_id` can receive on this channel now (a linked chat, a linked desktop app).
  std::function<bool(store::SqliteDatabase& database, int64_t user_id)> reaches;
};

class ChannelRegistry {
 public:
  // Adds `channel`, or replaces the one of the same name, so that registering all modules
  // twice is harmless. Register at start-up, before threads read the registry.
  void add(ChannelModule channel);
  // Ordered by name.
  const std::vector<ChannelModule>& all() const { return channels_; }
  // The channel named `name`. Error(kRequest) naming the registered channels if there is none.
  const ChannelModule& require(std::string_view name) const;

 private:
  std::vector<ChannelModule> channels_;
};

// The channels of this process: what the channel modules register into (through
// ModuleRegistry::notification_channels) and what Outbox delivers to by default.
ChannelRegistry& notification_channels();

}  // namespace da::notify
