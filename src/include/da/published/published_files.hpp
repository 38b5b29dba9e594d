// Listing the Parquet files a table has published. Symbolic links are never followed: a link
// where a partition folder or a file should be is not published data.
#pragma once

#include <filesystem>
#include <vector>

#include "da/published/table_location.hpp"

namespace da::published {

// The partitions of `location`: the regular *.parquet files directly in its partition folder,
// sorted by name (so by key). Empty when that folder does not exist. Throws Error naming the
// folder when it exists but cannot be read.
std::vector<std::filesystem::path> partition_files(const TableLocation& location);

// True if the single file of `location` is a regular file.
bool has_single_file(const TableLocation& location);

// The files of the table in the form the catalog declares: its partitions when partitioned,
// else its single file when there is one. Empty for a table never published.
std::vector<std::filesystem::path> published_files(const TableLocation& location);

// How a reader finds the table on disk now: kPartitions when it is declared partitioned and
// has at least one partition, else kSingleFile when its single file exists (a table whose
// partitioning changed is read as it was published until the next sync), else kNone.
enum class PublishedForm { kNone, kSingleFile, kPartitions };
PublishedForm published_form(const TableLocation& location);

}  // namespace da::published
