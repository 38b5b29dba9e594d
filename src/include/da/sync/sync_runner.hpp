// One `da sync` run: takes the instance lock, finishes what a crashed run left, syncs the
// requested tables in parallel (sync.parallel_tables, sharing one DuckDB with sync.memory_limit),
// records every table's result in the state store, and rewrites the compat artefacts.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "da/catalog/data_description.hpp"
#include "da/config/instance_config.hpp"
#include "da/duck/connection.hpp"
#include "da/store/state_store.hpp"
#include "da/sync/data_source.hpp"
#include "da/sync/table_sync.hpp"

namespace da::sync {

struct SyncOptions {
  std::vector<std::string> table_ids;  // empty: every table of the catalog, in catalog order
  std::string trigger = "cli";
  bool show_progress = true;
};

struct TableOutcome {
  std::string table_id;
  std::string table_name;
  std::string strategy;
  bool succeeded = false;
  std::string error;
  double seconds = 0;
  TableSyncResult result;  // meaningful when succeeded
};

struct SyncReport {
  int64_t run_id = 0;
  bool interrupted = false;
  std::optional<std::string> error;  // a run-level failure (e.g. the compat artefacts)
  double seconds = 0;
  std::vector<TableOutcome> tables;  // in the order requested

  bool succeeded() const;
};

class SyncRunner {
 public:
  SyncRunner(const config::InstanceConfig& config, const catalog::DataDescription& catalog,
             DataSource& source);

  // Throws Error(kConfig) for unknown table ids and Error(kConflict) when another sync runs;
  // table failures are reported in the result, not thrown.
  SyncReport run(const SyncOptions& options);
  // Thread-safe: stops the running queries; tables not started are not started.
  void cancel();

 private:
  std::vector<const catalog::TableConfig*> select_tables(const std::vector<std::string>& ids) const;
  void recover_from_crashed_runs(store::StateStore& store) const;
  TableOutcome sync_table(const catalog::TableConfig& table, int64_t run_id,
                          duck::Connection& connection, store::StateStore& store,
                          std::mutex& store_mutex);
  // sync_table() that turns a failure of the state store into a failed outcome, so that no
  // exception leaves a worker thread.
  TableOutcome sync_table_reporting_failures(const catalog::TableConfig& table, int64_t run_id,
                                             duck::Connection& connection, store::StateStore& store,
                                             std::mutex& store_mutex);

  const config::InstanceConfig& config_;
  const catalog::DataDescription& catalog_;
  DataSource& source_;
  std::atomic<bool> cancelled_{false};
  std::mutex active_mutex_;
  std::set<duck::Connection*> active_;
  std::filesystem::path run_staging_;
};

}  // namespace da::sync
