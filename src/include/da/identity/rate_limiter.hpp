// Sliding-window rate limits kept in the state store, so they hold across restarts and
// processes. Buckets are strings such as "login-ip:10.0.0.7" or "login-email:a@b.c".
#pragma once

#include <chrono>
#include <string>

#include "da/store/sqlite_database.hpp"

namespace da::identity {

struct RateLimit {
  int max_events;
  std::chrono::seconds window;
};

struct RateDecision {
  bool allowed = true;
  std::chrono::seconds retry_after{0};
};

class RateLimiter {
 public:
  explicit RateLimiter(store::SqliteDatabase& database) : database_(database) {}

  // Counts an event in `bucket` if the bucket is under its limit; refuses (and records
  // nothing) otherwise.
  RateDecision hit(const std::string& bucket, RateLimit limit);
  // Whether the bucket is under its limit, without recording anything.
  RateDecision check(const std::string& bucket, RateLimit limit);
  // Records an event unconditionally (a failed password, counted after the fact).
  void record(const std::string& bucket);
  void clear(const std::string& bucket);
  // Drops events older than `horizon`.
  int purge(std::chrono::seconds horizon);

 private:
  store::SqliteDatabase& database_;
};

}  // namespace da::identity
