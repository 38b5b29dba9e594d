#include "da/ops/job_timers.hpp"

#include <gtest/gtest.h>

namespace da::ops {
namespace {

SystemdReport running_with(const std::string& systemctl_show) {
  SystemdReport report;
  report.running = true;
  report.state = "running";
  report.units = parse_systemctl_show(systemctl_show);
  return report;
}

const std::vector<JobTimer> kJobs = {{"sync", "da-sync.timer"},
                                     {"consistency-check", "da-consistency-check.timer"}};

TEST(JobTimers, AJobWhoseTimerWaitsRunsOnItsSchedule) {
  auto states = job_timer_states(
      running_with("Id=da-sync.timer\nActiveState=active\nSubState=waiting\n"
                   "UnitFileState=enabled\nNextElapseUSecRealtime=Tue 2026-12-08 06:00:00 UTC\n"),
      {kJobs[0]});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].job, "sync");
  EXPECT_EQ(states[0].state, "enabled");
  EXPECT_EQ(states[0].next_elapse, "Tue 2026-12-08 06:00:00 UTC");
  EXPECT_EQ(states[0].why_idle, "");
}

TEST(JobTimers, AJobWhoseTimerIsMissingOrNotEnabledSaysItDoesNotRun) {
  auto states =
      job_timer_states(running_with("Id=da-sync.timer\nActiveState=inactive\nSubState=dead\n"
                                    "UnitFileState=disabled\n"),
                       kJobs);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].state, "disabled");
  EXPECT_EQ(states[0].why_idle,
            "the sync job does not run: da-sync.timer is disabled (setup.sh enables it; "
            "systemctl enable --now da-sync.timer)");
  EXPECT_EQ(states[1].job, "consistency-check");
  EXPECT_EQ(states[1].state, "not installed");
  EXPECT_EQ(states[1].why_idle,
            "the consistency-check job never runs: its timer da-consistency-check.timer is not "
            "installed (reinstall the package)");
}

TEST(JobTimers, NothingIsKnownWhereSystemdDoesNotRun) {
  SystemdReport offline;
  offline.state = "offline";
  auto states = job_timer_states(offline, kJobs);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].state, "unknown");
  EXPECT_EQ(states[0].why_idle, "");
  EXPECT_EQ(states[1].why_idle, "");
}

}  // namespace
}  // namespace da::ops
