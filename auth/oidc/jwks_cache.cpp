#include "jwks_cache.hpp"

#include <algorithm>

#include "provider_http.hpp"

#include "da/common/error.hpp"
#include "da/common/log.hpp"

namespace da::auth::oidc {

namespace {

constexpr std::chrono::hours kMaxAge{1};
// Refetches for unknown kids, whatever the kids, at most this many a minute.
constexpr std::size_t kRefetchesPerMinute = 6;
// After a failed refresh the keys held are used this much longer before trying again.
constexpr std::chrono::minutes kRetryAfterFailure{1};

}  // namespace

JwksCache::JwksCache(std::chrono::seconds refetch_interval) : refetch_interval_(refetch_interval) {}

nlohmann::json JwksCache::keys_for(const std::string& jwks_uri, const std::string& kid) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  bool fetched = false;
  if (jwks_uri != uri_ || keys_.is_null()) {
    fetch(jwks_uri, now);
    fetched = true;
  } else if (now - fetched_at_ > kMaxAge) {
    fetched = refresh_or_keep(jwks_uri, now);
  }
  if (has_kid(kid)) return keys_;
  std::erase_if(refetched_for_,
                [&](const auto& entry) { return now - entry.second >= refetch_interval_; });
  std::erase_if(recent_refetches_,
                [&](const auto& at) { return now - at >= std::chrono::minutes(1); });
  // A fetch just made counts as this kid's refetch.
  bool first_for_kid = refetched_for_.emplace(kid, now).second;
  if (fetched || !first_for_kid || recent_refetches_.size() >= kRefetchesPerMinute) return keys_;
  recent_refetches_.push_back(now);
  refresh_or_keep(jwks_uri, now);
  return keys_;
}

bool JwksCache::refresh_or_keep(const std::string& jwks_uri,
                                std::chrono::steady_clock::time_point now) {
  try {
    fetch(jwks_uri, now);
    return true;
  } catch (const Error& e) {
    log::warn(
        "portal: refreshing the provider's signing keys failed ({}); the keys held are "
        "used for another minute",
        e.what());
    fetched_at_ = now - kMaxAge + kRetryAfterFailure;
    return false;
  }
}

bool JwksCache::has_kid(const std::string& kid) const {
  if (kid.empty()) return true;  // the verifier picks the only key, or refuses
  const auto keys = keys_.find("keys");
  if (keys == keys_.end() || !keys->is_array()) return false;
  return std::any_of(keys->begin(), keys->end(), [&](const nlohmann::json& key) {
    return key.is_object() && key.value("kid", nlohmann::json()) == kid;
  });
}

void JwksCache::fetch(const std::string& jwks_uri, std::chrono::steady_clock::time_point now) {
  keys_ = fetch_json(jwks_uri, "the provider's signing keys (JWKS)");
  uri_ = jwks_uri;
  fetched_at_ = now;
}

}  // namespace da::auth::oidc
