// da schedule: every periodic job modules register (registry.periodic_jobs), with the times
// its timer runs it; --systemd JOB prints the drop-in setup.sh writes for the job's timer and
// --list the job and timer names setup.sh iterates.
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/module/module_registry.hpp"

namespace da::commands::schedule {

namespace {

bool runs_here(const PeriodicJob& job, const config::InstanceConfig& config) {
  return !job.enabled || job.enabled(config);
}

const PeriodicJob& job_named(const PeriodicJobRegistry& jobs, const std::string& name) {
  if (const PeriodicJob* job = jobs.find(name)) return *job;
  std::vector<std::string> names;
  for (const PeriodicJob& job : jobs.jobs())
    names.push_back(job.name);
  throw Error(ErrorKind::kConfig, "no periodic job '" + name + "': the jobs are " +
                                      (names.empty() ? "none" : join(names, ", ")));
}

std::string jobs_json(const PeriodicJobRegistry& jobs, const config::InstanceConfig& config) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const PeriodicJob& job : jobs.jobs()) {
    nlohmann::ordered_json schedule = nlohmann::ordered_json::array();
    for (const ScheduleEntry& entry : job_schedule(job, config))
      schedule.push_back({{"entry", entry.entry}, {"on_calendar", entry.on_calendar}});
    list.push_back({{"name", job.name},
                    {"timer", job.timer},
                    {"description", job.description},
                    {"command", job.command},
                    {"setting", job.setting},
                    {"schedule", schedule},
                    {"enabled", runs_here(job, config)}});
  }
  return list.dump(2) + "\n";
}

std::string jobs_text(const PeriodicJobRegistry& jobs, const config::InstanceConfig& config) {
  std::string text;
  for (const PeriodicJob& job : jobs.jobs()) {
    if (!text.empty()) text += "\n";
    text += job.name + ": " + job.description + "\n  command: " + job.command +
            "\n  timer: " + job.timer + "\n";
    if (!runs_here(job, config))
      text += "  off here: its module is not configured (setup leaves the timer disabled)\n";
    text += "  schedule (" + job.setting + "):\n";
    for (const ScheduleEntry& entry : job_schedule(job, config))
      text += "    " + entry.on_calendar + "\n";
  }
  return text.empty() ? "no periodic jobs\n" : text;
}

int run(cli::CommandContext& context, const cli::Arguments& arguments) {
  const PeriodicJobRegistry& jobs = context.modules().periodic_jobs;
  if (arguments.has("systemd") && arguments.flag("list"))
    throw Error(ErrorKind::kConfig, "give --systemd JOB or --list, not both");
  if (arguments.flag("list")) {
    std::string text;
    for (const PeriodicJob& job : jobs.jobs())
      text += job.name + " " + job.timer + "\n";
    context.print(text);
  } else if (arguments.has("systemd")) {
    std::string name = arguments.value("systemd");
    const PeriodicJob& job = job_named(jobs, name);
    context.print(schedule_dropin(job, context.config(), "da schedule --systemd " + name));
  } else {
    const config::InstanceConfig& config = context.config();
    context.print(context.json() ? jobs_json(jobs, config) : jobs_text(jobs, config));
  }
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.commands.add({
      "schedule",
      "List the periodic jobs (what each runs, its systemd timer and when, from its setting in "
      "instance.yaml)",
      {cli::value_option("--systemd",
                         "Print the drop-in for JOB's timer "
                         "(/etc/systemd/system/<timer>.d/schedule.conf)"),
       cli::flag("--list", "Print one line per job, its name and its timer (for scripts)")},
      run,
  });
}

}  // namespace da::commands::schedule
