// An analyst's workspace: the folder `da pull` fills and the AI assistant works in.
//
//   server/                 read-only mirror of the broker: parquet/, docs/, metadata/, ...
//   user/                   the analyst's own: duckdb/analytics.duckdb, notifications/,
//                           artifacts/, scripts/, parquet/, sessions/
//   CLAUDE.md               the broker's server/docs/CLAUDE.md, refreshed with every pull
//   .claude/settings.json   the broker's server/docs/setup/claude_settings.json, or a default
//   CLAUDE.local.md         the analyst's own notes (never written here)
//
// user/duckdb/analytics.duckdb holds one view per table of server/docs/data_description.md
// whose Parquet is present: "<folder>"."<name>", plus "<name>" in main where no other folder
// has a table of that name. Views read absolute paths (the database works from any current
// folder) with union_by_name for partitions. Every such view carries the comment
// "da workspace: <table id>"; views the analyst made are never touched.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace da::workspace {

struct Layout {
  std::filesystem::path root;  // absolute
  std::filesystem::path server() const { return root / "server"; }
  std::filesystem::path user() const { return root / "user"; }
  std::filesystem::path database() const { return root / "user" / "duckdb" / "analytics.duckdb"; }
};

// The workspace at `root` (made absolute). Does not touch the disk.
Layout layout_of(const std::filesystem::path& root);

// The nearest folder at or above `start` that has user/duckdb/analytics.duckdb or
// server/docs/data_description.md; empty if none.
std::filesystem::path find_workspace(const std::filesystem::path& start);

struct InitReport {
  std::vector<std::filesystem::path> created;  // folders and files made now
};

// Creates the layout's folders and, when absent, CLAUDE.md and .claude/settings.json. Safe to
// repeat. Throws Error(kInternal) naming the path when a folder cannot be made, and refuses a
// workspace folder that is a symbolic link.
InitReport init_workspace(const Layout& layout);

struct WorkspaceView {
  std::string schema;
  std::string name;
  std::string table_id;
  int64_t rows = -1;  // from the Parquet footers, not a scan; -1 when not counted
};

// What refresh_workspace() reports besides the views: row counts read every file's footer
// once more, which a pull that only needs the views can skip.
enum class RowCounts { kRead, kSkip };

struct RefreshReport {
  std::vector<WorkspaceView> views;  // in catalog order; main.<name> aliases not repeated
  std::vector<std::string> dropped;  // "schema.name" of views whose table left
  std::vector<std::string> missing;  // table ids in the catalog without local Parquet
};

// Brings the views of user/duckdb/analytics.duckdb in line with server/: creates or replaces
// a view per present table and drops the managed views of tables that left. Also refreshes
// CLAUDE.md and .claude/settings.json from server/docs. Throws Error(kConfig) when
// server/docs/data_description.md is missing or invalid.
RefreshReport refresh_workspace(const Layout& layout, RowCounts counts = RowCounts::kRead);

}  // namespace da::workspace
