// How a new batch's columns meet the published ones: an incremental or partitioned run evolves
// the published schema (new columns, safe widening) and conforms old and new rows to it; a full
// refresh replaces it and only reports what changed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sync_run.hpp"

#include "da/duck/connection.hpp"
#include "da/published/partition_manifest.hpp"
#include "da/sync/table_schema.hpp"

namespace da::sync::table_sync {

// How the batch (`incoming`, readable as `relation`) fits the published schema. A column whose
// incoming type has no common type with the published one is still accepted when its values all
// fit the published type (e.g. a column empty in this batch, which the sniffer reads as VARCHAR).
// Throws Error(kData) naming `table_id`, each misfit column and a sample value otherwise.
SchemaChange evolve_schema(duck::Connection& connection, const std::string& table_id,
                           const TableSchema& published, const TableSchema& incoming,
                           const std::string& relation);

// The warnings for an evolved schema: new and widened columns.
std::vector<std::string> evolution_warnings(const SchemaChange& change);

// The warnings for a full refresh that replaces `published` by `incoming`: changed types, new
// columns and columns no longer in the source.
std::vector<std::string> replacement_warnings(const TableSchema& published,
                                              const TableSchema& incoming);

// evolve_schema() for the run's table, its warnings added to run.result.
SchemaChange evolve(SyncRun& run, const TableSchema& published, const TableSchema& incoming,
                    const std::string& relation);

// The schema to publish a partitioned batch with: the batch's own for a new table, else the
// published one evolved; and whether that changed the published schema (then every partition
// is rewritten).
std::pair<TableSchema, bool> target_schema(SyncRun& run, const PartitionManifest& manifest,
                                           const TableSchema& incoming,
                                           const std::string& relation);

// SELECT list turning rows of `source` into rows of `target` (NULL where `source` lacks a column).
std::string conform_select(const TableSchema& target, const TableSchema& source);

}  // namespace da::sync::table_sync
