// What `da status` reports to an operator: the services and timers, whether each periodic job's
// timer is installed and enabled, the last sync of every table and its age, disk space, the
// portal's certificate, pending state-store migrations, and which of these need attention.
// Reads only: the state store is not migrated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "da/common/time.hpp"
#include "da/config/instance_config.hpp"
#include "da/ops/disk_space.hpp"
#include "da/ops/job_timers.hpp"
#include "da/ops/systemd_units.hpp"
#include "da/store/migrations.hpp"
#include "da/sync/sync_run_repository.hpp"

namespace da::ops {

enum class Level { kOk, kWarning, kProblem };
const char* to_string(Level level);

struct TableFreshness {
  std::string id;
  std::string name;
  std::string status;                    // succeeded | failed (the last attempt) | never
  std::optional<std::string> last_sync;  // the last success
  std::optional<int64_t> age_seconds;    // since the last success
  int64_t rows = 0;
  std::optional<std::string> error;
  Level level = Level::kOk;
};

struct DiskUsage {
  std::string role;  // data_dir, docs_dir, state_db
  DiskSpace space;
  Level level = Level::kOk;
};

struct CertificateStatus {
  std::string file;
  std::string subject;
  std::optional<std::string> not_after;  // ISO-8601; empty when it could not be read
  std::optional<int64_t> days_left;
  std::optional<std::string> error;
  Level level = Level::kOk;
};

struct MigrationStatus {
  std::string state_db;
  bool exists = false;
  int schema_version = 0;  // migrations applied, over every namespace
  int known_version = 0;   // migrations this da knows
  std::vector<store::Migration> pending;
  std::optional<std::string> error;  // unreadable, or newer than this da
};

struct StatusOptions {
  int max_sync_age_hours = 24;  // a table whose last success is older needs attention
  double disk_limit_percent = 90;
  int certificate_warning_days = 30;
  int certificate_problem_days = 14;
  std::filesystem::path nginx_sites_dir = "/etc/nginx/sites-enabled";
  Timestamp now = now_utc();
  std::vector<JobTimer> jobs;  // the periodic jobs (registry.periodic_jobs), whose timers to check
};

struct JobStatus {
  JobTimerState timer;
  Level level = Level::kOk;  // warning: it does not run; problem: its timer failed or stopped
};

struct InstanceStatus {
  SystemdReport systemd;
  std::vector<JobStatus> jobs;
  std::optional<sync::SyncRun> last_run;
  std::vector<TableFreshness> tables;
  std::vector<DiskUsage> disks;
  std::vector<CertificateStatus> certificates;
  MigrationStatus migrations;
  std::vector<std::string> problems;  // what makes the instance unhealthy
  std::vector<std::string> warnings;  // worth a look

  bool healthy() const { return problems.empty(); }
};

InstanceStatus collect_status(const config::InstanceConfig& config, const StatusOptions& options);

}  // namespace da::ops
