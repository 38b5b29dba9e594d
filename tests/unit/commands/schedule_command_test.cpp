// `da schedule` over every module of the build plus one the test adds: a job that reads its
// times from its own section of instance.yaml, as a Jira or corporate-memory module would.
#include <cstdio>
#include <map>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/config/instance_config.hpp"
#include "da/module/module_registry.hpp"

namespace da {
namespace {

std::vector<std::string> report_schedule(const config::InstanceConfig& config) {
  config::Diagnostics diagnostics;
  config::NodeReader schedule = config.section_reader("report", diagnostics).child("schedule");
  if (!schedule.present()) return {"hourly"};
  std::vector<std::string> entries;
  for (const config::NodeReader& item : schedule.items())
    entries.push_back(item.as_string());
  return entries;
}

void check_report(const config::InstanceConfig& config, config::Diagnostics& diagnostics) {
  config.section_reader("report", diagnostics).warn_unknown_keys({"schedule"});
}

// What a module adds in its register_module().
void register_report_module(ModuleRegistry& registry) {
  registry.config_sections.claim("report", check_report);
  registry.periodic_jobs.add({"report",
                              "da-report.timer",
                              "Mail the daily report",
                              "da report send",
                              "report.schedule",
                              report_schedule,
                              {}});
}

class ScheduleCommand : public ::testing::Test {
 protected:
  ScheduleCommand() {
    register_all_modules(registry_);
    register_report_module(registry_);
    dir_.write("config/instance.yaml",
               "sync:\n  schedule: ['05:30']\nreport:\n  schedule: ['*:0/30', 'Mon 07:00']\n");
  }

  // The command's standard output; throws what the command throws.
  std::string run(std::vector<std::pair<std::string, std::string>> values, bool list = false,
                  bool json = false) {
    const cli::CommandSpec* schedule = nullptr;
    for (const cli::CommandSpec& command : registry_.commands.commands())
      if (command.path == "schedule") schedule = &command;
    if (schedule == nullptr) throw Error(ErrorKind::kInternal, "no command `da schedule`");
    cli::Arguments arguments;
    for (auto& [key, value] : values)
      arguments.set_values(key, {value});
    arguments.set_flag("list", list);
    std::FILE* out = std::tmpfile();
    cli::CommandContext context(
        {dir_ / "config", json, std::nullopt}, registry_,
        [](const std::string&) { return std::optional<std::string>(); }, out);
    int code = schedule->run(context, arguments);
    EXPECT_EQ(code, cli::ExitCode::kSuccess);
    std::rewind(out);
    std::string text;
    for (int c; (c = std::fgetc(out)) != EOF;)
      text += static_cast<char>(c);
    std::fclose(out);
    return text;
  }

