#include "jwks_cache.hpp"

#include <algorithm>

#include "provider_http.hpp"

namespace da::auth::oidc {

namespace {

constexpr std::chrono::hours kMaxAge{1};

}  // namespace

JwksCache::JwksCache(std::chrono::seconds refetch_interval) : refetch_interval_(refetch_interval) {}

nlohmann::json JwksCache::keys_for(const std::string& jwks_uri, const std::string& kid) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  bool fresh = jwks_uri != uri_ || keys_.is_null() || now - fetched_at_ > kMaxAge;
  if (fresh) fetch(jwks_uri, now);
  if (has_kid(kid)) return keys_;
  std::erase_if(refetched_for_,
                [&](const auto& entry) { return now - entry.second >= refetch_interval_; });
  // A fetch just made counts as this kid's refetch.
  if (refetched_for_.emplace(kid, now).second && !fresh) fetch(jwks_uri, now);
  return keys_;
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
