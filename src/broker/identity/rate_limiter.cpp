#include "da/identity/rate_limiter.hpp"

#include "da/common/time.hpp"

namespace da::identity {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// Counts events since the window start; when at the limit, says when the oldest one leaves.
RateDecision evaluate(store::SqliteDatabase& database, const std::string& bucket, RateLimit limit,
                      int64_t now) {
  int64_t since = now - limit.window.count() * kMicrosPerSecond;
  auto statement = database.prepare(
      "SELECT COUNT(*), MIN(at) FROM (SELECT at FROM rate_limit_events WHERE bucket = ? AND at > ? "
      "ORDER BY at DESC LIMIT ?)");
  statement.bind_all(bucket, since, static_cast<int64_t>(limit.max_events));
  statement.step();
  RateDecision decision;
  if (statement.column_int(0) >= limit.max_events) {
    decision.allowed = false;
    int64_t oldest = statement.column_int(1);
    decision.retry_after = std::chrono::seconds(std::max<int64_t>(
        1, (oldest + limit.window.count() * kMicrosPerSecond - now) / kMicrosPerSecond + 1));
  }
  return decision;
}

}  // namespace

RateDecision RateLimiter::hit(const std::string& bucket, RateLimit limit) {
  return database_.write_transaction([&] {
    int64_t now = to_epoch_micros(now_utc());
    RateDecision decision = evaluate(database_, bucket, limit, now);
    if (decision.allowed)
      database_.prepare("INSERT INTO rate_limit_events (bucket, at) VALUES (?, ?)")
          .bind_all(bucket, now)
          .run();
    return decision;
  });
}

RateDecision RateLimiter::check(const std::string& bucket, RateLimit limit) {
  return evaluate(database_, bucket, limit, to_epoch_micros(now_utc()));
}

void RateLimiter::record(const std::string& bucket) {
  database_.write_transaction([&] {
    database_.prepare("INSERT INTO rate_limit_events (bucket, at) VALUES (?, ?)")
        .bind_all(bucket, to_epoch_micros(now_utc()))
        .run();
  });
}

void RateLimiter::clear(const std::string& bucket) {
  database_.write_transaction([&] {
    database_.prepare("DELETE FROM rate_limit_events WHERE bucket = ?").bind(1, bucket).run();
  });
}

int RateLimiter::purge(std::chrono::seconds horizon) {
  return database_.write_transaction([&] {
    database_.prepare("DELETE FROM rate_limit_events WHERE at < ?")
        .bind(1, to_epoch_micros(now_utc()) - horizon.count() * kMicrosPerSecond)
        .run();
    return database_.changes();
  });
}

}  // namespace da::identity
