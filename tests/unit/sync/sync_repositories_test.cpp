#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/store/state_store.hpp"
#include "da/sync/sync_run_repository.hpp"
#include "da/sync/sync_state_repository.hpp"

namespace da::sync {
namespace {

class SyncRepositoriesTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  store::StateStore store_{dir_ / "state.db"};
  SyncRunRepository runs_{store_.database()};
  SyncStateRepository states_{store_.database()};
};

TEST_F(SyncRepositoriesTest, RecordsARunWithItsTableResults) {
  int64_t run = runs_.start_run("cli", 2);
  TableRunResult ok;
  ok.run_id = run;
  ok.table_id = "in.c-shop.orders";
  ok.table_name = "orders";
  ok.strategy = "incremental";
  ok.status = TableRunStatus::kSucceeded;
  ok.started_at = "2026-01-01T00:00:00.000000Z";
  ok.rows_read = 10;
  ok.added = 7;
  ok.updated = 3;
  TableRunResult failed = ok;
  failed.table_id = "in.c-shop.items";
  failed.status = TableRunStatus::kFailed;
  failed.error = "items.csv:3: column 'qty': 'x' is not BIGINT";
  runs_.record_table(ok);
  runs_.record_table(failed);
  runs_.finish_run(run, RunStatus::kFailed, std::nullopt);

  auto found = runs_.find_run(run);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, RunStatus::kFailed);
  EXPECT_EQ(found->tables_requested, 2);
  EXPECT_EQ(found->tables_succeeded, 1);
  EXPECT_EQ(found->tables_failed, 1);
  EXPECT_EQ(found->pid, ::getpid());
  EXPECT_TRUE(found->finished_at);
  auto results = runs_.table_results(run);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].table_id, "in.c-shop.orders");
  EXPECT_EQ(results[1].added, 7);
  EXPECT_EQ(results[0].error, failed.error);
  EXPECT_EQ(runs_.recent_runs(5).size(), 1u);
}

TEST_F(SyncRepositoriesTest, ClosesRunsWhoseProcessDied) {
  pid_t child = ::fork();
  if (child == 0) {
    store::StateStore store(dir_ / "state.db");
    SyncRunRepository runs(store.database());
    int64_t run = runs.start_run("cli", 1);
    TableRunResult table;
    table.run_id = run;
    table.table_id = "t";
    table.table_name = "t";
    table.strategy = "full_refresh";
    table.started_at = "2026-01-01T00:00:00.000000Z";
    runs.record_table(table);
    ::_exit(0);  // dies without finishing the run
  }
  ::waitpid(child, nullptr, 0);
  int64_t live = runs_.start_run("cli", 1);  // this process is alive: left alone
  EXPECT_EQ(runs_.close_abandoned_runs(), 1);
  auto runs = runs_.recent_runs(10);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, live);
  EXPECT_EQ(runs[0].status, RunStatus::kRunning);
  EXPECT_EQ(runs[1].status, RunStatus::kInterrupted);
  auto tables = runs_.table_results(runs[1].id);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].status, TableRunStatus::kFailed);
  EXPECT_EQ(runs_.close_abandoned_runs(), 0);
}

TEST_F(SyncRepositoriesTest, StoresAndReplacesTableState) {
  EXPECT_FALSE(states_.get("in.c-shop.orders"));
  TableSyncState state;
  state.table_id = "in.c-shop.orders";
  state.table_name = "orders";
  state.strategy = "incremental";
  state.last_sync = "2026-01-01T00:00:00.000000Z";
  state.watermark = "2025-12-31 23:59:59";
  state.rows = 100;
  states_.put(state);
  state.rows = 150;
  state.resume_json = "{\"next_chunk\": 3}";
  states_.put(state);
  auto found = states_.get("in.c-shop.orders");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->rows, 150);
  EXPECT_EQ(found->watermark, state.watermark);
  EXPECT_EQ(found->resume_json, state.resume_json);
  EXPECT_FALSE(found->updated_at.empty());
  EXPECT_EQ(states_.all().size(), 1u);
  states_.remove("in.c-shop.orders");
  EXPECT_TRUE(states_.all().empty());
}

}  // namespace
}  // namespace da::sync
