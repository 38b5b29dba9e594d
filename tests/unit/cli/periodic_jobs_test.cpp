#include "da/module/periodic_jobs.hpp"

#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/config/instance_config.hpp"
#include "da/module/module_registry.hpp"

namespace da {
namespace {

PeriodicJob job(std::string name, std::string timer,
                std::vector<std::string> schedule = {"06:00"}) {
  return {std::move(name),      std::move(timer),
          "A job of the tests", "da report",
          "report.schedule",    [schedule](const config::InstanceConfig&) { return schedule; },
          {}};
}

config::InstanceConfig config_from(const std::string& file) {
  config::InstanceConfig config;
  config.source_file = file;
  return config;
}

TEST(PeriodicJobRegistry, ListsTheJobsByNameAndFindsEachOne) {
  PeriodicJobRegistry jobs;
  jobs.add(job("sync", "da-sync.timer"));
  jobs.add(job("consistency-check", "da-consistency-check.timer"));
  ASSERT_EQ(jobs.jobs().size(), 2u);
  EXPECT_EQ(jobs.jobs()[0].name, "consistency-check");
  EXPECT_EQ(jobs.jobs()[1].name, "sync");
  ASSERT_NE(jobs.find("sync"), nullptr);
  EXPECT_EQ(jobs.find("sync")->timer, "da-sync.timer");
  EXPECT_EQ(jobs.find("jira"), nullptr);
}

TEST(PeriodicJobRegistry, RefusesASecondJobWithTheNameOrTheTimer) {
  PeriodicJobRegistry jobs;
  jobs.add(job("sync", "da-sync.timer"));
  EXPECT_THROW(jobs.add(job("sync", "da-other.timer")), Error);
  EXPECT_THROW(jobs.add(job("other", "da-sync.timer")), Error);
  EXPECT_EQ(jobs.jobs().size(), 1u);
}

// setup.sh makes /etc/systemd/system/<timer>.d of the timer and splits `--list` on spaces.
TEST(PeriodicJobRegistry, RefusesANameOrTimerSetupCouldNotUseAsItIs) {
  PeriodicJobRegistry jobs;
  EXPECT_THROW(jobs.add(job("Sync", "da-sync.timer")), Error);
  EXPECT_THROW(jobs.add(job("two words", "da-sync.timer")), Error);
  EXPECT_THROW(jobs.add(job("sync", "da-sync.service")), Error);
  EXPECT_THROW(jobs.add(job("sync", "../../da-sync.timer")), Error);
  EXPECT_THROW(jobs.add(job("sync", "cron.timer")), Error);
  PeriodicJob without_schedule = job("sync", "da-sync.timer");
  without_schedule.schedule = nullptr;
  EXPECT_THROW(jobs.add(without_schedule), Error);
  EXPECT_TRUE(jobs.jobs().empty());
}

TEST(PeriodicJobs, TheSyncModuleRegistersTheScheduledSync) {
  ModuleRegistry registry;
  register_all_modules(registry);
  const PeriodicJob* sync = registry.periodic_jobs.find("sync");
  ASSERT_NE(sync, nullptr);
  EXPECT_EQ(sync->timer, "da-sync.timer");
  EXPECT_EQ(sync->command, "da sync");
  EXPECT_EQ(sync->setting, "sync.schedule");
  config::InstanceConfig config = config_from("/srv/config/instance.yaml");
  EXPECT_EQ(sync->schedule(config), (std::vector<std::string>{"06:00", "14:00", "19:00"}));
  config.sync.schedule = {"Mon 05:00"};
  EXPECT_EQ(sync->schedule(config), (std::vector<std::string>{"Mon 05:00"}));
}

TEST(JobSchedule, GivesEachEntryWithItsCalendarExpression) {
  PeriodicJob report = job("report", "da-report.timer", {"05:30", "Mon..Fri *-*-* 12:00:00"});
  std::vector<ScheduleEntry> schedule = job_schedule(report, config_from("/c/instance.yaml"));
  ASSERT_EQ(schedule.size(), 2u);
  EXPECT_EQ(schedule[0].entry, "05:30");
  EXPECT_EQ(schedule[0].on_calendar, "*-*-* 05:30:00 UTC");
  EXPECT_EQ(schedule[1].on_calendar, "Mon..Fri *-*-* 12:00:00");
}

TEST(JobSchedule, AnEmptyScheduleOrABadEntryNamesTheSettingAndTheFile) {
  config::InstanceConfig config = config_from("/c/instance.yaml");
  try {
    job_schedule(job("report", "da-report.timer", {}), config);
    FAIL() << "an empty schedule was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_EQ(std::string(e.what()),
              "report.schedule in /c/instance.yaml lists no time: list at least one, or disable "
              "da-report.timer to run no report job");
  }
  try {
    job_schedule(job("report", "da-report.timer", {"6 pm"}), config);
    FAIL() << "'6 pm' was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_EQ(std::string(e.what()).rfind("report.schedule in /c/instance.yaml: '6 pm' is not", 0),
              0u)
        << e.what();
  }
}

TEST(ScheduleDropIn, ClearsTheTimersOwnTimesAndAddsOneLinePerEntry) {
  PeriodicJob report = job("report", "da-report.timer", {"05:30", "hourly"});
  EXPECT_EQ(
      schedule_dropin(report, config_from("/c/instance.yaml"), "da schedule --systemd report"),
      "# From report.schedule in /c/instance.yaml (da schedule --systemd report)\n"
      "[Timer]\n"
      "OnCalendar=\n"
      "OnCalendar=*-*-* 05:30:00 UTC\n"
      "OnCalendar=hourly\n");
}

}  // namespace
}  // namespace da
