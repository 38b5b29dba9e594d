// The provider's signing keys (its JWKS document), fetched on first use and again after an
// hour; when that refresh fails, the keys held go on being used (retried every minute).
// Providers rotate keys: a token naming a key id (kid) the cached set lacks makes us refetch
// at once, but at most once per kid per `refetch_interval` and 6 times a minute whatever the
// kids, so tokens naming made-up kids cannot make us hammer the provider.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace da::auth::oidc {

class JwksCache {
 public:
  explicit JwksCache(std::chrono::seconds refetch_interval = std::chrono::seconds(30));

  // The key set to verify a token whose header names `kid` (empty: the token names none).
  // Throws Error(kSource) when a needed fetch fails.
  nlohmann::json keys_for(const std::string& jwks_uri, const std::string& kid);

 private:
  bool has_kid(const std::string& kid) const;
  void fetch(const std::string& jwks_uri, std::chrono::steady_clock::time_point now);
  // fetch(), or on failure keeps the keys held (logged); true when it fetched.
  bool refresh_or_keep(const std::string& jwks_uri, std::chrono::steady_clock::time_point now);

  const std::chrono::seconds refetch_interval_;
  std::mutex mutex_;
  std::string uri_;
  nlohmann::json keys_;
  std::chrono::steady_clock::time_point fetched_at_{};
  // When a token naming each unknown kid last made us refetch; entries older than the
  // interval are dropped, which bounds the map.
  std::map<std::string, std::chrono::steady_clock::time_point> refetched_for_;
  std::vector<std::chrono::steady_clock::time_point> recent_refetches_;  // within a minute
};

}  // namespace da::auth::oidc
