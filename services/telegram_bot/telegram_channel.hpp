// The Telegram notification channel: a user receives on it once a chat is linked to them.
#pragma once

#include "da/notify/channel_registry.hpp"

namespace da::services::telegram_bot {

inline constexpr const char* kTelegramChannel = "telegram";

void register_telegram_channel(notify::ChannelRegistry& channels);

}  // namespace da::services::telegram_bot
