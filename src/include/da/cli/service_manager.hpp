// Tells systemd how a service started as a Type=notify unit is doing (sd_notify(3)). Outside
// systemd ($NOTIFY_SOCKET unset) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace da::cli {

class ServiceManager {
 public:
  // READY=1: the service takes work from now on; `status` shows in `systemctl status`.
  void ready(const std::string& status) const;
  // STOPPING=1: systemd waits for the exit instead of taking the stop for a hang.
  void stopping() const;
  // How long systemd waits for the next watchdog() (WatchdogSec=), or nullopt without one.
  std::optional<std::chrono::microseconds> watchdog_timeout() const;
  // WATCHDOG=1: call it well within watchdog_timeout(), and only after checking the service
  // still works; without it systemd ends the service and restarts it.
  void watchdog() const;
};

}  // namespace da::cli
