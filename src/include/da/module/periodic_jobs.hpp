// The periodic jobs modules register (registry.periodic_jobs). A job is a command that a systemd
// timer runs; the module ships the timer (and the service it starts) in its systemd/ folder and
// reads the times from its own config section. `da schedule` lists the jobs, setup.sh writes
// each job's drop-in (`da schedule --systemd JOB`) and `da status` checks each job's timer.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace da::config {
struct InstanceConfig;  // da/config/instance_config.hpp
}

namespace da {

struct PeriodicJob {
  std::string name;         // "sync": lower case, digits and '-'; `da schedule --systemd NAME`
  std::string timer;        // "da-sync.timer": the unit the module ships, da-*.timer
  std::string description;  // one line for `da schedule`
  std::string command;      // what the timer's service runs: "da sync"
  std::string setting;      // where the times are configured: "sync.schedule"
  // The configured entries as written ("06:00", "Mon *-*-* 02:00"), or the module's default
  // when the setting is absent. Each is a config::on_calendar() entry.
  std::function<std::vector<std::string>(const config::InstanceConfig&)> schedule;
  // Whether the job runs on this instance: false when its module is not configured (setup.sh
  // then leaves its timer disabled, by the units' X-DA-Enable-When=), so `da status` does not
  // expect the timer. Unset: always.
  std::function<bool(const config::InstanceConfig&)> enabled;
};

class PeriodicJobRegistry {
 public:
  // Throws Error(kInternal) if a field is empty, the name or timer is not of the form above,
  // or another job has the name or the timer.
  void add(PeriodicJob job);
  // The job named `name`, or nullptr.
  const PeriodicJob* find(std::string_view name) const;
  // Every job, by name.
  const std::vector<PeriodicJob>& jobs() const { return jobs_; }

 private:
  std::vector<PeriodicJob> jobs_;
};

// One entry of a job's schedule and the OnCalendar= value it becomes.
struct ScheduleEntry {
  std::string entry;
  std::string on_calendar;
};

// The job's schedule under `config`. Throws Error(kConfig) naming the job's setting and the
// file when the schedule is empty or an entry is not a time or calendar expression.
std::vector<ScheduleEntry> job_schedule(const PeriodicJob& job,
                                        const config::InstanceConfig& config);

// The drop-in that replaces the times of the job's timer, as setup.sh writes it to
// /etc/systemd/system/<timer>.d/schedule.conf: a comment naming the setting, the file and
// `made_by` (the command that printed it), then an empty OnCalendar= and one per entry.
std::string schedule_dropin(const PeriodicJob& job, const config::InstanceConfig& config,
                            std::string_view made_by);

}  // namespace da
