#include "da/distribution/pull_records.hpp"

#include "da/common/time.hpp"

namespace da::distribution {

void PullRecords::record(int64_t user_id, int64_t files, int64_t bytes) {
  database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT INTO user_pulls (user_id, pulled_at, files, bytes) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET pulled_at = excluded.pulled_at, "
            "files = excluded.files, bytes = excluded.bytes")
        .bind_all(user_id, to_epoch_micros(now_utc()), files, bytes)
        .run();
  });
}

std::optional<int64_t> PullRecords::last_pulled_at(int64_t user_id) {
  auto statement = database_.prepare("SELECT pulled_at FROM user_pulls WHERE user_id = ?");
  statement.bind(1, user_id);
  if (!statement.step()) return std::nullopt;
  return statement.column_int(0);
}

}  // namespace da::distribution
