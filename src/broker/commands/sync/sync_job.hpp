// The scheduled sync: the periodic job "sync" (da-sync.timer runs `da sync` at the times of
// sync.schedule) and `da sync-schedule`, which prints that schedule as it always has.
#pragma once

namespace da {
struct ModuleRegistry;
}

namespace da::commands::sync {

void register_sync_job(ModuleRegistry& registry);

}  // namespace da::commands::sync
