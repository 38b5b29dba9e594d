// The desktop app's access tokens (HS256 JWTs the desktop sign-in issues), checked the same
// way wherever one arrives: the portal's API and the WebSocket gateway.
#pragma once

#include <optional>
#include <string>

#include "da/identity/desktop_settings.hpp"
#include "da/identity/user.hpp"
#include "da/store/sqlite_database.hpp"

namespace da::identity {

// The user of a valid token: signature with desktop.jwt_secret, issuer desktop.jwt_issuer,
// not expired, its refresh family still active (not unlinked), and the user existing, enabled
// and still named as the token says. nullopt otherwise (the reason is not told to callers).
std::optional<User> verify_desktop_access_token(store::SqliteDatabase& database,
                                                const DesktopSettings& desktop,
                                                const std::string& token);

}  // namespace da::identity
