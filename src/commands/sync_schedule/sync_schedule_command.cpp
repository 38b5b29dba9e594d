// da sync-schedule: sync.schedule as systemd calendar expressions, or as the drop-in that
// setup and deploy write to /etc/systemd/system/da-sync.timer.d/schedule.conf.
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/config/sync_schedule.hpp"
#include "da/plugin/plugin_registry.hpp"

namespace da::commands::sync_schedule {

namespace {

int run(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  std::string text;
  if (arguments.flag("systemd")) {
    // The empty OnCalendar= drops the times of da-sync.timer itself.
    text = "# From sync.schedule in " + config.source_file.string() +
           " (da sync-schedule --systemd)\n[Timer]\nOnCalendar=\n";
    for (const std::string& entry : config.sync.schedule)
      text += "OnCalendar=" + config::on_calendar(entry) + "\n";
  } else if (context.json()) {
    nlohmann::json list = nlohmann::json::array();
    for (const std::string& entry : config.sync.schedule)
      list.push_back({{"entry", entry}, {"on_calendar", config::on_calendar(entry)}});
    text = list.dump(2) + "\n";
  } else {
    for (const std::string& entry : config.sync.schedule)
      text += config::on_calendar(entry) + "\n";
  }
  context.print(text);
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_plugin(PluginRegistry& registry) {
  registry.commands.add({
      "sync-schedule",
      "Print when the scheduled sync runs (sync.schedule; default 06:00, 14:00 and 19:00 UTC) "
      "as systemd calendar expressions",
      {cli::flag("--systemd",
                 "Print the drop-in for da-sync.timer "
                 "(/etc/systemd/system/da-sync.timer.d/schedule.conf)")},
      run,
  });
}

}  // namespace da::commands::sync_schedule
