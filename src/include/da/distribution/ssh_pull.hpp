// `da pull --via ssh`: the workspace's server/ mirrors the analyst's ~/server/ on the broker,
// through rsync over SSH, limited by the filter the broker keeps in ~/.sync_rsync_filter
// (da/accounts/sync_filters.hpp).
//
// rsync runs with SSH keepalives and timeouts, --partial-dir (an interrupted file resumes),
// without -z (Parquet is compressed already), and with --delete / --delete-excluded only
// inside server/: files the analyst may no longer see are removed there, nowhere else.
// Transient failures (network, timeouts, files that vanished mid-transfer) are retried; a
// run that still fails throws and is never reported as a success.
//
// `--push` copies user/ and CLAUDE.local.md to ~/user/ and ~/CLAUDE.local.md on the broker,
// without --delete: nothing kept on the server is removed by a push.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace da::distribution {

struct SshPullOptions {
  std::filesystem::path workspace;
  std::string host = "data-analyst";  // an ssh destination: a Host alias or user@host
  std::filesystem::path ssh_config;   // ssh -F; empty: the user's ~/.ssh/config
  int attempts = 3;
  std::chrono::seconds retry_delay{2};  // doubled after each failed attempt
  int io_timeout_seconds = 300;         // rsync --timeout: no data for this long fails
  bool show_progress = true;            // rsync's overall progress, on a terminal only
};

struct SshPullReport {
  bool changed = false;       // anything in server/ was added, replaced or removed
  int64_t files_changed = 0;  // added or replaced
  int64_t bytes_changed = 0;  // their size
  int64_t files_removed = 0;
  int attempts = 0;
};

// Throws Error(kAuth) when the broker refuses the key, Error(kNotFound) when it keeps no filter
// for this analyst, Error(kSource) for anything else, after the retries.
SshPullReport pull_ssh(const SshPullOptions& options);

// Throws like pull_ssh.
void push_ssh(const SshPullOptions& options);

}  // namespace da::distribution
