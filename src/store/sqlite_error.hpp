// Private to src/store: SQLite result codes to da::Error.
#pragma once

#include <string>

#include <sqlite3.h>

#include "da/common/error.hpp"

namespace da::store {

// Throws Error with `message` as it is; BUSY, LOCKED and CONSTRAINT are conflicts.
[[noreturn]] inline void throw_sqlite_message(int rc, const std::string& message) {
  int primary = rc & 0xFF;
  ErrorKind kind = primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? ErrorKind::kConflict
                   : primary == SQLITE_CONSTRAINT                     ? ErrorKind::kConflict
                                                                      : ErrorKind::kInternal;
  throw Error(kind, message);
}

// Throws "what: <SQLite's message>".
[[noreturn]] inline void throw_sqlite_error(sqlite3* db, int rc, const std::string& what) {
  throw_sqlite_message(rc, what + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

}  // namespace da::store
