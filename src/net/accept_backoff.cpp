#include "da/net/accept_backoff.hpp"

#include <algorithm>

#include "da/common/log.hpp"

namespace da::net {

namespace {

constexpr std::chrono::milliseconds kFirstPause{10};
constexpr std::chrono::milliseconds kLongestPause{1000};

}  // namespace

AcceptBackoff::AcceptBackoff(std::string server, std::chrono::milliseconds log_interval)
    : server_(std::move(server)), log_interval_(log_interval) {}

std::chrono::milliseconds AcceptBackoff::failed(const std::string& reason, Clock::time_point now) {
  pause_ = pause_.count() == 0 ? kFirstPause : std::min(pause_ * 2, kLongestPause);
  ++unreported_;
  if (lines_logged_ == 0 || now - last_logged_ >= log_interval_) {
    log::warn("{}: cannot accept connections: {} ({} time(s) since the last report; pausing "
              "up to {} ms between attempts, open connections are still served)",
              server_, reason, unreported_, kLongestPause.count());
    unreported_ = 0;
    ++lines_logged_;
    last_logged_ = now;
  }
  return pause_;
}

void AcceptBackoff::succeeded() {
  pause_ = std::chrono::milliseconds(0);
}

}  // namespace da::net
