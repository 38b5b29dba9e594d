#include "da/identity/api_token_store.hpp"

#include "da/common/crypto.hpp"
#include "da/common/time.hpp"
#include "da/identity/user_store.hpp"

namespace da::identity {

namespace {

constexpr int64_t kMicrosPerHour = 3'600'000'000LL;

ApiTokenInfo read_info(store::SqliteStatement& row) {
  ApiTokenInfo info;
  info.id = row.column_int(0);
  info.user_id = row.column_int(1);
  info.kind = row.column_text(2);
  info.name = row.column_text(3);
  info.family = row.column_optional_text(4).value_or("");
  info.created_at = row.column_int(5);
  info.expires_at = row.column_optional_int(6);
  info.last_used_at = row.column_optional_int(7);
  info.revoked_at = row.column_optional_int(8);
  return info;
}

constexpr const char* kColumns =
    "id, user_id, kind, name, family, created_at, expires_at, last_used_at, revoked_at";

IssuedToken insert(store::SqliteDatabase& database, int64_t user_id, const std::string& kind,
                   const std::string& name, const std::string& token, const std::string& family,
                   std::optional<int64_t> expires_at) {
  int64_t now = to_epoch_micros(now_utc());
  database
      .prepare(
          "INSERT INTO api_tokens (token_hash, user_id, kind, name, family, created_at, "
          "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind_all(token_hash(token), user_id, kind, name,
                family.empty() ? std::optional<std::string>() : std::optional<std::string>(family),
                now, expires_at)
      .run();
  IssuedToken issued;
  issued.token = token;
  issued.info = {database.last_insert_rowid(),
                 user_id,
                 kind,
                 name,
                 family,
                 now,
                 expires_at,
                 std::nullopt,
                 std::nullopt};
  return issued;
}

}  // namespace

IssuedToken ApiTokenStore::create_personal(int64_t user_id, const std::string& name,
                                           std::optional<std::chrono::hours> lifetime) {
  std::optional<int64_t> expires;
  if (lifetime) expires = to_epoch_micros(now_utc()) + lifetime->count() * kMicrosPerHour;
  return database_.write_transaction([&] {
    return insert(database_, user_id, "personal", name, "dap_" + random_token(), "", expires);
  });
}

std::optional<User> ApiTokenStore::authenticate_personal(const std::string& token) {
  if (token.rfind("dap_", 0) != 0 || token.size() > 128) return std::nullopt;
  int64_t now = to_epoch_micros(now_utc());
  int64_t id = 0, user_id = 0;
  std::optional<int64_t> last_used;
  {
    auto statement = database_.cached(
        "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = ? AND kind = "
        "'personal' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)");
    statement->bind_all(token_hash(token), now);
    if (!statement->step()) return std::nullopt;
    id = statement->column_int(0);
    user_id = statement->column_int(1);
    last_used = statement->column_optional_int(2);
  }
  auto user = UserStore(database_).find_by_id(user_id);
  if (!user || user->disabled) return std::nullopt;
  if (!last_used || now - *last_used > 60'000'000) {
    database_.write_transaction([&] {
      database_.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
          .bind_all(now, id)
          .run();
    });
  }
  return user;
}

std::vector<ApiTokenInfo> ApiTokenStore::list(int64_t user_id) {
  auto statement = database_.prepare(std::string("SELECT ") + kColumns +
                                     " FROM api_tokens WHERE user_id = ? ORDER BY id");
  statement.bind(1, user_id);
  std::vector<ApiTokenInfo> tokens;
  while (statement.step())
    tokens.push_back(read_info(statement));
  return tokens;
}

bool ApiTokenStore::revoke(int64_t user_id, int64_t id) {
  return database_.write_transaction([&] {
    database_
        .prepare(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS "
            "NULL")
        .bind_all(to_epoch_micros(now_utc()), id, user_id)
        .run();
    return database_.changes() > 0;
  });
}

IssuedToken ApiTokenStore::create_refresh(int64_t user_id, std::chrono::hours lifetime) {
  return database_.write_transaction([&] {
    return insert(database_, user_id, "desktop_refresh", "desktop app", "dar_" + random_token(),
                  random_token(16), to_epoch_micros(now_utc()) + lifetime.count() * kMicrosPerHour);
  });
}

std::optional<ApiTokenStore::Rotation> ApiTokenStore::rotate_refresh(const std::string& token,
                                                                     std::chrono::hours lifetime) {
  if (token.rfind("dar_", 0) != 0 || token.size() > 128) return std::nullopt;
  return database_.write_transaction([&]() -> std::optional<Rotation> {
    int64_t now = to_epoch_micros(now_utc());
    auto statement =
        database_.prepare(std::string("SELECT ") + kColumns +
                          " FROM api_tokens WHERE token_hash = ? AND kind = 'desktop_refresh'");
    statement.bind(1, token_hash(token));
    if (!statement.step()) return std::nullopt;
    ApiTokenInfo info = read_info(statement);
    if (info.revoked_at) {
      // A rotated token came back: whoever holds the family now may be an attacker.
      database_
          .prepare("UPDATE api_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL")
          .bind_all(now, info.family)
          .run();
      return std::nullopt;
    }
    if (info.expires_at && *info.expires_at <= now) return std::nullopt;
    auto user = UserStore(database_).find_by_id(info.user_id);
    if (!user || user->disabled) return std::nullopt;
    database_.prepare("UPDATE api_tokens SET revoked_at = ?, last_used_at = ? WHERE id = ?")
        .bind_all(now, now, info.id)
        .run();
    IssuedToken next =
        insert(database_, info.user_id, "desktop_refresh", info.name, "dar_" + random_token(),
               info.family, now + lifetime.count() * kMicrosPerHour);
    return Rotation{std::move(next), std::move(*user)};
  });
}

bool ApiTokenStore::family_active(const std::string& family) {
  auto statement = database_.cached(
      "SELECT 1 FROM api_tokens WHERE family = ? AND kind = 'desktop_refresh' AND revoked_at IS "
      "NULL "
      "AND (expires_at IS NULL OR expires_at > ?) LIMIT 1");
  statement->bind_all(family, to_epoch_micros(now_utc()));
  return statement->step();
}

int ApiTokenStore::revoke_desktop(int64_t user_id) {
  return database_.write_transaction([&] {
    database_
        .prepare(
            "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND kind = 'desktop_refresh' "
            "AND revoked_at IS NULL")
        .bind_all(to_epoch_micros(now_utc()), user_id)
        .run();
    return database_.changes();
  });
}

bool ApiTokenStore::has_desktop_link(int64_t user_id) {
  auto statement = database_.prepare(
      "SELECT 1 FROM api_tokens WHERE user_id = ? AND kind = 'desktop_refresh' AND revoked_at IS "
      "NULL "
      "AND (expires_at IS NULL OR expires_at > ?) LIMIT 1");
  statement.bind_all(user_id, to_epoch_micros(now_utc()));
  return statement.step();
}

}  // namespace da::identity
