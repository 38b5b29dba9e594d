// sync.schedule: when the scheduled sync runs. systemd's da-sync.timer runs it; setup and
// deploy turn the schedule into the timer's OnCalendar= lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace da::config {

// The schedule when instance.yaml names none: the original's cron, three runs a day.
inline const std::vector<std::string> kDefaultSyncSchedule = {"06:00", "14:00", "19:00"};

// The OnCalendar= value for one sync.schedule entry. "HH:MM" is a daily time in UTC and
// becomes "*-*-* HH:MM:00 UTC"; anything else must be a systemd calendar expression
// (systemd.time(7): weekdays, date, time and time zone, or daily/hourly/...), returned as
// written. Throws Error(kConfig) saying what is wrong; what this accepts, systemd accepts.
std::string on_calendar(std::string_view entry);

}  // namespace da::config
