// The analysts' selections (state table user_selections): the only code that reads or
// writes that table. The portal saves what an analyst picks; the HTTPS manifest and the rsync
// filters read it back through the same decoding (Selection::from_stored).
#pragma once

#include <cstdint>
#include <optional>

#include "da/distribution/selection.hpp"
#include "da/store/sqlite_database.hpp"

namespace da::distribution {

struct StoredSelection {
  Selection selection;
  std::optional<int64_t> updated_at;  // epoch microseconds; nullopt when never saved
};

class SelectionStore {
 public:
  explicit SelectionStore(store::SqliteDatabase& database) : database_(database) {}

  // The selection of portal user `user_id` (the defaults when there is none).
  StoredSelection load(int64_t user_id);
  // Replaces the selection of `user_id` and stamps updated_at with the current time.
  void save(int64_t user_id, const Selection& selection);

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::distribution
