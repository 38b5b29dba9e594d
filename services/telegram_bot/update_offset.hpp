// The bot's own state in the state store (its table service_state): the offset of the next
// update to ask the Bot API for, so that a restarted bot neither loses nor repeats updates.
#pragma once

#include <cstdint>

#include "da/store/sqlite_database.hpp"

namespace da::services::telegram_bot {

class UpdateOffset {
 public:
  explicit UpdateOffset(store::SqliteDatabase& database) : database_(database) {}

  // The offset last stored; 0 (every pending update) when none was.
  int64_t get();
  // Replaces the stored offset.
  void put(int64_t offset);

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::services::telegram_bot
