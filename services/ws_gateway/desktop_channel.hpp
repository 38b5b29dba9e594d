// The desktop notification channel: a user receives on it once the desktop app is linked
// (holds a refresh token); the app acknowledges what it shows and is sent the rest again.
#pragma once

#include "da/notify/channel_registry.hpp"

namespace da::services::ws_gateway {

inline constexpr const char* kDesktopChannel = "desktop";

void register_desktop_channel(notify::ChannelRegistry& channels);

}  // namespace da::services::ws_gateway
