// `da schedule` as operators and setup.sh call it: every periodic job of the build (today the
// sync's), its times from its setting, the drop-in for its timer, and the listing setup.sh
// iterates.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace da {
namespace {

using testing::ProcessResult;
using testing::TempDir;

class ScheduleCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("config/instance.yaml",
               "sync:\n  schedule: ['05:30', 'Mon..Fri *-*-* 12:00:00 Europe/Prague']\n");
  }

  ProcessResult da(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", (dir_ / "config").string()});
    return testing::run_da(args);
  }

  TempDir dir_;
};

TEST_F(ScheduleCliTest, ListsTheSyncJobWithItsTimerAndTheTimesOfSyncSchedule) {
  ProcessResult text = da({"schedule"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  // After the Jira connector's jobs (jira-*), listed whether or not the connector is on.
  std::string sync = text.out.substr(text.out.find("\nsync: ") + 1);
  EXPECT_EQ(sync,
            "sync: Sync every table of the catalog into Parquet\n"
            "  command: da sync\n"
            "  timer: da-sync.timer\n"
            "  schedule (sync.schedule):\n"
            "    *-*-* 05:30:00 UTC\n"
            "    Mon..Fri *-*-* 12:00:00 Europe/Prague\n");
  ProcessResult json = da({"--json", "schedule"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto jobs = nlohmann::json::parse(json.out);
  ASSERT_EQ(jobs.size(), 4u) << json.out;
  const auto& job = jobs[3];
  EXPECT_EQ(job["name"], "sync");
  EXPECT_EQ(job["timer"], "da-sync.timer");
  EXPECT_EQ(job["command"], "da sync");
  EXPECT_EQ(job["setting"], "sync.schedule");
  EXPECT_EQ(job["schedule"][0]["entry"], "05:30");
  EXPECT_EQ(job["schedule"][0]["on_calendar"], "*-*-* 05:30:00 UTC");
}

TEST_F(ScheduleCliTest, TheSyncJobsDropInHasTheTimesDaSyncScheduleGives) {
  ProcessResult dropin = da({"schedule", "--systemd", "sync"});
  ASSERT_EQ(dropin.exit_code, 0) << dropin.err;
  std::string times =
      "[Timer]\n"
      "OnCalendar=\n"
      "OnCalendar=*-*-* 05:30:00 UTC\n"
      "OnCalendar=Mon..Fri *-*-* 12:00:00 Europe/Prague\n";
  EXPECT_EQ(dropin.out, "# From sync.schedule in " + (dir_ / "config" / "instance.yaml").string() +
                            " (da schedule --systemd sync)\n" + times);
  ProcessResult legacy = da({"sync-schedule", "--systemd"});
  ASSERT_EQ(legacy.exit_code, 0) << legacy.err;
  EXPECT_EQ(legacy.out.substr(legacy.out.find('\n') + 1), times);
}

TEST_F(ScheduleCliTest, ListPrintsEachJobAndItsTimerForSetup) {
  ProcessResult list = da({"schedule", "--list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out,
            "jira-check da-jira-check.timer\n"
            "jira-check-deep da-jira-check-deep.timer\n"
            "jira-sla-poll da-jira-sla-poll.timer\n"
            "sync da-sync.timer\n");
}

TEST_F(ScheduleCliTest, AnUnknownJobIsAUsageErrorNamingTheJobs) {
  ProcessResult unknown = da({"schedule", "--systemd", "jira"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.out, "");
  EXPECT_NE(unknown.err.find("no periodic job 'jira': the jobs are jira-check, jira-check-deep, "
                             "jira-sla-poll, sync"),
            std::string::npos)
      << unknown.err;
  EXPECT_EQ(da({"schedule", "--systemd", "sync", "--list"}).exit_code, 2);
}

TEST_F(ScheduleCliTest, ABadScheduleStopsTheDropInWithTheFileAndLine) {
  dir_.write("config/instance.yaml", "sync:\n  schedule:\n    - '06:00'\n    - '6 pm'\n");
  ProcessResult dropin = da({"schedule", "--systemd", "sync"});
  EXPECT_EQ(dropin.exit_code, 2);
  EXPECT_EQ(dropin.out, "");
  EXPECT_NE(dropin.err.find("instance.yaml:4: sync.schedule[1]: '6 pm' is not a time of day"),
            std::string::npos)
      << dropin.err;
}

}  // namespace
}  // namespace da
