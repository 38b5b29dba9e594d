// The rsync filters follow what analysts select: a refresh after each change, and the retry of
// refreshes that failed (recorded for the administrators until one works).
#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "da/accounts/pending_filter_refreshes.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/time.hpp"
#include "da/web/portal.hpp"

namespace da::web {

using Json = nlohmann::json;

std::optional<std::string> Portal::selection_changed(const std::string& username) {
  if (!provisioner_) return std::nullopt;
  try {
    accounts::PendingFilterRefreshes(db()).run(
        username, [this](const std::string& who) { provisioner_->selection_changed(who); });
    return std::nullopt;
  } catch (const Error& e) {
    log::error(
        "portal: the rsync filter{} could not be refreshed ({}); recorded for the "
        "administrators and retried every 30 s",
        username.empty() ? "s" : " of " + username, e.what());
    return "Saved, but the server could not yet update what SSH pulls fetch (" +
           std::string(e.what()) +
           "). Until it does, `da pull --via ssh` follows the old selection; the portal retries "
           "every 30 seconds. HTTPS pulls follow the change already.";
  }
}

nlohmann::json Portal::pending_filter_refreshes_json() {
  Json list = Json::array();
  for (const auto& entry : accounts::PendingFilterRefreshes(db()).all())
    list.push_back({{"user", entry.username.empty() ? "every analyst" : entry.username},
                    {"error", entry.error},
                    {"since", format_iso8601(from_epoch_micros(entry.first_failed_at))},
                    {"attempts", entry.attempts}});
  return list;
}

void Portal::retry_pending_filter_refreshes() {
  accounts::PendingFilterRefreshes pending(db());
  std::vector<accounts::PendingFilterRefresh> entries = pending.all();
  bool everyone = std::any_of(entries.begin(), entries.end(),
                              [](const auto& entry) { return entry.username.empty(); });
  for (const auto& entry : entries) {
    if (everyone && !entry.username.empty()) continue;  // the refresh of everyone covers them
    selection_changed(entry.username);
  }
}

void Portal::start_filter_retries() {
  if (provisioner_)
    filter_retries_ = std::jthread([this](std::stop_token stop) {
      std::mutex mutex;
      std::condition_variable_any wake;
      while (!stop.stop_requested()) {
        std::unique_lock lock(mutex);
        wake.wait_for(lock, stop, std::chrono::seconds(30), [] { return false; });
        if (stop.stop_requested()) return;
        try {
          retry_pending_filter_refreshes();
        } catch (const std::exception& e) {
          log::error("portal: retrying the rsync filter refreshes failed: {}", e.what());
        }
      }
    });
}

}  // namespace da::web
