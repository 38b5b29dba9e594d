#include "da/store/store_contents.hpp"

#include <limits>
#include <map>
#include <string>

#include "da/common/strings.hpp"

namespace da::store {

namespace {

// The store's own tables (migrations.cpp): they record migrations, they hold no data.
bool records_migrations(const std::string& table) {
  return table == "schema_migrations" || table == "namespace_migrations";
}

std::vector<std::string> tables_of(SqliteDatabase& database) {
  std::vector<std::string> tables;
  SqliteStatement list = database.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  while (list.step())
    if (!records_migrations(list.column_text(0))) tables.push_back(list.column_text(0));
  return tables;
}

// The rows of `table`, counted up to `limit` (a large table is not scanned).
int64_t rows_up_to(SqliteDatabase& database, const std::string& table, int64_t limit) {
  SqliteStatement count = database.prepare("SELECT count(*) FROM (SELECT 1 FROM \"" +
                                           replace_all(table, "\"", "\"\"") + "\" LIMIT ?)");
  count.bind(1, limit);
  count.step();
  return count.column_int(0);
}

// The rows each table holds right after `migrations` ran on an empty database (some insert
// rows of their own, e.g. a singleton row of settings).
std::map<std::string, int64_t> rows_the_migrations_insert(
    const std::vector<Migration>& migrations) {
  SqliteDatabase fresh(":memory:");
  apply_migrations(fresh, migrations);
  std::map<std::string, int64_t> rows;
  for (const std::string& table : tables_of(fresh))
    rows[table] = rows_up_to(fresh, table, std::numeric_limits<int64_t>::max());
  return rows;
}

}  // namespace

bool holds_data(const std::filesystem::path& path, const std::vector<Migration>& migrations) {
  if (!std::filesystem::exists(path)) return false;
  SqliteDatabase database(path);
  std::map<std::string, int64_t> seeded = rows_the_migrations_insert(migrations);
  for (const std::string& table : tables_of(database)) {
    int64_t own = seeded.contains(table) ? seeded.at(table) : 0;
    if (rows_up_to(database, table, own + 1) > own) return true;
  }
  return false;
}

}  // namespace da::store
