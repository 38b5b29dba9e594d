#include "da/identity/token_store.hpp"

#include "da/common/crypto.hpp"
#include "da/common/time.hpp"

namespace da::identity {

namespace {

std::string binding_hash(const std::string& binding) {
  return binding.empty() ? std::string() : token_hash(binding);
}

}  // namespace

std::string TokenStore::issue(const std::string& purpose, const std::string& subject,
                              std::chrono::seconds lifetime, const std::string& binding,
                              const nlohmann::json& data) {
  std::string token = random_token();
  int64_t now = to_epoch_micros(now_utc());
  database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT INTO one_time_tokens (token_hash, purpose, subject, binding_hash, data, "
            "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind_all(token_hash(token), purpose, subject, binding_hash(binding), data.dump(), now,
                  now + lifetime.count() * 1'000'000)
        .run();
  });
  return token;
}

std::optional<OneTimeToken> TokenStore::consume(const std::string& purpose,
                                                const std::string& token,
                                                const std::string& binding) {
  if (token.empty() || token.size() > 128) return std::nullopt;
  return database_.write_transaction([&]() -> std::optional<OneTimeToken> {
    int64_t now = to_epoch_micros(now_utc());
    auto statement = database_.prepare(
        "SELECT subject, data, created_at, binding_hash FROM one_time_tokens WHERE token_hash = ? "
        "AND purpose = ? AND used_at IS NULL AND expires_at > ?");
    std::string hash = token_hash(token);
    statement.bind_all(hash, purpose, now);
    if (!statement.step()) return std::nullopt;
    std::string stored_binding = statement.column_text(3);
    if (!stored_binding.empty() && !constant_time_equal(stored_binding, binding_hash(binding)))
      return std::nullopt;
    OneTimeToken result{purpose, statement.column_text(0),
                        nlohmann::json::parse(statement.column_text(1), nullptr, false),
                        statement.column_int(2)};
    database_.prepare("UPDATE one_time_tokens SET used_at = ? WHERE token_hash = ?")
        .bind_all(now, hash)
        .run();
    return result;
  });
}

std::optional<OneTimeToken> TokenStore::peek(const std::string& purpose, const std::string& token,
                                             const std::string& binding) {
  if (token.empty() || token.size() > 128) return std::nullopt;
  auto statement = database_.prepare(
      "SELECT subject, data, created_at, binding_hash FROM one_time_tokens WHERE token_hash = ? "
      "AND purpose = ? AND used_at IS NULL AND expires_at > ?");
  statement.bind_all(token_hash(token), purpose, to_epoch_micros(now_utc()));
  if (!statement.step()) return std::nullopt;
  std::string stored_binding = statement.column_text(3);
  if (!stored_binding.empty() && !constant_time_equal(stored_binding, binding_hash(binding)))
    return std::nullopt;
  return OneTimeToken{purpose, statement.column_text(0),
                      nlohmann::json::parse(statement.column_text(1), nullptr, false),
                      statement.column_int(2)};
}

void TokenStore::revoke_all(const std::string& purpose, const std::string& subject) {
  database_.write_transaction([&] {
    database_
        .prepare(
            "UPDATE one_time_tokens SET used_at = ? WHERE purpose = ? AND subject = ? AND used_at "
            "IS NULL")
        .bind_all(to_epoch_micros(now_utc()), purpose, subject)
        .run();
  });
}

int TokenStore::purge_expired() {
  return database_.write_transaction([&] {
    database_.prepare("DELETE FROM one_time_tokens WHERE expires_at < ?")
        .bind(1, static_cast<int64_t>(to_epoch_micros(now_utc()) - 86'400'000'000))
        .run();
    return database_.changes();
  });
}

}  // namespace da::identity
