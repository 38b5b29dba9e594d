// Getting a table's rows into staging: extract from the source, stage one typed batch, and
// reduce it to one row per primary key.
#pragma once

#include <filesystem>

#include "sync_run.hpp"

namespace da::sync::table_sync {

// Asks the source for the table's data; an incremental run after a success asks only for what
// changed since. Records the export's start and fingerprint in `run`.
Extract extract(SyncRun& run, bool incremental);

// Stages `extract` as one typed Parquet batch at `output`. `published`: the schema of the data
// an incremental run continues from, if any. Records rows read, bad values and warnings.
StagedBatch stage(SyncRun& run, const Extract& extract, const TableSchema* published,
                  const std::filesystem::path& output);

// The batch with one row per primary key (the last one in source order), at `output`. Fails the
// table when a key column is missing or empty; records the duplicates dropped.
StagedBatch deduplicate(SyncRun& run, const StagedBatch& batch,
                        const std::filesystem::path& output);

}  // namespace da::sync::table_sync
