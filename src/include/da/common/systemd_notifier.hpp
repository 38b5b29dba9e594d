// Tells systemd how a long-running service is doing, through sd_notify: ready, status lines,
// watchdog pings, stopping. systemd sets NOTIFY_SOCKET for a unit of Type=notify and
// WATCHDOG_USEC when the unit has WatchdogSec=; without NOTIFY_SOCKET every call does nothing,
// so commands call it whether or not they run under systemd.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

namespace da {

class SystemdNotifier {
 public:
  // Hands a task to the loop the watchdog vouches for; the loop runs it when it is responsive.
  using Post = std::function<void(std::function<void()>)>;

  // Reads NOTIFY_SOCKET and WATCHDOG_USEC (which counts only when WATCHDOG_PID is unset or is
  // this process). Leaves the environment alone.
  SystemdNotifier();
  ~SystemdNotifier();  // stops the watchdog pings
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // Whether systemd listens (NOTIFY_SOCKET is set).
  bool active() const;
  // How often watchdog pings go out: half of WATCHDOG_USEC; zero when systemd asked for none.
  std::chrono::microseconds watchdog_interval() const;

  // READY=1 with a STATUS= line: the service does its work from now on. Send it once, after
  // listening, so that units ordered after this one find it answering.
  void ready(std::string_view status);
  // A STATUS= line: what `systemctl status` shows.
  void status(std::string_view status);
  // Every watchdog_interval() from now on, gives `post` a task that sends WATCHDOG=1. A loop
  // that no longer runs the tasks it is given sends no pings, and systemd restarts the
  // service once WATCHDOG_USEC passes without one. Does nothing without a watchdog; call once,
  // from a thread whose blocked signals the pinging thread may inherit.
  void start_watchdog(Post post);
  // Stops the watchdog pings and sends STOPPING=1 with a STATUS= line: the service is shutting
  // down (systemd then waits for it to exit instead of restarting it for a missed ping).
  void stopping(std::string_view status);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace da
