// Whether the timer of each periodic job (registry.periodic_jobs) is installed and enabled,
// from what systemctl reported about the da-* units. A job whose timer is missing or not
// enabled never runs, and no failed unit says so.
#pragma once

#include <string>
#include <vector>

#include "da/ops/systemd_units.hpp"

namespace da::ops {

// A job `da status` checks: its name and the timer that runs it.
struct JobTimer {
  std::string job;
  std::string timer;
};

struct JobTimerState {
  std::string job;
  std::string timer;
  // The timer's UnitFileState (enabled, disabled, masked, ...), "not installed", or "unknown"
  // when systemd does not run here.
  std::string state;
  std::string next_elapse;  // when the timer fires next, if it waits
  std::string why_idle;     // why the job does not run on its schedule; "" if it does, or unknown
};

// One state per job, in the order given.
std::vector<JobTimerState> job_timer_states(const SystemdReport& report,
                                            const std::vector<JobTimer>& jobs);

}  // namespace da::ops
