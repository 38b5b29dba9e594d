#include "da/config/sync_schedule.hpp"

#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da::config {
namespace {

std::string rejection(std::string_view entry) {
  try {
    on_calendar(entry);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    return e.what();
  }
  return "";
}

TEST(SyncSchedule, ATimeOfDayRunsDailyInUtc) {
  EXPECT_EQ(on_calendar("06:00"), "*-*-* 06:00:00 UTC");
  EXPECT_EQ(on_calendar("6:05"), "*-*-* 06:05:00 UTC");
  EXPECT_EQ(on_calendar(" 23:59 "), "*-*-* 23:59:00 UTC");
}

TEST(SyncSchedule, CalendarExpressionsPassAsWritten) {
  for (const char* entry :
       {"daily", "hourly", "weekly", "Mon..Fri *-*-* 06:00:00", "Sat,Sun 09:30", "*-*-* 00/2:00",
        "*-*-01 03:00:00 UTC", "2030-01-01 00:00", "*-02~03 12:00", "Mon *-*-* 06:00 Europe/Prague",
        "*:0/15", "Tue 10:00:30.5", "*-*-* 8,12,16:00"}) {
    EXPECT_EQ(on_calendar(entry), entry) << entry;
  }
}

TEST(SyncSchedule, WhatSystemdWouldRefuseIsRefusedWithTheReason) {
  EXPECT_NE(rejection("24:00").find("'24:00'"), std::string::npos);
  EXPECT_NE(rejection("06:60").find("minute"), std::string::npos);
  EXPECT_NE(rejection("at noon").find("not a time"), std::string::npos);
  EXPECT_NE(rejection("Funday 06:00").find("Funday"), std::string::npos);
  EXPECT_NE(rejection("*-13-01 06:00").find("month"), std::string::npos);
  EXPECT_NE(rejection("06:00 Mars/Olympus").find("time zone"), std::string::npos);
  EXPECT_NE(rejection("").find("empty"), std::string::npos);
  for (const char* bad : {"06:00 07:00", "*-*-* 06:00:00:00", "Mon Tue", "06:00/0", "5..3:00",
                          "06:00\nOnCalendar=hourly", "06:00 UTC UTC", "*-*-32 00:00"})
    EXPECT_FALSE(rejection(bad).empty()) << bad;
}

}  // namespace
}  // namespace da::config
