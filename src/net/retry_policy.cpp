#include "da/net/retry_policy.hpp"

#include <algorithm>
#include <ctime>
#include <random>
#include <string>
#include <thread>

#include "da/common/error.hpp"
#include "da/common/log.hpp"

namespace da::net {

bool RetryPolicy::retryable_status(long status) {
  return status == 429 || (status >= 500 && status != 501);
}

std::chrono::milliseconds RetryPolicy::delay(
    int attempt, std::optional<std::chrono::milliseconds> retry_after) const {
  if (retry_after) return std::min(*retry_after, max_delay);
  int64_t ceiling = base_delay.count();
  for (int i = 1; i < attempt && ceiling < max_delay.count(); ++i)
    ceiling *= 2;
  ceiling = std::min<int64_t>(ceiling, max_delay.count());
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return std::chrono::milliseconds(
      std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(ceiling, 0))(generator));
}

std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::nullopt;
    return std::chrono::seconds(std::stoll(value));
  }
  std::tm parsed{};
  if (!strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parsed)) return std::nullopt;
  std::time_t when = timegm(&parsed);
  std::time_t now = std::time(nullptr);
  return std::chrono::seconds(std::max<std::time_t>(0, when - now));
}

HttpResponse run_with_retries(const RetryPolicy& policy,
                              const std::function<HttpResponse()>& attempt) {
  for (int tried = 1;; ++tried) {
    bool last = tried >= policy.max_attempts;
    try {
      HttpResponse response = attempt();
      if (last || !RetryPolicy::retryable_status(response.status)) return response;
      auto pause = policy.delay(tried, parse_retry_after(response.header("Retry-After")));
      log::debug("HTTP {} (attempt {} of {}); retrying in {} ms", response.status, tried,
                 policy.max_attempts, pause.count());
      std::this_thread::sleep_for(pause);
    } catch (const Error& e) {
      if (last || e.kind() != ErrorKind::kSource) throw;
      auto pause = policy.delay(tried, std::nullopt);
      log::debug("{} (attempt {} of {}); retrying in {} ms", e.what(), tried, policy.max_attempts,
                 pause.count());
      std::this_thread::sleep_for(pause);
    }
  }
}

}  // namespace da::net
