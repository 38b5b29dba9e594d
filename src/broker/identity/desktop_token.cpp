#include "da/identity/desktop_token.hpp"

#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/identity/jwt.hpp"
#include "da/identity/user_store.hpp"

namespace da::identity {

std::optional<User> verify_desktop_access_token(store::SqliteDatabase& database,
                                                const DesktopSettings& desktop,
                                                const std::string& token) {
  nlohmann::json claims;
  try {
    JwtCheck check;
    check.issuer = desktop.jwt_issuer;
    claims = jwt_verify_hs256(token, desktop.jwt_secret, check);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!claims.contains("uid") || !claims["uid"].is_number_integer() || !claims.contains("fam"))
    return std::nullopt;
  if (!ApiTokenStore(database).family_active(claims.value("fam", ""))) return std::nullopt;
  auto user = UserStore(database).find_by_id(claims["uid"].get<int64_t>());
  if (!user || user->disabled || user->username != claims.value("sub", "")) return std::nullopt;
  return user;
}

}  // namespace da::identity
