// Who is making a request: nobody, a browser with a session cookie, or a client with a
// bearer token (personal access token). Resolved once per request by the portal.
#pragma once

#include <optional>
#include <string>

#include "da/identity/session_store.hpp"
#include "da/identity/user.hpp"

namespace da::web {

// What a route requires. Roles are checked on the user's current state in the store.
enum class Access { kPublic, kSignedIn, kPrivileged, kAdmin };

struct Visitor {
  std::optional<identity::ActiveSession> session;  // set for cookie sessions
  std::optional<identity::User> user;              // set whenever someone is signed in
  bool via_bearer = false;

  bool signed_in() const { return user.has_value(); }
  // The session's CSRF token ("" without a session).
  const std::string& csrf_token() const;
};

}  // namespace da::web
