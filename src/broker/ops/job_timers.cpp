#include "da/ops/job_timers.hpp"

#include <algorithm>

namespace da::ops {

namespace {

JobTimerState state_of(const SystemdReport& report, const JobTimer& job) {
  JobTimerState state{job.job, job.timer, "unknown", "", ""};
  if (!report.running) return state;
  auto unit = std::find_if(report.units.begin(), report.units.end(),
                           [&](const UnitState& candidate) { return candidate.name == job.timer; });
  if (unit == report.units.end()) {
    state.state = "not installed";
    state.why_idle = "the " + job.job + " job never runs: its timer " + job.timer +
                     " is not installed (reinstall the package)";
    return state;
  }
  state.state = unit->enabled;
  state.next_elapse = unit->next_elapse;
  if (unit->enabled != "enabled")
    state.why_idle = "the " + job.job + " job does not run: " + job.timer + " is " +
                     (unit->enabled.empty() ? "not enabled" : unit->enabled) +
                     " (setup.sh enables it; systemctl enable --now " + job.timer + ")";
  return state;
}

}  // namespace

std::vector<JobTimerState> job_timer_states(const SystemdReport& report,
                                            const std::vector<JobTimer>& jobs) {
  std::vector<JobTimerState> states;
  for (const JobTimer& job : jobs)
    states.push_back(state_of(report, job));
  return states;
}

}  // namespace da::ops
