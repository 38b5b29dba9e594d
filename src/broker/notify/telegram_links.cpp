#include "da/notify/telegram_links.hpp"

#include "da/common/crypto.hpp"
#include "da/common/time.hpp"

namespace da::notify {

std::string TelegramLinks::issue_code(int64_t chat_id) {
  return database_.write_transaction([&] {
    int64_t now = now_micros();
    database_.prepare("DELETE FROM telegram_codes WHERE expires_at <= ? OR chat_id = ?")
        .bind_all(now, chat_id)
        .run();
    std::string code;
    while (true) {
      code = random_digits(6);
      auto taken = database_.prepare("SELECT 1 FROM telegram_codes WHERE code = ?");
      taken.bind(1, code);
      if (!taken.step()) break;
    }
    database_.prepare("INSERT INTO telegram_codes (code, chat_id, expires_at) VALUES (?, ?, ?)")
        .bind_all(code, chat_id,
                  now + std::chrono::duration_cast<std::chrono::microseconds>(kCodeLifetime).count())
        .run();
    return code;
  });
}

std::optional<int64_t> TelegramLinks::redeem(const std::string& code, int64_t user_id) {
  return database_.write_transaction([&]() -> std::optional<int64_t> {
    auto found = database_.prepare("SELECT chat_id FROM telegram_codes WHERE code = ? AND expires_at > ?");
    found.bind_all(code, now_micros());
    if (!found.step()) return std::nullopt;
    int64_t chat_id = found.column_int(0);
    database_.prepare("DELETE FROM telegram_codes WHERE code = ?").bind_all(code).run();
    database_
        .prepare(
            "INSERT INTO telegram_links (user_id, chat_id, linked_at) VALUES (?, ?, ?) ON "
            "CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, linked_at = "
            "excluded.linked_at")
        .bind_all(user_id, chat_id, now_micros())
        .run();
    return chat_id;
  });
}

bool TelegramLinks::unlink(int64_t user_id) {
  return database_.write_transaction([&] {
    database_.prepare("DELETE FROM telegram_links WHERE user_id = ?").bind_all(user_id).run();
    return database_.changes() > 0;
  });
}

std::optional<int64_t> TelegramLinks::chat_of(int64_t user_id) {
  auto statement = database_.prepare("SELECT chat_id FROM telegram_links WHERE user_id = ?");
  statement.bind(1, user_id);
  if (!statement.step()) return std::nullopt;
  return statement.column_int(0);
}

std::optional<int64_t> TelegramLinks::user_of_chat(int64_t chat_id) {
  auto statement = database_.prepare(
      "SELECT user_id FROM telegram_links WHERE chat_id = ? ORDER BY linked_at DESC LIMIT 1");
  statement.bind(1, chat_id);
  if (!statement.step()) return std::nullopt;
  return statement.column_int(0);
}

std::optional<int64_t> TelegramLinks::linked_at(int64_t user_id) {
  auto statement = database_.prepare("SELECT linked_at FROM telegram_links WHERE user_id = ?");
  statement.bind(1, user_id);
  if (!statement.step()) return std::nullopt;
  return statement.column_int(0);
}

}  // namespace da::notify
