// The three sync strategies (see da/sync/table_sync.hpp), each in its own file. Each leaves
// the table's new state in run.result.state, or throws with the published data unchanged.
#pragma once

#include "sync_run.hpp"

namespace da::sync::table_sync {

// full_refresh.cpp: the published table becomes exactly the source.
void sync_full_refresh(SyncRun& run);

// incremental.cpp: changed rows are merged on the primary key.
void sync_incremental(SyncRun& run);

// replace_partitions.cpp: the partitions present in the export replace their published versions.
void sync_replace_partitions(SyncRun& run);

}  // namespace da::sync::table_sync
