// sync.schedule: when the scheduled sync runs. systemd's da-sync.timer runs it; setup and
// deploy turn the schedule into the timer's OnCalendar= lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace da::config {

class NodeReader;  // da/config/node_reader.hpp

// The schedule when instance.yaml names none: the original's cron, three runs a day.
inline const std::vector<std::string> kDefaultSyncSchedule = {"06:00", "14:00", "19:00"};

// The OnCalendar= value for one sync.schedule entry. "HH:MM" is a daily time in UTC and
// becomes "*-*-* HH:MM:00 UTC"; anything else must be a systemd calendar expression
// (systemd.time(7): weekdays, date, time and time zone, or daily/hourly/...), returned as
// written. Throws Error(kConfig) saying what is wrong; what this accepts, systemd accepts.
std::string on_calendar(std::string_view entry);

// Reads a schedule setting (sync.schedule, or a module's job's): a list of entries or one entry,
// never split on commas (calendar expressions use them), each checked by on_calendar(). Problems
// go to the node's diagnostics with their line; an empty list is an error whose message ends with
// `instead_of_empty` ("to run no scheduled sync, disable da-sync.timer instead"). When the
// setting is absent `out` keeps its default.
void read_schedule(const NodeReader& node, std::vector<std::string>& out,
                   std::string_view instead_of_empty);

}  // namespace da::config
