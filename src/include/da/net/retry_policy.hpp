// When and how long to wait before repeating a failed request: network errors, 429 and 5xx
// (but 501) are retried a bounded number of times with capped exponential backoff and full
// jitter; a Retry-After the server sends is honoured, up to the cap.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "da/net/http_client.hpp"

namespace da::net {

struct RetryPolicy {
  int max_attempts = 6;  // the first try included
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{30'000};

  // True if an answer with this status may succeed when repeated.
  static bool retryable_status(long status);
  // The pause before attempt `attempt + 1` (attempt counts from 1): a random duration in
  // [0, min(max_delay, base_delay * 2^(attempt-1))], or `retry_after` (capped) when given.
  std::chrono::milliseconds delay(int attempt,
                                  std::optional<std::chrono::milliseconds> retry_after) const;
};

// Parses a Retry-After header: delta-seconds or an HTTP date. nullopt when absent or invalid.
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value);

// Runs `attempt` until it returns an answer that is not worth repeating or the attempts run
// out, and returns that last answer (the caller judges its status). An Error(kSource) thrown by
// `attempt` (a network failure) is retried too; the last one propagates. Other errors
// propagate at once.
HttpResponse run_with_retries(const RetryPolicy& policy,
                              const std::function<HttpResponse()>& attempt);

}  // namespace da::net
