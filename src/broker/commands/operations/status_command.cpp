// da status: the instance's health for an operator (exit 1 when something needs attention).
#include "byte_size_text.hpp"
#include "operations_commands.hpp"
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/module/module_registry.hpp"
#include "da/ops/instance_status.hpp"

namespace da::commands::operations {

namespace {

using Json = nlohmann::ordered_json;
using ops::InstanceStatus;

template <typename T>
Json optional_json(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json units_json(const ops::SystemdReport& systemd) {
  Json units = Json::array();
  for (const ops::UnitState& unit : systemd.units) {
    units.push_back(
        {{"name", unit.name},
         {"active", unit.active},
         {"sub", unit.sub},
         {"enabled", unit.enabled},
         {"last_trigger", unit.last_trigger},
         {"next_elapse", unit.next_elapse},
         {"level", to_string(unit.needs_attention() ? ops::Level::kProblem : ops::Level::kOk)}});
  }
  return {{"running", systemd.running}, {"state", systemd.state}, {"units", units}};
}

Json jobs_json(const std::vector<ops::JobStatus>& jobs) {
  Json list = Json::array();
  for (const ops::JobStatus& job : jobs) {
    list.push_back({{"name", job.timer.job},
                    {"timer", job.timer.timer},
                    {"state", job.timer.state},
                    {"next_elapse", job.timer.next_elapse},
                    {"level", to_string(job.level)}});
  }
  return list;
}

Json sync_json(const InstanceStatus& status) {
  Json last_run = nullptr;
  if (status.last_run) {
    const sync::SyncRun& run = *status.last_run;
    last_run = {{"id", run.id},
                {"status", sync::to_string(run.status)},
                {"started_at", run.started_at},
                {"finished_at", optional_json(run.finished_at)},
                {"tables_succeeded", run.tables_succeeded},
                {"tables_failed", run.tables_failed}};
  }
  Json tables = Json::array();
  for (const ops::TableFreshness& table : status.tables) {
    tables.push_back({{"id", table.id},
                      {"name", table.name},
                      {"status", table.status},
                      {"last_sync", optional_json(table.last_sync)},
                      {"age_seconds", optional_json(table.age_seconds)},
                      {"rows", table.rows},
                      {"error", optional_json(table.error)},
                      {"level", to_string(table.level)}});
  }
  return {{"last_run", last_run}, {"tables", tables}};
}

Json status_json(const InstanceStatus& status, const config::InstanceConfig& config) {
  Json disks = Json::array();
  for (const ops::DiskUsage& disk : status.disks) {
    disks.push_back({{"role", disk.role},
                     {"path", disk.space.path.string()},
                     {"total_bytes", disk.space.total_bytes},
                     {"available_bytes", disk.space.available_bytes},
                     {"used_percent", disk.space.used_percent},
                     {"level", to_string(disk.level)}});
  }
  Json certificates = Json::array();
  for (const ops::CertificateStatus& certificate : status.certificates) {
    certificates.push_back({{"file", certificate.file},
                            {"subject", certificate.subject},
                            {"not_after", optional_json(certificate.not_after)},
                            {"days_left", optional_json(certificate.days_left)},
                            {"error", optional_json(certificate.error)},
                            {"level", to_string(certificate.level)}});
  }
  const ops::MigrationStatus& migrations = status.migrations;
  Json pending = Json::array();
  for (const store::Migration& migration : migrations.pending)
    pending.push_back(
        {{"namespace", migration.space}, {"version", migration.version}, {"name", migration.name}});
  return {{"healthy", status.healthy()},
          {"da_version", DA_VERSION},
          {"config_dir", config.config_dir.string()},
          {"systemd", units_json(status.systemd)},
          {"jobs", jobs_json(status.jobs)},
          {"sync", sync_json(status)},
          {"disk", disks},
          {"certificates", certificates},
          {"migrations",
           {{"state_db", migrations.state_db},
            {"exists", migrations.exists},
            {"schema_version", migrations.schema_version},
            {"known_version", migrations.known_version},
            {"pending", pending},
            {"error", optional_json(migrations.error)}}},
          {"problems", status.problems},
          {"warnings", status.warnings}};
}

std::string age_text(const std::optional<int64_t>& seconds) {
  if (!seconds) return "-";
  return format_ago(to_epoch_micros(now_utc()) - *seconds * 1'000'000);
}

std::string services_text(const ops::SystemdReport& systemd) {
  if (!systemd.running)
    return "services: systemd not running here (" + systemd.state + "); units not checked\n";
  if (systemd.units.empty()) return "services: no da-* units installed\n";
  std::string text = "services:\n";
  for (const ops::UnitState& unit : systemd.units) {
    text += fmt::format("  {:<28} {:<10} {:<9} {}", unit.name, unit.active, unit.sub, unit.enabled);
    if (unit.is_timer() && !unit.next_elapse.empty()) text += "  next " + unit.next_elapse;
    text += unit.needs_attention() ? "  <- needs attention\n" : "\n";
  }
  return text;
}

std::string jobs_text(const std::vector<ops::JobStatus>& jobs) {
  if (jobs.empty()) return "";
  std::string text = "periodic jobs:\n";
  for (const ops::JobStatus& job : jobs) {
    text += fmt::format("  {:<16} {:<28} {}", job.timer.job, job.timer.timer, job.timer.state);
    if (!job.timer.next_elapse.empty()) text += "  next " + job.timer.next_elapse;
    text +=
        job.level == ops::Level::kOk ? "\n" : "  <- " + std::string(to_string(job.level)) + "\n";
  }
  return text;
}

std::string sync_text(const InstanceStatus& status) {
  std::string text;
  if (status.last_run) {
    const sync::SyncRun& run = *status.last_run;
    text += fmt::format("last sync run: #{} {} (started {}; {} succeeded, {} failed)\n", run.id,
                        sync::to_string(run.status), run.started_at, run.tables_succeeded,
                        run.tables_failed);
  } else {
    text += "last sync run: none\n";
  }
  if (status.tables.empty()) return text + "tables: none in the catalog\n";
  text += "tables:\n";
  for (const ops::TableFreshness& table : status.tables) {
    text += fmt::format(
        "  {:<36} {:<10} {:>10} {:>12} rows{}\n", table.id, table.status,
        age_text(table.age_seconds), table.rows,
        table.level == ops::Level::kOk ? "" : "  <- " + std::string(to_string(table.level)));
  }
  return text;
}

std::string other_text(const InstanceStatus& status) {
  std::string text = "disk:\n";
  for (const ops::DiskUsage& disk : status.disks) {
    text += fmt::format("  {:<9} {:<40} {:>3.0f}% used, {} free{}\n", disk.role,
                        disk.space.path.string(), disk.space.used_percent,
                        byte_size_text(disk.space.available_bytes),
                        disk.level == ops::Level::kOk ? "" : "  <- problem");
  }
  for (const ops::CertificateStatus& certificate : status.certificates) {
    text += certificate.error
                ? "certificate: " + *certificate.error + "\n"
                : fmt::format("certificate: {} ({}) expires {} (in {} days)\n", certificate.file,
                              certificate.subject, *certificate.not_after, *certificate.days_left);
  }
  const ops::MigrationStatus& migrations = status.migrations;
  text += fmt::format("state store: {} schema version {} of {}, {} migration(s) pending\n",
                      migrations.state_db, migrations.schema_version, migrations.known_version,
                      migrations.pending.size());
  for (const std::string& problem : status.problems)
    text += "problem: " + problem + "\n";
  for (const std::string& warning : status.warnings)
    text += "warning: " + warning + "\n";
  text += status.healthy() ? "status: OK\n"
                           : fmt::format("status: {} problem(s)\n", status.problems.size());
  return text;
}

int run(cli::CommandContext& context, const cli::Arguments& arguments) {
  const config::InstanceConfig& config = context.config();
  ops::StatusOptions options;
  options.max_sync_age_hours = static_cast<int>(arguments.integer("max-sync-age"));
  options.disk_limit_percent = static_cast<double>(arguments.integer("disk-limit"));
  if (options.max_sync_age_hours <= 0 || options.disk_limit_percent <= 0 ||
      options.disk_limit_percent > 100)
    throw Error(ErrorKind::kConfig,
                "--max-sync-age must be positive and --disk-limit between 1 and 100");
  for (const PeriodicJob& job : context.modules().periodic_jobs.jobs())
    if (!job.enabled || job.enabled(config)) options.jobs.push_back({job.name, job.timer});
  InstanceStatus status = ops::collect_status(config, options);
  if (context.json()) {
    context.print(status_json(status, config).dump(2, ' ', false, Json::error_handler_t::replace) +
                  "\n");
  } else {
    context.print(fmt::format("da {}, instance {}\n", DA_VERSION, config.config_dir.string()) +
                  services_text(status.systemd) + jobs_text(status.jobs) + sync_text(status) +
                  other_text(status));
  }
  return status.healthy() ? cli::ExitCode::kSuccess : cli::ExitCode::kFailure;
}

}  // namespace

cli::CommandSpec status_command() {
  return {
      "status",
      "The instance's health: services and timers, the periodic jobs' timers, each table's "
      "last sync and its age, disk space, the portal's certificate, pending migrations (exit 1 "
      "if something needs attention)",
      {cli::value_option("--max-sync-age", "Hours after which a table's last sync is too old",
                         "24"),
       cli::value_option("--disk-limit", "Percent of a file system in use that is too much", "90")},
      run};
}

}  // namespace da::commands::operations
