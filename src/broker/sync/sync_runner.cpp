#include "da/sync/sync_runner.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <thread>

#include <fmt/core.h>
#include <sys/stat.h>

#include "da/common/error.hpp"
#include "da/common/instance_lock.hpp"
#include "da/common/log.hpp"
#include "da/common/progress_bar.hpp"
#include "da/common/strings.hpp"
#include "da/duck/database.hpp"
#include "da/duck/duck_error.hpp"
#include "da/published/private_folder.hpp"
#include "da/published/table_location.hpp"
#include "da/sync/compat_artifacts.hpp"
#include "da/sync/publisher.hpp"
#include "da/sync/sync_run_repository.hpp"

namespace da::sync {

namespace fs = std::filesystem;

namespace {

using SteadyClock = std::chrono::steady_clock;

// A folder that exists keeps the mode its owner gave it (setup.sh closes the data folder to
// everyone outside dataread); a new one gets `mode`.
void make_folder(const fs::path& folder, mode_t mode) {
  std::error_code error;
  bool created = fs::create_directories(folder, error);
  if (error) throw_system_error("cannot create folder", folder.string(), error.value());
  if (created) ::chmod(folder.c_str(), mode);
}

// Temp files of atomic writes that a crash left in the published tree (".name.XXXXXX.tmp").
void remove_stray_temp_files(const fs::path& root) {
  if (!fs::is_directory(root)) return;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root, error);
       it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) break;
    if (it.depth() > 2) it.disable_recursion_pending();
    std::string name = it->path().filename().string();
    if (it->is_regular_file() && name.size() > 5 && name.front() == '.' &&
        it->path().extension() == ".tmp") {
      fs::remove(it->path(), error);
    }
  }
}

// A file-system-safe form of a table id, for staging folders.
std::string table_key(const std::string& table_id) {
  std::string key;
  for (char c : table_id) {
    bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    key += safe ? c : '_';
  }
  return key;
}

// Counts rows of finished tables plus the running queries' progress, for the progress bar.
class ProgressMonitor {
 public:
  ProgressMonitor(std::mutex& mutex, std::set<duck::Connection*>& active, size_t tables,
                  bool enabled)
      : mutex_(mutex), active_(active), tables_(tables) {
    if (!enabled) return;
    bar_.emplace("sync", 0, "rows");
    thread_ = std::jthread([this](std::stop_token stop) {
      std::mutex mutex;
      std::unique_lock lock(mutex);
      // Wakes every 200 ms, and at once when stopped, so that a short sync is not kept waiting.
      while (!wakeup_.wait_for(lock, stop, std::chrono::milliseconds(200), [] { return false; })) {
        if (stop.stop_requested()) break;
        refresh();
      }
    });
  }
  ~ProgressMonitor() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
    if (bar_) {
      refresh();
      bar_->finish();
    }
  }

  void table_done(int64_t rows) {
    finished_rows_ += rows;
    ++finished_tables_;
  }

 private:
  void refresh() {
    if (!bar_) return;
    uint64_t running = 0;
    {
      std::lock_guard lock(mutex_);
      for (duck::Connection* connection : active_) {
        if (auto progress = connection->progress()) running += progress->rows_processed;
      }
    }
    bar_->set_label(fmt::format("sync {}/{} tables", finished_tables_.load(), tables_));
    bar_->update(static_cast<uint64_t>(finished_rows_.load()) + running);
  }

  std::mutex& mutex_;
  std::set<duck::Connection*>& active_;
  size_t tables_;
  std::atomic<int64_t> finished_rows_{0};
  std::atomic<size_t> finished_tables_{0};
  std::optional<ProgressBar> bar_;
  std::condition_variable_any wakeup_;
  std::jthread thread_;
};

}  // namespace

bool SyncReport::succeeded() const {
  if (interrupted || error) return false;
  for (const TableOutcome& table : tables) {
    if (!table.succeeded) return false;
  }
  return true;
}

SyncRunner::SyncRunner(const config::InstanceConfig& config,
                       const catalog::DataDescription& catalog, DataSource& source)
    : config_(config), catalog_(catalog), source_(source) {}

std::vector<const catalog::TableConfig*> SyncRunner::select_tables(
    const std::vector<std::string>& ids) const {
  std::vector<const catalog::TableConfig*> selected;
  if (ids.empty()) {
    for (const catalog::TableConfig& table : catalog_.tables)
      selected.push_back(&table);
    return selected;
  }
  std::vector<std::string> unknown;
  for (const std::string& id : ids) {
    const catalog::TableConfig* table = catalog_.find(id);
    if (table == nullptr) {
      for (const catalog::TableConfig& candidate : catalog_.tables) {
        if (candidate.name == id) table = &candidate;  // a table name works too when it is unique
      }
    }
    if (table == nullptr) {
      unknown.push_back(id);
    } else if (std::find(selected.begin(), selected.end(), table) == selected.end()) {
      selected.push_back(table);
    }
  }
  if (!unknown.empty()) {
    std::vector<std::string> known;
    for (const catalog::TableConfig& table : catalog_.tables)
      known.push_back(table.id);
    throw Error(ErrorKind::kConfig, "unknown table(s): " + join(unknown, ", ") +
                                        " (the catalog has: " + join(known, ", ") + ")");
  }
  return selected;
}

