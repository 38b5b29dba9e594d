// The da-* systemd units of this machine, as systemctl reports them. On a machine where systemd
// is not the init system (a container) nothing is asked beyond that.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace da::ops {

struct UnitState {
  std::string name;          // da-portal.service, da-sync.timer, ...
  std::string active;        // ActiveState: active, inactive, failed, activating, ...
  std::string sub;           // SubState: running, dead, exited, waiting, ...
  std::string enabled;       // UnitFileState: enabled, disabled, static, ...
  std::string type;          // services: simple, notify, oneshot, ...
  std::string result;        // success, exit-code, timeout, ...
  std::string last_trigger;  // timers: when it last fired ("" if never)
  std::string next_elapse;   // timers: when it fires next

  bool is_timer() const;
  // Something an operator must look at: failed, or enabled but not running (a timer that does
  // not wait, a service that should run all the time).
  bool needs_attention() const;
};

struct SystemdReport {
  bool running = false;  // systemd is the init system here
  std::string state;     // `systemctl is-system-running`: running, degraded, offline, ...
  std::vector<UnitState> units;
};

// Asks `systemctl` (found on PATH) about every installed da-* unit.
SystemdReport query_da_units();

// Parses `systemctl show -p ...` output for several units: blocks of Key=Value lines separated
// by blank lines.
std::vector<UnitState> parse_systemctl_show(std::string_view text);

}  // namespace da::ops
