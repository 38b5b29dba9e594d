#include "desktop_channel.hpp"

#include "da/identity/api_token_store.hpp"

namespace da::services::ws_gateway {

void register_desktop_channel(notify::ChannelRegistry& channels) {
  channels.add({kDesktopChannel, [](store::SqliteDatabase& database, int64_t user_id) {
                  return identity::ApiTokenStore(database).has_desktop_link(user_id);
                }});
}

}  // namespace da::services::ws_gateway