void SyncRunner::recover_from_crashed_runs(store::StateStore& store) const {
  int completed =
      complete_interrupted_publications(published::parquet_root(config_.paths.data_dir));
  if (completed > 0)
    log::warn("completed {} publication(s) interrupted by an earlier crash", completed);
  int closed = SyncRunRepository(store.database()).close_abandoned_runs();
  if (closed > 0) log::warn("marked {} earlier run(s) whose process died as interrupted", closed);
  fs::path staging = config_.paths.data_dir / ".staging";
  if (fs::is_directory(staging)) {
    for (const auto& entry : fs::directory_iterator(staging)) {
      if (entry.path().filename().string().rfind("run-", 0) == 0) fs::remove_all(entry.path());
    }
  }
  remove_stray_temp_files(published::parquet_root(config_.paths.data_dir));
}

void SyncRunner::cancel() {
  cancelled_ = true;
  std::lock_guard lock(active_mutex_);
  for (duck::Connection* connection : active_)
    connection->interrupt();
}

TableOutcome SyncRunner::sync_table(const catalog::TableConfig& table, int64_t run_id,
                                    duck::Connection& connection, store::StateStore& store,
                                    std::mutex& store_mutex) {
  TableOutcome outcome;
  outcome.table_id = table.id;
  outcome.table_name = table.name;
  outcome.strategy = catalog::to_string(table.strategy);
  auto started = SteadyClock::now();
  std::string started_at = format_iso8601(now_utc());
  TableRunResult record;
  record.run_id = run_id;
  record.table_id = table.id;
  record.table_name = table.name;
  record.strategy = outcome.strategy;
  record.started_at = started_at;
  std::optional<TableSyncState> previous;
  {
    std::lock_guard lock(store_mutex);
    SyncRunRepository(store.database()).record_table(record);
    previous = SyncStateRepository(store.database()).get(table.id);
  }
  fs::path staging = run_staging_ / table_key(table.id);
  TableSyncInput input{
      table,    catalog_.folder_of(table),
      previous, now_utc(),
      staging,  config_.paths.data_dir / ".staging" / "initial" / table_key(table.id),
      nullptr};
  input.save_progress = [&](const TableSyncState& state) {
    std::lock_guard lock(store_mutex);
    SyncStateRepository(store.database()).put(state);
  };
  try {
    TableSyncSettings settings{config_.paths.data_dir,
                               {config_.sync.compression, config_.sync.row_group_size}};
    outcome.result = TableSync(source_, connection, settings).run(input);
    outcome.succeeded = true;
  } catch (const duck::DuckError& e) {
    outcome.error =
        e.interrupted()
            ? table.id + ": interrupted"
            : table.id + ": " + std::string(e.what()).substr(0, std::string(e.what()).find('\n'));
  } catch (const Error& e) {
    outcome.error = e.what();
  } catch (const std::exception& e) {
    outcome.error = table.id + ": internal error: " + e.what();
  }
  std::error_code ignored;
  fs::remove_all(staging, ignored);
  outcome.seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();

  const TableSyncResult& r = outcome.result;
  record.status = outcome.succeeded ? TableRunStatus::kSucceeded : TableRunStatus::kFailed;
  record.finished_at = format_iso8601(now_utc());
  record.rows_read = r.rows_read;
  record.rows_total = r.rows_total;
  record.bytes_total = r.bytes_total;
  record.added = r.added;
  record.updated = r.updated;
  record.unchanged = r.unchanged;
  record.bad_values = r.bad_values;
  record.null_partition_rows = r.null_partition_rows;
  record.partitions_written = r.partitions_written;
  record.duration_ms = static_cast<int64_t>(outcome.seconds * 1000);
  if (!outcome.succeeded) record.error = outcome.error;

  std::lock_guard lock(store_mutex);
  SyncRunRepository(store.database()).record_table(record);
  SyncStateRepository states(store.database());
  if (outcome.succeeded) {
    states.put(r.state);
  } else {
    TableSyncState failed = states.get(table.id).value_or(TableSyncState{});
    failed.table_id = table.id;
    failed.table_name = table.name;
    failed.strategy = outcome.strategy;
    failed.status = "failed";
    failed.error = outcome.error;
    states.put(failed);
  }
  return outcome;
}

