#include "update_offset.hpp"

#include <string>

namespace da::services::telegram_bot {

namespace {

constexpr const char* kOffsetKey = "telegram.update_offset";

}  // namespace

int64_t UpdateOffset::get() {
  auto statement = database_.prepare("SELECT value FROM service_state WHERE key = ?");
  statement.bind(1, kOffsetKey);
  return statement.step() ? std::stoll(statement.column_text(0)) : 0;
}

void UpdateOffset::put(int64_t offset) {
  database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT INTO service_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
            "value = excluded.value")
        .bind_all(kOffsetKey, std::to_string(offset))
        .run();
  });
}

}  // namespace da::services::telegram_bot
