#include "da/ops/instance_status.hpp"

#include <algorithm>
#include <map>
#include <string_view>

#include <fmt/core.h>

#include "da/catalog/data_description.hpp"
#include "da/common/error.hpp"
#include "da/ops/portal_certificate.hpp"
#include "da/store/sqlite_database.hpp"
#include "da/sync/sync_state_repository.hpp"

namespace da::ops {

namespace fs = std::filesystem;

namespace {

using std::chrono::duration_cast;
using std::chrono::hours;
using std::chrono::seconds;

// Whether the sync tables the status reads are among the migrations still pending.
bool pending_includes(const std::vector<store::Migration>& pending, std::string_view space,
                      int version) {
  return std::any_of(pending.begin(), pending.end(), [&](const store::Migration& migration) {
    return migration.space == space && migration.version == version;
  });
}

class Collector {
 public:
  Collector(const config::InstanceConfig& config, const StatusOptions& options)
      : config_(config), options_(options) {}

  InstanceStatus run() {
    collect_units();
    collect_jobs();
    collect_migrations_and_syncs();
    collect_disks();
    collect_certificates();
    return std::move(status_);
  }

 private:
  void problem(std::string text) { status_.problems.push_back(std::move(text)); }
  void warning(std::string text) { status_.warnings.push_back(std::move(text)); }

  void collect_units() {
    try {
      status_.systemd = query_da_units();
    } catch (const Error& e) {
      problem(e.what());
      return;
    }
    for (const UnitState& unit : status_.systemd.units) {
      if (!unit.needs_attention()) continue;
      bool telling = !unit.result.empty() && unit.result != "success";
      problem(unit.name + " is " + unit.active + (telling ? " (" + unit.result + ")" : "") +
              (unit.active == "failed" ? "" : " though " + unit.enabled));
    }
  }

  // A failed or stopped timer is a problem reported with the units above; a job whose timer is
  // missing or not enabled is worth a look, since a module may leave it off until configured.
  void collect_jobs() {
    for (JobTimerState& timer : job_timer_states(status_.systemd, options_.jobs)) {
      JobStatus job{std::move(timer), Level::kOk};
      if (!job.timer.why_idle.empty()) {
        job.level = Level::kWarning;
        warning(job.timer.why_idle);
      } else if (std::any_of(status_.systemd.units.begin(), status_.systemd.units.end(),
                             [&](const UnitState& unit) {
                               return unit.name == job.timer.timer && unit.needs_attention();
                             })) {
        job.level = Level::kProblem;
      }
      status_.jobs.push_back(std::move(job));
    }
  }

  void collect_migrations_and_syncs() {
    MigrationStatus& migrations = status_.migrations;
    migrations.state_db = config_.paths.state_db.string();
    migrations.known_version = store::known_schema_version();
    migrations.exists = fs::exists(config_.paths.state_db);
    std::vector<sync::TableSyncState> states;
    if (!migrations.exists) {
      migrations.pending = store::state_migrations();
      warning("the state store " + migrations.state_db +
              " does not exist yet (the first command that needs it creates it)");
    } else {
      try {
        store::SqliteDatabase database(config_.paths.state_db, {.read_only = true});
        migrations.schema_version = store::schema_version(database);
        migrations.pending = store::pending_migrations(database, store::state_migrations());
        if (!pending_includes(migrations.pending, "sync", 1)) {
          states = sync::SyncStateRepository(database).all();
          auto runs = sync::SyncRunRepository(database).recent_runs(1);
          if (!runs.empty()) status_.last_run = runs.front();
        }
      } catch (const Error& e) {
        migrations.error = e.what();
        problem(e.what());
      }
      if (!migrations.pending.empty())
        problem(fmt::format("{} state-store migration(s) pending: run `da migrate`",
                            migrations.pending.size()));
    }
    collect_tables(states);
  }

  void collect_tables(const std::vector<sync::TableSyncState>& states) {
    catalog::DataDescriptionLoad catalog;
    try {
      catalog = catalog::load_data_description(config_.paths.docs_dir);
    } catch (const Error& e) {
      problem(e.what());
      return;
    }
    if (catalog.diagnostics.has_errors())
      problem("the table catalog in " + config_.paths.docs_dir.string() +
              " has errors: run `da config check`");
    std::map<std::string, const sync::TableSyncState*> by_id;
    for (const sync::TableSyncState& state : states)
      by_id[state.table_id] = &state;
    for (const catalog::TableConfig& table : catalog.description.tables) {
      auto found = by_id.find(table.id);
      status_.tables.push_back(
          freshness(table.id, table.name, found == by_id.end() ? nullptr : found->second));
    }
  }

