#include "telegram_channel.hpp"

#include "da/notify/telegram_links.hpp"

namespace da::services::telegram_bot {

void register_telegram_channel(notify::ChannelRegistry& channels) {
  channels.add({kTelegramChannel, [](store::SqliteDatabase& database, int64_t user_id) {
                  return notify::TelegramLinks(database).chat_of(user_id).has_value();
                }});
}

}  // namespace da::services::telegram_bot
