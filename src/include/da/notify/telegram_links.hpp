// Which Telegram chat belongs to which user, and the 6-digit codes that link them: the bot
// gives a code to a chat (/start), the signed-in user types it on the dashboard.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "da/store/sqlite_database.hpp"

namespace da::notify {

class TelegramLinks {
 public:
  static constexpr std::chrono::minutes kCodeLifetime{10};

  explicit TelegramLinks(store::SqliteDatabase& database) : database_(database) {}

  // A fresh code for `chat_id` (6 digits from the CSPRNG, unique among live codes), replacing
  // the chat's previous code; expired codes are dropped on the way.
  std::string issue_code(int64_t chat_id);
  // Links `user_id` to the chat that holds `code` (replacing the user's previous chat) and
  // spends the code. nullopt for a code that is unknown or expired.
  std::optional<int64_t> redeem(const std::string& code, int64_t user_id);
  // True if the user had a link.
  bool unlink(int64_t user_id);

  std::optional<int64_t> chat_of(int64_t user_id);
  // The user linked to `chat_id` (the most recent link when several are).
  std::optional<int64_t> user_of_chat(int64_t chat_id);
  // Epoch microseconds of the user's link, if any.
  std::optional<int64_t> linked_at(int64_t user_id);

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::notify