  TableFreshness freshness(const std::string& id, const std::string& name,
                           const sync::TableSyncState* state) {
    TableFreshness table{id,           name, "never",      std::nullopt,
                         std::nullopt, 0,    std::nullopt, Level::kWarning};
    if (state == nullptr) {
      warning(id + " has never been synced");
      return table;
    }
    table.status = state->status;
    table.last_sync = state->last_sync;
    table.rows = state->rows;
    table.error = state->error;
    table.level = Level::kOk;
    if (state->last_sync) {
      if (auto synced = parse_iso8601(*state->last_sync))
        table.age_seconds = duration_cast<seconds>(options_.now - *synced).count();
    }
    if (state->status == "failed") {
      table.level = Level::kProblem;
      problem(id + ": the last sync failed: " + state->error.value_or("no reason recorded"));
    } else if (!table.age_seconds) {
      table.level = Level::kWarning;
      warning(id + " has never been synced successfully");
    } else if (*table.age_seconds > options_.max_sync_age_hours * 3600) {
      table.level = Level::kProblem;
      problem(fmt::format("{}: last synced {}h ago (more than {}h)", id, *table.age_seconds / 3600,
                          options_.max_sync_age_hours));
    }
    return table;
  }

  void collect_disks() {
    std::vector<std::pair<std::string, fs::path>> roles = {
        {"data_dir", config_.paths.data_dir},
        {"docs_dir", config_.paths.docs_dir},
        {"state_db", config_.paths.state_db.parent_path()}};
    for (const auto& [role, path] : roles) {
      DiskUsage usage;
      usage.role = role;
      try {
        usage.space = disk_space(path);
      } catch (const Error& e) {
        problem(e.what());
        continue;
      }
      if (usage.space.used_percent > options_.disk_limit_percent) {
        usage.level = Level::kProblem;
        problem(fmt::format("the file system of {} ({}) is {:.0f}% full (limit {:.0f}%)", role,
                            path.string(), usage.space.used_percent, options_.disk_limit_percent));
      }
      status_.disks.push_back(usage);
    }
  }

  void collect_certificates() {
    std::vector<fs::path> files;
    if (!config_.server.tls_cert.empty()) {
      files.push_back(config_.server.tls_cert);
    } else {
      std::string listen = config_.server.listen;
      if (listen.rfind("unix:", 0) == 0) listen = listen.substr(5);
      files = nginx_portal_certificates(options_.nginx_sites_dir, listen);
    }
    for (const fs::path& file : files)
      status_.certificates.push_back(certificate_status(file));
  }

  CertificateStatus certificate_status(const fs::path& file) {
    CertificateStatus status;
    status.file = file.string();
    try {
      CertificateInfo info = read_certificate(file);
      status.subject = info.subject;
      status.not_after = format_iso8601(info.not_after);
      status.days_left = duration_cast<hours>(info.not_after - options_.now).count() / 24;
    } catch (const Error& e) {
      status.error = e.what();
      status.level = Level::kProblem;
      problem(e.what());
      return status;
    }
    int64_t days = *status.days_left;
    if (days < options_.certificate_problem_days) {
      status.level = Level::kProblem;
      problem(days < 0 ? fmt::format("the certificate {} expired {} day(s) ago", status.file, -days)
                       : fmt::format("the certificate {} expires in {} day(s)", status.file, days));
    } else if (days < options_.certificate_warning_days) {
      status.level = Level::kWarning;
      warning(fmt::format("the certificate {} expires in {} day(s)", status.file, days));
    }
    return status;
  }

  const config::InstanceConfig& config_;
  const StatusOptions& options_;
  InstanceStatus status_;
};

}  // namespace

const char* to_string(Level level) {
  switch (level) {
    case Level::kOk:
      return "ok";
    case Level::kWarning:
      return "warning";
    case Level::kProblem:
      return "problem";
  }
  return "problem";
}

InstanceStatus collect_status(const config::InstanceConfig& config, const StatusOptions& options) {
  return Collector(config, options).run();
}

}  // namespace da::ops
