// What administrators see of the portal's mail: every sign-in and password link sent, and
// whether the relay took it (the mail itself is never shown: it carries a link).
#pragma once

#include <nlohmann/json.hpp>

#include "da/store/sqlite_database.hpp"

namespace da::web {

// The newest `limit` records of the mail log, newest first.
nlohmann::json recent_mail_json(store::SqliteDatabase& database, int limit);

}  // namespace da::web
