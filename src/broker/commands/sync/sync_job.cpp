#include "sync_job.hpp"

#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/module/module_registry.hpp"

namespace da::commands::sync {

namespace {

// `da sync-schedule`: the sync job's schedule, printed as before `da schedule` listed every
// job (scripts and operators may still call it).
int print_sync_schedule(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  const PeriodicJob& job = *context.modules().periodic_jobs.find("sync");
  std::string text;
  if (arguments.flag("systemd")) {
    text = schedule_dropin(job, config, "da sync-schedule --systemd");
  } else if (context.json()) {
    nlohmann::json list = nlohmann::json::array();
    for (const ScheduleEntry& entry : job_schedule(job, config))
      list.push_back({{"entry", entry.entry}, {"on_calendar", entry.on_calendar}});
    text = list.dump(2) + "\n";
  } else {
    for (const ScheduleEntry& entry : job_schedule(job, config))
      text += entry.on_calendar + "\n";
  }
  context.print(text);
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_sync_job(ModuleRegistry& registry) {
  registry.periodic_jobs.add({
      "sync",
      "da-sync.timer",
      "Sync every table of the catalog into Parquet",
      "da sync",
      "sync.schedule",
      [](const config::InstanceConfig& config) { return config.sync.schedule; },
      {},  // every instance syncs
  });
  registry.commands.add({
      "sync-schedule",
      "Print when the scheduled sync runs (sync.schedule; default 06:00, 14:00 and 19:00 UTC) "
      "as systemd calendar expressions (da schedule lists every periodic job)",
      {cli::flag("--systemd",
                 "Print the drop-in for da-sync.timer "
                 "(/etc/systemd/system/da-sync.timer.d/schedule.conf)")},
      print_sync_schedule,
  });
}

}  // namespace da::commands::sync
