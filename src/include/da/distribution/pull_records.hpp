// When each analyst last pulled over HTTPS, and how much (state table user_pulls): the only
// code that reads or writes that table. `da pull` reports a finished pull; the dashboard shows it.
#pragma once

#include <cstdint>
#include <optional>

#include "da/store/sqlite_database.hpp"

namespace da::distribution {

class PullRecords {
 public:
  explicit PullRecords(store::SqliteDatabase& database) : database_(database) {}

  // Records that `user_id` finished a pull of `files` files and `bytes` bytes now.
  void record(int64_t user_id, int64_t files, int64_t bytes);
  // When `user_id` last finished a pull (epoch microseconds), or nullopt if never.
  std::optional<int64_t> last_pulled_at(int64_t user_id);

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::distribution
