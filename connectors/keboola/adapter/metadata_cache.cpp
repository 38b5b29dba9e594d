#include "keboola/adapter/metadata_cache.hpp"

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/time.hpp"
#include "da/store/state_store.hpp"

namespace da::connectors::keboola {

namespace {

int64_t now_seconds() {
  return to_epoch_micros(now_utc()) / 1'000'000;
}

}  // namespace

MetadataCache::MetadataCache(std::filesystem::path state_db, std::string source,
                             std::chrono::minutes ttl)
    : state_db_(std::move(state_db)), source_(std::move(source)), ttl_(ttl) {}

MetadataCache::~MetadataCache() = default;

store::StateStore* MetadataCache::open() {
  if (!store_) store_ = std::make_unique<store::StateStore>(state_db_);
  return store_.get();
}

std::optional<std::string> MetadataCache::get(const std::string& item) {
  if (ttl_.count() == 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  try {
    auto statement = open()->database().prepare(
        "SELECT value FROM source_metadata_cache WHERE source = ? AND item = ? AND fetched_at > ?");
    statement.bind_all(
        source_, item,
        now_seconds() - std::chrono::duration_cast<std::chrono::seconds>(ttl_).count());
    if (statement.step()) return statement.column_text(0);
  } catch (const Error& e) {
    log::warn("Keboola metadata cache not readable ({}); asking the API", e.what());
  }
  return std::nullopt;
}

void MetadataCache::put(const std::string& item, const std::string& value) {
  if (ttl_.count() == 0) return;
  std::lock_guard lock(mutex_);
  try {
    open()
        ->database()
        .prepare(
            "INSERT INTO source_metadata_cache (source, item, fetched_at, value) VALUES (?, ?, ?, "
            "?) "
            "ON CONFLICT (source, item) DO UPDATE SET fetched_at = excluded.fetched_at, "
            "value = excluded.value")
        .bind_all(source_, item, now_seconds(), value)
        .run();
  } catch (const Error& e) {
    log::warn("Keboola metadata cache not writable: {}", e.what());
  }
}

}  // namespace da::connectors::keboola
