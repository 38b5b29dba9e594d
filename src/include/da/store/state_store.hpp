// The application state database (SQLite, <data_dir>/state.db by default): the tables every
// component and module of the build registers (schema_registry.hpp), each read and written by
// its owner's repositories.
#pragma once

#include <filesystem>
#include <vector>

#include "da/store/migrations.hpp"
#include "da/store/sqlite_database.hpp"

namespace da::store {

class StateStore {
 public:
  // Opens the database (creating its folder with mode 0750 and the file with 0640) and
  // applies pending migrations. Safe to call from several processes at once.
  explicit StateStore(const std::filesystem::path& path, const SqliteOptions& options = {});

  SqliteDatabase& database() { return database_; }
  // The migrations this opening applied, in order (empty when the database was up to date).
  const std::vector<Migration>& applied_migrations() const { return applied_; }

 private:
  static const std::filesystem::path& prepare_folder(const std::filesystem::path& path);
  SqliteDatabase database_;
  std::vector<Migration> applied_;
};

}  // namespace da::store
