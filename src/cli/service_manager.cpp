#include "da/cli/service_manager.hpp"

#include <algorithm>

#include <systemd/sd-daemon.h>

#include "da/common/log.hpp"

namespace da::cli {

namespace {

void notify(const std::string& state) {
  int result = sd_notify(0, state.c_str());
  if (result < 0) log::warn("could not tell systemd '{}' (error {})", state, -result);
}

}  // namespace

void ServiceManager::ready(const std::string& status) const {
  std::string line = status;
  std::replace(line.begin(), line.end(), '\n', ' ');
  notify("READY=1\nSTATUS=" + line);
}

void ServiceManager::stopping() const {
  notify("STOPPING=1");
}

std::optional<std::chrono::microseconds> ServiceManager::watchdog_timeout() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

void ServiceManager::watchdog() const {
  notify("WATCHDOG=1");
}

}  // namespace da::cli
