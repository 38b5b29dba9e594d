// Publishing staged files. Every file appears by one rename (readers see the old file or the
// new one, whole). A set of files (the touched partitions of a table, then its manifest) is
// published through a journal written first: if the process dies half-way, the next run
// finds the journal and completes the publication before doing anything else.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace da::sync {

struct Publication {
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>>
      moves;                                    // staged -> final, in order
  std::vector<std::filesystem::path> removals;  // files or folders to delete afterwards
};

// Performs `publication`, journaled at `journal`, which lies in a folder directly under the
// Parquet root (where complete_interrupted_publications() looks). The staged files must be on
// the same file system as their targets. Creates missing target folders (mode 0755). Holds
// the PublicationLock shared meanwhile.
void publish(const Publication& publication, const std::filesystem::path& journal);

// Completes every journal (".da-publish-*.json") found in the folders directly under
// `parquet_root`, so that an interrupted publication is finished, not lost. Returns how many.
int complete_interrupted_publications(const std::filesystem::path& parquet_root);

}  // namespace da::sync
