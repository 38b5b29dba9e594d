// Reading a users row, shared by the stores that select users (alone or joined).
#pragma once

#include "da/identity/user.hpp"
#include "da/store/sqlite_statement.hpp"

namespace da::identity {

// The user columns, in the order read_user_row() expects them, qualified by `alias` ("u.").
std::string user_columns(const std::string& alias = {});
// The user whose columns (user_columns()) start at result column `first`.
User read_user_row(store::SqliteStatement& row, int first = 0);

}  // namespace da::identity
