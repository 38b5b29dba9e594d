#include "da/notify/channel_registry.hpp"

#include <algorithm>

#include "da/common/error.hpp"

namespace da::notify {

void ChannelRegistry::add(ChannelModule channel) {
  auto same = std::find_if(channels_.begin(), channels_.end(),
                           [&](const ChannelModule& known) { return known.name == channel.name; });
  if (same != channels_.end()) {
    *same = std::move(channel);
    return;
  }
  auto after = std::find_if(channels_.begin(), channels_.end(),
                            [&](const ChannelModule& known) { return known.name > channel.name; });
  channels_.insert(after, std::move(channel));
}

const ChannelModule& ChannelRegistry::require(std::string_view name) const {
  for (const ChannelModule& channel : channels_)
    if (channel.name == name) return channel;
  std::string known;
  for (const ChannelModule& channel : channels_)
    known += (known.empty() ? "" : ", ") + channel.name;
  throw Error(ErrorKind::kRequest,
              "notification channel '" + std::string(name) +
                  "' is not registered (registered: " + (known.empty() ? "none" : known) + ")");
}

ChannelRegistry& notification_channels() {
  static ChannelRegistry registry;
  return registry;
}

}  // namespace da::notify
