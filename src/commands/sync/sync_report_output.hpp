// How `da sync` reports a run: one line per table and a summary, or JSON.
#pragma once

#include <string>

#include "da/sync/sync_runner.hpp"

namespace da::commands::sync {

std::string format_report_text(const da::sync::SyncReport& report);
std::string format_report_json(const da::sync::SyncReport& report);

}  // namespace da::commands::sync