  ModuleRegistry registry_;
  testing::TempDir dir_;
};

TEST_F(ScheduleCommand, ListsEveryRegisteredJobWithItsTimesFromItsOwnSetting) {
  std::string text = run({});
  EXPECT_NE(text.find("report: Mail the daily report\n"
                      "  command: da report send\n"
                      "  timer: da-report.timer\n"
                      "  schedule (report.schedule):\n"
                      "    *:0/30\n"
                      "    Mon 07:00\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sync: Sync every table of the catalog into Parquet\n"
                      "  command: da sync\n"
                      "  timer: da-sync.timer\n"
                      "  schedule (sync.schedule):\n"
                      "    *-*-* 05:30:00 UTC\n"),
            std::string::npos)
      << text;
  EXPECT_LT(text.find("report:"), text.find("sync:")) << "by name";
}

TEST_F(ScheduleCommand, GivesEveryJobAsJson) {
  nlohmann::json jobs = nlohmann::json::parse(run({}, false, true));
  ASSERT_EQ(jobs.size(), registry_.periodic_jobs.jobs().size()) << jobs.dump();
  std::map<std::string, nlohmann::json> by_name;
  for (const nlohmann::json& job : jobs)
    by_name[job["name"]] = job;
  ASSERT_TRUE(by_name.count("report") && by_name.count("sync")) << jobs.dump();
  nlohmann::json report = by_name["report"];
  EXPECT_EQ(report["timer"], "da-report.timer");
  EXPECT_EQ(report["description"], "Mail the daily report");
  EXPECT_EQ(report["command"], "da report send");
  EXPECT_EQ(report["setting"], "report.schedule");
  EXPECT_EQ(report["schedule"][1]["entry"], "Mon 07:00");
  EXPECT_EQ(report["schedule"][1]["on_calendar"], "Mon 07:00");
  EXPECT_EQ(by_name["sync"]["schedule"][0]["entry"], "05:30");
  EXPECT_EQ(by_name["sync"]["schedule"][0]["on_calendar"], "*-*-* 05:30:00 UTC");
}

// One "<job> <timer>" line per registered job (the test's module among the product's), by name.
TEST_F(ScheduleCommand, ListsTheJobAndTimerNamesForSetup) {
  std::string expected;
  for (const PeriodicJob& job : registry_.periodic_jobs.jobs())
    expected += job.name + " " + job.timer + "\n";
  EXPECT_EQ(run({}, true), expected);
  EXPECT_NE(expected.find("report da-report.timer\nsync da-sync.timer\n"), std::string::npos)
      << expected;
}

TEST_F(ScheduleCommand, PrintsTheDropInOfTheJobNamed) {
  EXPECT_EQ(run({{"systemd", "report"}}),
            "# From report.schedule in " + (dir_ / "config/instance.yaml").string() +
                " (da schedule --systemd report)\n[Timer]\nOnCalendar=\nOnCalendar=*:0/30\n"
                "OnCalendar=Mon 07:00\n");
}

TEST_F(ScheduleCommand, AJobsDefaultAppliesWhenItsSettingIsAbsent) {
  dir_.write("config/instance.yaml", "sync:\n  schedule: ['05:30']\n");
  EXPECT_NE(run({{"systemd", "report"}}).find("\nOnCalendar=\nOnCalendar=hourly\n"),
            std::string::npos);
}

TEST_F(ScheduleCommand, AnUnknownJobIsAUsageErrorNamingTheJobs) {
  try {
    run({{"systemd", "nightly"}});
    FAIL() << "an unknown job was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    std::string names;
    for (const PeriodicJob& job : registry_.periodic_jobs.jobs())
      names += (names.empty() ? "" : ", ") + job.name;
    EXPECT_EQ(std::string(e.what()), "no periodic job 'nightly': the jobs are " + names);
    EXPECT_NE(names.find("report, sync"), std::string::npos) << names;
  }
}

// A job whose module is not configured here is listed (setup still writes its drop-in) and
// marked off.
TEST_F(ScheduleCommand, AJobOfAModuleNotConfiguredHereIsMarkedOff) {
  registry_.periodic_jobs.add({"digest", "da-digest.timer", "Mail the weekly digest",
                               "da digest send", "digest.schedule", report_schedule,
                               [](const config::InstanceConfig&) { return false; }});
  std::string text = run({});
  EXPECT_NE(text.find("digest: Mail the weekly digest\n"
                      "  command: da digest send\n"
                      "  timer: da-digest.timer\n"
                      "  off here: its module is not configured (setup leaves the timer disabled)\n"
                      "  schedule (digest.schedule):\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sync: Sync every table of the catalog into Parquet\n"
                      "  command: da sync\n"
                      "  timer: da-sync.timer\n"
                      "  schedule (sync.schedule):\n"),
            std::string::npos)
      << text;
  std::map<std::string, nlohmann::json> by_name;
  for (const nlohmann::json& job : nlohmann::json::parse(run({}, false, true)))
    by_name[job["name"]] = job;
  EXPECT_EQ(by_name["digest"]["enabled"], false);
  EXPECT_EQ(by_name["report"]["enabled"], true);
  EXPECT_EQ(by_name["sync"]["enabled"], true);
}

}  // namespace
}  // namespace da
