// The application state database (SQLite, <data_dir>/state.db by default): sync runs and
// state now; the table registry, users, sessions and the notification outbox as they come.
#pragma once

#include <filesystem>

#include "da/store/sqlite_database.hpp"

namespace da::store {

class StateStore {
 public:
  // Opens the database (creating its folder with mode 0750 and the file with 0640) and
  // applies pending migrations. Safe to call from several processes at once.
  explicit StateStore(const std::filesystem::path& path, const SqliteOptions& options = {});

  SqliteDatabase& database() { return database_; }

 private:
  static const std::filesystem::path& prepare_folder(const std::filesystem::path& path);
  SqliteDatabase database_;
};

}  // namespace da::store