TableOutcome SyncRunner::sync_table_reporting_failures(const catalog::TableConfig& table,
                                                       int64_t run_id, duck::Connection& connection,
                                                       store::StateStore& store,
                                                       std::mutex& store_mutex) {
  try {
    return sync_table(table, run_id, connection, store, store_mutex);
  } catch (const std::exception& e) {  // the state store failed around the table's sync
    TableOutcome outcome;
    outcome.table_id = table.id;
    outcome.table_name = table.name;
    outcome.strategy = catalog::to_string(table.strategy);
    outcome.error = table.id + ": cannot record the result in the state store: " + e.what();
    return outcome;
  }
}

SyncReport SyncRunner::run(const SyncOptions& options) {
  auto started = SteadyClock::now();
  std::vector<const catalog::TableConfig*> tables = select_tables(options.table_ids);
  const fs::path& data_dir = config_.paths.data_dir;
  make_folder(data_dir, 0755);
  bool writes_private = std::any_of(tables.begin(), tables.end(), [&](const auto* table) {
    return catalog_.folder_of(*table) == catalog::kPrivateFolder;
  });
  if (writes_private || fs::exists(published::private_folder(data_dir)))
    published::secure_private_folder(data_dir);
  InstanceLock lock = InstanceLock::acquire(data_dir / ".sync.lock", "sync");
  store::StateStore store(config_.paths.state_db);
  recover_from_crashed_runs(store);

  SyncReport report;
  report.run_id = SyncRunRepository(store.database())
                      .start_run(options.trigger, static_cast<int>(tables.size()));
  run_staging_ = data_dir / ".staging" / ("run-" + std::to_string(report.run_id));
  make_folder(run_staging_, 0700);
  log::info("sync run {}: {} table(s) from {}", report.run_id, tables.size(), source_.name());

  report.tables.resize(tables.size());
  {
    duck::DatabaseOptions database_options;
    database_options.memory_limit = config_.sync.memory_limit;
    database_options.threads = config_.sync.threads;
    database_options.temp_directory = (run_staging_ / "duckdb_tmp").string();
    duck::Database database(database_options);
    std::mutex store_mutex;
    std::atomic<size_t> next{0};
    ProgressMonitor monitor(active_mutex_, active_, tables.size(), options.show_progress);
    auto worker = [&] {
      duck::Connection connection(database);
      while (true) {
        size_t index = next++;
        if (index >= tables.size()) break;
        {
          std::lock_guard guard(active_mutex_);
          if (cancelled_) break;  // checked under the lock cancel() takes: no table starts after it
          active_.insert(&connection);
        }
        report.tables[index] = sync_table_reporting_failures(*tables[index], report.run_id,
                                                             connection, store, store_mutex);
        {
          std::lock_guard guard(active_mutex_);
          active_.erase(&connection);
        }
        const TableOutcome& outcome = report.tables[index];
        monitor.table_done(outcome.result.rows_read);
        if (outcome.succeeded) {
          log::info("{}: {} rows read, {} rows published in {:.1f}s", outcome.table_id,
                    outcome.result.rows_read, outcome.result.rows_total, outcome.seconds);
        } else {
          log::error("{}", outcome.error);
        }
      }
    };
    size_t thread_count =
        std::min<size_t>(static_cast<size_t>(config_.sync.parallel_tables), tables.size());
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < thread_count; ++i)
      threads.emplace_back(worker);
  }
  for (size_t i = 0; i < tables.size(); ++i) {
    if (report.tables[i].table_id.empty()) {
      TableOutcome& skipped = report.tables[i];
      skipped.table_id = tables[i]->id;
      skipped.table_name = tables[i]->name;
      skipped.strategy = catalog::to_string(tables[i]->strategy);
      skipped.error = tables[i]->id + ": not started (the run was interrupted)";
    }
  }
  report.interrupted = cancelled_;

  try {
    write_compat_artifacts(
        data_dir, config_.paths.docs_dir, catalog_, SyncStateRepository(store.database()).all(),
        source_.name(),
        [this](const catalog::TableConfig& table) { return source_.column_metadata(table); });
  } catch (const Error& e) {
    report.error = std::string("cannot write sync_state.json / schema.yml: ") + e.what();
  } catch (const std::exception& e) {
    report.error = std::string("cannot write sync_state.json / schema.yml: ") + e.what();
  }
  RunStatus status = report.interrupted   ? RunStatus::kInterrupted
                     : report.succeeded() ? RunStatus::kSucceeded
                                          : RunStatus::kFailed;
  SyncRunRepository(store.database()).finish_run(report.run_id, status, report.error);
  std::error_code ignored;
  fs::remove_all(run_staging_, ignored);
  report.seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  return report;
}

}  // namespace da::sync
