// How `da sync` reports a run: one line per table and a summary, or JSON.
#pragma once

#include <optional>
#include <string>

#include "da/profiler/profiler.hpp"
#include "da/sync/sync_runner.hpp"

namespace da::commands::sync {

// `profile`: the profiling of the changed tables that followed the sync, if any.
std::string format_report_text(const da::sync::SyncReport& report,
                               const std::optional<profiler::ProfileReport>& profile);
std::string format_report_json(const da::sync::SyncReport& report,
                               const std::optional<profiler::ProfileReport>& profile);

}  // namespace da::commands::sync
