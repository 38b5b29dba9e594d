// A state store as da built it before migrations were namespaced: the global migrations 1..N
// of tests/unit/store/fixtures/legacy_schema_v10.sql, recorded in schema_migrations.
#pragma once

#include <filesystem>
#include <sstream>
#include <string>

#include "support/temp_dir.hpp"

#include "da/store/sqlite_database.hpp"

namespace da::testing {

inline void create_legacy_state_store(const std::filesystem::path& path, int up_to_version) {
  std::string fixture = read_text(std::filesystem::path(DA_SOURCE_DIR) /
                                  "tests/unit/store/fixtures/legacy_schema_v10.sql");
  store::SqliteDatabase database(path);
  database.execute(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at TEXT NOT NULL)");
  std::istringstream lines(fixture);
  std::string line;
  std::string sql;
  int version = 0;
  std::string name;
  auto finish = [&] {
    if (version == 0 || version > up_to_version) return;
    database.execute(sql);
    database.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
        .bind_all(version, name,
                  "2026-01-" + std::string(version < 10 ? "0" : "") + std::to_string(version) +
                      "T00:00:00Z")
        .run();
  };
  while (std::getline(lines, line)) {
    if (line.rfind("-- version ", 0) == 0) {
      finish();
      std::size_t colon = line.find(':');
      version = std::stoi(line.substr(11, colon - 11));
      name = line.substr(colon + 2);
      sql.clear();
    } else {
      sql += line + "\n";
    }
  }
  finish();
}

}  // namespace da::testing
