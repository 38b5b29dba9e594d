#include "da/distribution/selection_store.hpp"

#include <nlohmann/json.hpp>

#include "da/common/time.hpp"

namespace da::distribution {

namespace {

std::string encode(const std::map<std::string, bool>& flags) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, value] : flags)
    json[key] = value;
  return json.dump();
}

}  // namespace

StoredSelection SelectionStore::load(int64_t user_id) {
  auto statement = database_.prepare(
      "SELECT datasets, table_mode, tables, updated_at FROM user_selections WHERE user_id = ?");
  statement.bind(1, user_id);
  if (!statement.step()) return {};
  return {Selection::from_stored(statement.column_text(0), statement.column_text(1),
                                     statement.column_text(2)),
          statement.column_optional_int(3)};
}

void SelectionStore::save(int64_t user_id, const Selection& selection) {
  database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT INTO user_selections (user_id, datasets, table_mode, tables, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET datasets = "
            "excluded.datasets, table_mode = excluded.table_mode, tables = excluded.tables, "
            "updated_at = excluded.updated_at")
        .bind_all(user_id, encode(selection.datasets),
                  std::string(selection.explicit_tables ? "explicit" : "all"),
                  encode(selection.tables), to_epoch_micros(now_utc()))
        .run();
  });
}

}  // namespace da::distribution
