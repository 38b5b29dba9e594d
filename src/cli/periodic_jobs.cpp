#include "da/module/periodic_jobs.hpp"

#include <algorithm>
#include <regex>

#include "da/common/error.hpp"
#include "da/config/instance_config.hpp"
#include "da/config/sync_schedule.hpp"

namespace da {

namespace {

// setup.sh builds /etc/systemd/system/<timer>.d from these and reads them split on spaces.
void check_names(const PeriodicJob& job) {
  static const std::regex name("^[a-z][a-z0-9-]*$");
  static const std::regex timer("^da-[a-z0-9-]+\\.timer$");
  if (!std::regex_match(job.name, name))
    throw Error(ErrorKind::kInternal, "periodic job '" + job.name +
                                          "': the name must be lower-case letters, digits and '-'");
  if (!std::regex_match(job.timer, timer))
    throw Error(ErrorKind::kInternal, "periodic job '" + job.name + "': the timer '" + job.timer +
                                          "' must be a da-*.timer unit");
  if (job.description.empty() || job.command.empty() || job.setting.empty() || !job.schedule)
    throw Error(ErrorKind::kInternal, "periodic job '" + job.name +
                                          "' needs a description, a command, a setting and a "
                                          "schedule");
}

}  // namespace

void PeriodicJobRegistry::add(PeriodicJob job) {
  check_names(job);
  for (const PeriodicJob& other : jobs_) {
    if (other.name == job.name || other.timer == job.timer)
      throw Error(ErrorKind::kInternal, "periodic jobs '" + other.name + "' and '" + job.name +
                                            "' both use the name or the timer " + job.timer);
  }
  auto position = std::lower_bound(
      jobs_.begin(), jobs_.end(), job.name,
      [](const PeriodicJob& existing, const std::string& name) { return existing.name < name; });
  jobs_.insert(position, std::move(job));
}

const PeriodicJob* PeriodicJobRegistry::find(std::string_view name) const {
  for (const PeriodicJob& job : jobs_)
    if (job.name == name) return &job;
  return nullptr;
}

std::vector<ScheduleEntry> job_schedule(const PeriodicJob& job,
                                        const config::InstanceConfig& config) {
  std::string where = job.setting + " in " + config.source_file.string();
  std::vector<std::string> entries = job.schedule(config);
  if (entries.empty())
    throw Error(ErrorKind::kConfig, where + " lists no time: list at least one, or disable " +
                                        job.timer + " to run no " + job.name + " job");
  std::vector<ScheduleEntry> schedule;
  for (std::string& entry : entries) {
    try {
      std::string on_calendar = config::on_calendar(entry);
      schedule.push_back({std::move(entry), std::move(on_calendar)});
    } catch (const Error& e) {
      throw Error(ErrorKind::kConfig, where + ": " + e.what());
    }
  }
  return schedule;
}

std::string schedule_dropin(const PeriodicJob& job, const config::InstanceConfig& config,
                            std::string_view made_by) {
  std::vector<ScheduleEntry> schedule = job_schedule(job, config);
  // The empty OnCalendar= drops the times written in the timer itself.
  std::string text = "# From " + job.setting + " in " + config.source_file.string() + " (" +
                     std::string(made_by) + ")\n[Timer]\nOnCalendar=\n";
  for (const ScheduleEntry& entry : schedule)
    text += "OnCalendar=" + entry.on_calendar + "\n";
  return text;
}

}  // namespace da
